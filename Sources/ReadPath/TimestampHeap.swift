/// A binary heap of (timestamp, stream index) pairs, smallest first for a forward query and
/// newest first for a backward one; ties go to the lower stream index. What a k-way merge of
/// streams' timestamps needs.
struct TimestampHeap {
    private var items: [(ts: Int64, si: Int)] = []
    let forward: Bool

    init(forward: Bool) { self.forward = forward }

    var isEmpty: Bool { items.isEmpty }

    private func before(_ a: (ts: Int64, si: Int), _ b: (ts: Int64, si: Int)) -> Bool {
        if a.ts != b.ts { return forward ? a.ts < b.ts : a.ts > b.ts }
        return a.si < b.si
    }

    mutating func push(_ ts: Int64, _ si: Int) {
        items.append((ts, si))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard before(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes the first pair and returns its stream index.
    mutating func pop() -> Int? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count, before(items[l], items[m]) { m = l }
                if r < items.count, before(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return first.si
    }
}
