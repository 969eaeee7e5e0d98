import ChunkFormat
import LogModel
import LogQL
import Storage
import WritePath

/// The reads of one log query, nearest the query's starting edge first, stopping as soon as no
/// unread place can hold one of the `limit` entries nearest that edge. A backward query for the
/// newest 1,000 lines decodes the newest block or two of each stream, not the whole range.
///
/// Every place is known with its time bounds before it is read: memory blocks and flushed blocks
/// from their metadata, flushed chunks from their header (opened only when reached, then replaced by
/// their blocks). Places are read in order of their bound on the starting edge (newest `maxTime`
/// first going backward, oldest `minTime` first going forward). Once `limit` entries have been read,
/// the `limit`-th nearest timestamp is a threshold: when the next place's bound is strictly beyond it,
/// every entry still unread is too, and reading stops — after checking that duplicates (a line in
/// two places of one stream) did not inflate the count.
struct ReadPlan {
    enum Place {
        /// Block `index` of the stream's in-memory blocks (the index names it in warnings).
        case memoryBlock(ChunkBlock, encoding: ChunkEncoding, index: Int)
        case headEntries([LogEntry], minTime: Int64, maxTime: Int64)
        case chunk(ChunkRef)
        case storedBlock(ChunkReader, index: Int, key: String)

        var minTime: Int64 {
            switch self {
            case .memoryBlock(let b, _, _): b.minTime
            case .headEntries(_, let lo, _): lo
            case .chunk(let ref): ref.header.minTime
            case .storedBlock(let r, let i, _): r.blocks[i].minTime
            }
        }

        /// A block's entry count (nil for places that are not one block).
        var blockEntries: Int? {
            switch self {
            case .memoryBlock(let b, _, _): b.entries
            case .storedBlock(let r, let i, _): r.blocks[i].entries
            case .headEntries, .chunk: nil
            }
        }

        var maxTime: Int64 {
            switch self {
            case .memoryBlock(let b, _, _): b.maxTime
            case .headEntries(_, _, let hi): hi
            case .chunk(let ref): ref.header.maxTime
            case .storedBlock(let r, let i, _): r.blocks[i].maxTime
            }
        }
    }

    let start: Int64
    let end: Int64
    let limit: Int
    /// When to stop reading (nil: never).
    let deadline: QueryDeadline?
    let direction: Direction
    let store: ChunkStore
    let filter: LineFilterMatcher?
    /// The query's pipeline beyond its pushed-down filters, when it can drop lines (nil otherwise).
    let pipeline: Pipeline?
    private(set) var streams: [(labels: LabelSet, merger: StreamMerger)] = []
    private var streamIndex: [String: Int] = [:]
    /// Unread places, the one with the nearest edge on top.
    private var queue = Heap<(edge: Int64, stream: Int, place: Place)> { $0.edge > $1.edge }
    /// Ranks of the `limit` nearest entries read so far, the farthest of them (the threshold) on top.
    private var nearest = Heap<Int64>(by: <)
    /// Places decoded (for tests and stats).
    private(set) var placesRead = 0

    /// `filter`: the query's line filters; only lines they keep count towards `limit`.
    init(start: Int64, end: Int64, limit: Int, direction: Direction, store: ChunkStore, filter: LineFilterMatcher? = nil,
         pipeline: Pipeline? = nil, deadline: QueryDeadline? = nil) {
        self.deadline = deadline
        self.start = start
        self.end = end
        self.limit = limit
        self.direction = direction
        self.store = store
        self.filter = filter?.keepsEverything == true ? nil : filter
        self.pipeline = pipeline?.isEmpty == true ? nil : pipeline
    }

    /// A timestamp's nearness to the starting edge: larger is nearer. `~t` reverses the order
    /// without overflow.
    private func rank(_ t: Int64) -> Int64 { direction == .backward ? t : ~t }
    private func timestamp(ofRank r: Int64) -> Int64 { direction == .backward ? r : ~r }
    private func edge(_ p: Place) -> Int64 { direction == .backward ? p.maxTime : ~p.minTime }

