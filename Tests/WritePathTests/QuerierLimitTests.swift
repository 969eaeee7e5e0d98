import Testing
@testable import ReadPath

/// The k-way merge that decides how many entries of each stream a limited log query keeps.
@Suite struct QuerierLimitTests {
    /// The plain answer: sort every (timestamp, stream, position) and count the first `limit`.
    static func bySorting(_ streams: [[Int64]], limit: Int, forward: Bool) -> [Int] {
        var all: [(Int64, Int, Int)] = []
        for (si, s) in streams.enumerated() { for (ei, t) in s.enumerated() { all.append((t, si, ei)) } }
        all.sort { a, b in
            if a.0 != b.0 { return forward ? a.0 < b.0 : a.0 > b.0 }
            return a.1 != b.1 ? a.1 < b.1 : a.2 < b.2
        }
        var keep = Array(repeating: 0, count: streams.count)
        for (_, si, _) in all.prefix(limit) { keep[si] += 1 }
        return keep
    }

    @Test func mergeTakesWhatASortTakes() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let forward = round % 2 == 0
            let streams: [[Int64]] = (0..<Int.random(in: 0...12, using: &rng)).map { _ in
                // Few distinct timestamps, so ties across and within streams are common.
                let ts = (0..<Int.random(in: 0...40, using: &rng)).map { _ in Int64.random(in: 0...20, using: &rng) }
                return forward ? ts.sorted() : ts.sorted(by: >)
            }
            var times: [Int64] = []
            var offsets = [0]
            for s in streams { times += s; offsets.append(times.count) }
            let limit = Int.random(in: 0...120, using: &rng)
            let got = Querier.taken(times: times, offsets: offsets, limit: limit, forward: forward)
            #expect(got == Self.bySorting(streams, limit: limit, forward: forward), "\(streams) limit \(limit) forward \(forward)")
        }
    }

    @Test func heapOrdersByTimeThenStream() {
        var h = Heap(by: Querier.mergeOrder(forward: false))
        for (t, s) in [(5, 2), (9, 1), (5, 0), (9, 3), (1, 4)] { h.push((Int64(t), s)) }
        var order: [Int] = []
        while let s = h.pop()?.si { order.append(s) }
        #expect(order == [1, 3, 0, 2, 4])
        #expect(h.isEmpty)
    }
}
