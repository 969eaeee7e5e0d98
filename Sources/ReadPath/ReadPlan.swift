import ChunkFormat
import Dispatch
import Foundation
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

        /// A block's entry count and decompressed size (nil for places that are not one block).
        var blockEntries: (entries: Int, bytes: Int)? {
            switch self {
            case .memoryBlock(let b, _, _): (b.entries, b.rawLength)
            case .storedBlock(let r, let i, _): (r.blocks[i].entries, r.blocks[i].rawLength)
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
    /// Set once `limit` distinct entries at or nearer than a time are in hand: entries beyond it
    /// are no longer taken out of the blocks read after (they could not be in the answer).
    private var beyond: StreamMerger.Beyond?
    /// Places decoded (for tests).
    private(set) var placesRead = 0
    /// What was read, by origin, for the answer's `stats`.
    let stats: QueryStats

    /// `filter`: the query's line filters; only lines they keep count towards `limit`.
    /// Delete requests overlapping the query (their lines never count or show).
    let deletions: DeleteFilter?

    init(start: Int64, end: Int64, limit: Int, direction: Direction, store: ChunkStore, filter: LineFilterMatcher? = nil,
         pipeline: Pipeline? = nil, deadline: QueryDeadline? = nil, stats: QueryStats = QueryStats(), deletions: DeleteFilter? = nil) {
        self.deletions = deletions
        self.deadline = deadline
        self.stats = stats
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
            let deleted = deletions?.forStream(labels)
            if let pipeline {
                keeps = { ts, line in
                    if let deleted, deleted.removes(ts, line) { return false }
                    var p = pipeline
                    var b = LabelsBuilder(labels)
                    return p.process(line, &b, timestamp: ts) != nil
                }
            } else if let deleted {
                keeps = { ts, line in !deleted.removes(ts, line) }
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

    /// Processors to decode places on at once.
    static let parallelism = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// The most places decoded in one round.
    static let maxBatch = 16

    /// Reads places until the `limit` nearest entries are certain. Returns the warnings of the
    /// places that could not be read.
    ///
    /// Places are taken in rounds, nearest first, and a round's places decode on all processors at
    /// once. A round starts at one place per processor and doubles while reading goes on (up to
    /// 16): a query that stops after a few blocks (the newest 1,000 lines) reads at most a round's
    /// worth beyond what it needs, one that reads everything (a rare substring) keeps every core busy.
    /// What a round decoded is taken in the order it was queued, so the answer does not depend on it.
    mutating func run() -> [String] {
        var warnings: [String] = []
        var batch = Self.parallelism
        while let next = queue.top {
            if deadline?.expired == true { break }
            if stops(before: next.edge) { break }
            if case .chunk = next.place {
                // Chunks next in line are opened (read and checked) together, then replaced by their blocks.
                var chunks: [(stream: Int, ref: ChunkRef)] = []
                while chunks.count < batch, let n = queue.top, case .chunk(let ref) = n.place, !stops(before: n.edge) {
                    queue.popTop()
                    chunks.append((n.stream, ref))
                }
                for (i, opened) in open(chunks.map(\.ref)).enumerated() {
                    let (stream, ref) = chunks[i]
                    switch opened {
                    case .success(let reader):
                        for b in reader.blocks.indices { enqueue(.storedBlock(reader, index: b, key: ref.key), stream: stream) }
                    case .failure(let error):
                        warnings.append("chunk \(ref.key) is unreadable and was skipped: \(error)")
                    }
                }
                batch = min(batch * 2, Self.maxBatch)
                continue
            }
            var round: [(stream: Int, place: Place)] = []
            while round.count < batch, let n = queue.top, !stops(before: n.edge) {
                if case .chunk = n.place { break }
                queue.popTop()
                round.append((n.stream, n.place))
            }
            let decoded = decode(round)
            for (i, d) in decoded.enumerated() {
                count(d, of: round[i].place)
                streams[round[i].stream].merger.append(d)
                note(d.entries[...])
            }
            if limit != Int.max, nearest.count >= limit, let top = nearest.top,
               beyond.map({ rank($0.time) != top }) ?? true, enoughDistinct(top) {
                beyond = StreamMerger.Beyond(time: timestamp(ofRank: top), backward: direction == .backward)
            }
            batch = min(batch * 2, Self.maxBatch)
        }
        return warnings + streams.flatMap(\.merger.warnings)
    }

    /// Whether no place whose edge is `edge` (or farther) can hold one of the `limit` nearest entries.
    private func stops(before edge: Int64) -> Bool {
        guard nearest.count >= limit, let threshold = nearest.top, edge < threshold else { return false }
        return enoughDistinct(threshold)
    }

    /// Adds what one place gave to the stats, under its origin.
    private func count(_ d: StreamMerger.Decoded, of place: Place) {
        stats.read(place, lines: d.linesRead, bytes: d.bytesRead, kept: d.entries.count)
    }

    /// Opens chunks, on several threads when there are several.
    private func open(_ refs: [ChunkRef]) -> [Result<ChunkReader, any Error>] {
        let store = store, stats = stats
        guard refs.count > 1, Self.parallelism > 1 else { return refs.map { ref in store.timedOpen(ref, stats: stats) } }
        var out = [Result<ChunkReader, any Error>?](repeating: nil, count: refs.count)
        out.withUnsafeMutableBufferPointer { buffer in
            let slots = UncheckedSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: refs.count) { i in slots.value[i] = store.timedOpen(refs[i], stats: stats) }
        }
        return out.map { $0! }
    }

    /// Decodes a round of places, on several threads when there are several.
    private func decode(_ round: [(stream: Int, place: Place)]) -> [StreamMerger.Decoded] {
        // (Each worker reads its own item; the mergers are only read, for their settings.)
        let work = UncheckedSendable(round.map { (streams[$0.stream].merger, streams[$0.stream].labels, $0.place) })
        let beyond = beyond
        @Sendable func one(_ i: Int) -> StreamMerger.Decoded {
            let (merger, labels, place) = work.value[i]
            switch place {
            case .memoryBlock(let b, let encoding, let index):
                return merger.decode(block: b, encoding: encoding, section: "in-memory block \(index) of \(labels.canonical)", beyond: beyond)
            case .storedBlock(let reader, let b, let key):
                return merger.decode(block: b, of: reader, key: key, beyond: beyond)
            case .headEntries(let entries, _, _):
                return merger.decode(entries: entries)
            case .chunk:
                return StreamMerger.Decoded()
            }
        }
        guard round.count > 1, Self.parallelism > 1 else { return round.indices.map(one) }
        var out = [StreamMerger.Decoded](repeating: StreamMerger.Decoded(), count: round.count)
        out.withUnsafeMutableBufferPointer { buffer in
            let slots = UncheckedSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: round.count) { i in slots.value[i] = one(i) }
        }
        return out
    }

    /// Counts the entries one place added.
    private mutating func note(_ added: ArraySlice<LogEntry>) {
        placesRead += 1
        if limit == Int.max { return } // everything is read: nothing to rank
        // (Timestamps are read in place: copying an entry out would retain its line.)
        for i in added.indices {
            let r = rank(added[i].timestamp)
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
    var isEmpty: Bool { items.isEmpty }
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

    /// Removes the top element and returns it.
    mutating func pop() -> Element? {
        let first = top
        popTop()
        return first
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

extension QueryStats {
    /// One place read: `lines` in range and their `bytes` (before filters), `kept` lines the
    /// filters kept — counted under the place's origin, with its stored (compressed) size.
    func read(_ place: ReadPlan.Place, lines: Int, bytes: Int, kept: Int) {
        switch place {
        case .memoryBlock(let b, _, _): read(.memory, lines: lines, bytes: bytes, compressed: b.bytes.count, kept: kept)
        case .storedBlock(let r, let i, _): read(.store, lines: lines, bytes: bytes, compressed: r.blocks[i].length, kept: kept)
        case .headEntries: read(.head, lines: lines, bytes: bytes, kept: kept)
        case .chunk: break // opened, not read: counted by `timedOpen`
        }
    }
}

extension ChunkStore {
    /// Opens a flushed chunk, counting it (and the time it took) as downloaded in `stats`.
    func timedOpen(_ ref: ChunkRef, stats: QueryStats?) -> Result<ChunkReader, any Error> {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let opened = Result { try open(ref) }
        let dt = Int(DispatchTime.now().uptimeNanoseconds - t0)
        stats?.update { c in
            c.storeChunksDownloaded += 1
            c.storeChunksDownloadNanos += dt
        }
        return opened
    }
}