    mutating func add(_ place: Place, of labels: LabelSet) {
        let i: Int
        if let known = streamIndex[labels.canonical] {
            i = known
        } else {
            i = streams.count
            var keeps: (@Sendable (Int64, [UInt8]) -> Bool)?
            if let pipeline {
                keeps = { ts, line in
                    var p = pipeline
                    var b = LabelsBuilder(labels)
                    return p.process(line, &b, timestamp: ts) != nil
                }
            }
            streams.append((labels, StreamMerger(start: start, end: end, filter: filter, keeps: keeps)))
            streamIndex[labels.canonical] = i
        }
        enqueue(place, stream: i)
    }

    /// Queues a place, unless it lies outside [start, end).
    private mutating func enqueue(_ place: Place, stream: Int) {
        guard place.minTime < end && place.maxTime >= start else { return }
        queue.push((edge(place), stream, place))
    }

    /// Reads places until the `limit` nearest entries are certain. Returns the warnings of the
    /// places that could not be read.
    mutating func run() -> [String] {
        var warnings: [String] = []
        while let next = queue.top {
            if deadline?.expired == true { break }
            if nearest.count >= limit, let threshold = nearest.top, next.edge < threshold, enoughDistinct(threshold) { break }
            queue.popTop()
            let before = streams[next.stream].merger.entries.count
            switch next.place {
            case .chunk(let ref):
                do {
                    let reader = try store.open(ref)
                    for b in reader.blocks.indices { enqueue(.storedBlock(reader, index: b, key: ref.key), stream: next.stream) }
                } catch {
                    warnings.append("chunk \(ref.key) is unreadable and was skipped: \(error)")
                }
                continue
            case .memoryBlock(let b, let encoding, let index):
                let section = "in-memory block \(index) of \(streams[next.stream].labels.canonical)"
                streams[next.stream].merger.add(block: b, encoding: encoding, section: section)
            case .storedBlock(let reader, let b, let key):
                streams[next.stream].merger.add(block: b, of: reader, key: key)
            case .headEntries(let entries, _, _):
                streams[next.stream].merger.add(entries: entries)
            }
            note(streams[next.stream].merger.entries[before...])
        }
        return warnings + streams.flatMap(\.merger.warnings)
    }

    /// Counts the entries one place added.
    private mutating func note(_ added: ArraySlice<LogEntry>) {
        placesRead += 1
        if limit == Int.max { return } // everything is read: nothing to rank
        for e in added {
            let r = rank(e.timestamp)
            if nearest.count < limit {
                nearest.push(r)
            } else if let m = nearest.top, r > m {
                nearest.replaceTop(r)
            }
        }
    }

    /// Whether at least `limit` distinct entries are at or nearer than the threshold (duplicates
    /// were counted in `nearest`).
    private func enoughDistinct(_ threshold: Int64) -> Bool {
        let t = timestamp(ofRank: threshold)
        var n = 0
        for s in streams {
            n += s.merger.distinctCount(within: t, direction: direction)
            if n >= limit { return true }
        }
        return false
    }
}

/// A binary heap: `top` is the element no other is ordered before by `by`.
struct Heap<Element> {
    private var items: [Element] = []
    private let before: (Element, Element) -> Bool

    init(by before: @escaping (Element, Element) -> Bool) { self.before = before }

    var count: Int { items.count }
    var top: Element? { items.first }

    mutating func push(_ v: Element) {
        items.append(v)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard before(items[i], items[parent]) else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    /// Removes the top element.
    mutating func popTop() {
        guard let last = items.popLast() else { return }
        if !items.isEmpty { replaceTop(last) }
    }

    /// Replaces the top element with `v`.
    mutating func replaceTop(_ v: Element) {
        guard !items.isEmpty else { return push(v) }
        items[0] = v
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && before(items[l], items[m]) { m = l }
            if r < items.count && before(items[r], items[m]) { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
    }
}
