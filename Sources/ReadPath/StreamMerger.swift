import ChunkFormat
public import LogModel
import Storage
public import WritePath
import LogQL

/// Collects one stream's entries in [start, end) from every place they can be — flushed chunk
/// blocks, closed and open chunks' blocks in memory, the head block — and merges them into one
/// time-ordered list without duplicates (a line in memory and in a just-flushed chunk appears once).
/// A corrupt block is skipped and described in `warnings`; it never fails the query.
struct StreamMerger {
    let start: Int64
    let end: Int64
    /// The query's line filters, run on raw line bytes as blocks decode (nil: keep every line).
    let filter: LineFilterMatcher?
    /// The rest of the query's pipeline, when it can drop lines (label filters…), with the
    /// stream's labels: a line counts only if the whole pipeline keeps it.
    let keeps: (@Sendable (Int64, [UInt8]) -> Bool)?
    var entries: [LogEntry] = []
    var warnings: [String] = []

    init(start: Int64, end: Int64, filter: LineFilterMatcher? = nil, keeps: (@Sendable (Int64, [UInt8]) -> Bool)? = nil) {
        self.start = start
        self.end = end
        self.filter = filter
        self.keeps = keeps
    }

    /// What one place gave: its entries in range that the filters keep, or why it was skipped.
    struct Decoded: Sendable {
        var entries: [LogEntry] = []
        var warning: String?
        /// Lines read (in range, before the filters) and their bytes, for the answer's `stats`.
        var linesRead = 0
        var bytesRead = 0
    }

    /// The entries in range of an in-memory compressed block. Reads nothing of `self` but its
    /// settings, so places of one query decode on several threads at once.
    func decode(block b: ChunkBlock, encoding: ChunkEncoding, section: String, beyond: Beyond? = nil) -> Decoded {
        do {
            var d = Decoded()
            d.entries = try decodeRaw(try b.raw(encoding: encoding, section: section), entries: b.entries, section: section, beyond: beyond, read: &d)
            return d
        } catch {
            return Decoded(warning: "\(error)")
        }
    }

    /// Entries already decoded (head blocks), all in range, through the filters.
    func decode(entries more: [LogEntry]) -> Decoded {
        var kept = more
        if let filter { kept = kept.filter { filter.matches($0.line) } }
        if let keeps { kept = kept.filter { keeps($0.timestamp, $0.line) } }
        return Decoded(entries: kept, linesRead: more.count, bytesRead: more.reduce(0) { $0 + $1.line.count })
    }

    /// The entries in range of block `i` of a stored chunk.
    func decode(block i: Int, of reader: ChunkReader, key: String, beyond: Beyond? = nil) -> Decoded {
        do {
            var d = Decoded()
            d.entries = try decodeRaw(try reader.raw(ofBlock: i), entries: reader.blocks[i].entries, section: "chunk \(key) block \(i)",
                                      beyond: beyond, read: &d)
            return d
        } catch {
            return Decoded(warning: "\(error) (chunk \(key)); the block was skipped")
        }
    }

    /// Takes what a place gave.
    mutating func append(_ d: Decoded) {
        entries += d.entries
        if let w = d.warning { warnings.append(w) }
    }

    /// Decodes a block payload, keeping entries in range. A block that fails part-way gives nothing.
    /// Where entries stop mattering: those strictly older (`backward`) or newer than `time` are
    /// read (counted) but not taken, because enough distinct entries at or nearer than it are
    /// already in hand.
    struct Beyond: Sendable {
        let time: Int64
        let backward: Bool
        func excludes(_ ts: Int64) -> Bool { backward ? ts < time : ts > time }
    }

    private func decodeRaw(_ raw: [UInt8], entries count: Int, section: String, beyond: Beyond?, read: inout Decoded) throws -> [LogEntry] {
        let (lo, hi) = (start, end)
        let filter = filter
        let keeps = keeps
        var out: [LogEntry] = []
        var lines = 0, bytes = 0
        try raw.withUnsafeBytes { r in
            // A block without the literal every kept line holds is not taken apart (`|= "rare"`);
            // it counts as read whole.
            if let filter, !filter.mayMatch(block: r) {
                (lines, bytes) = (count, r.count)
                return
            }
            try BlockReader.forEach(r, entries: count, section: section) { ts, line, meta in
                guard ts >= lo && ts < hi else { return }
                lines += 1
                bytes += line.count
                if let beyond, beyond.excludes(ts) { return }
                // A filtered-out line is never copied out of the block.
                if filter?.matches(line) ?? true {
                    let bytes = Array(line)
                    if let keeps, !keeps(ts, bytes) { return }
                    out.append(LogEntry(timestamp: ts, line: bytes, metadata: meta))
                }
            }
        }
        read.linesRead = lines
        read.bytesRead = bytes
        return out
    }

    /// How many distinct entries (by timestamp and line) lie at or beyond `threshold` from the
    /// query's starting edge (at or after it going forward, at or before it going backward).
    func distinctCount(within threshold: Int64, direction: Direction) -> Int {
        // Called for every stream each time the read plan considers stopping: count without
        // copying entries; only entries sharing a timestamp can be duplicates, and only those lines are compared.
        // (Entries are read in place: copying one out retains its line.)
        entries.withUnsafeBufferPointer { ep in
            var near: [(Int64, Int)] = []
            near.reserveCapacity(ep.count)
            for i in ep.indices {
                let t = ep[i].timestamp
                if direction == .forward ? t <= threshold : t >= threshold { near.append((t, i)) }
            }
            guard near.count > 1 else { return near.count }
            if !near.indices.dropFirst().allSatisfy({ near[$0 - 1] < near[$0] }) {
                near.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            }
            var count = 0
            Self.walkRuns(ep, count: near.count, at: { near[$0].1 }) { _, copy in
                if !copy { count += 1 }
                return true
            }
            return count
        }
    }

    /// The merged entries in `direction`, at most `limit` of them, and how many exact duplicates
    /// the merge dropped.
    func result(limit: Int, direction: Direction) -> (entries: [LogEntry], duplicates: Int) {
        let sorted = Self.deduplicated(entries)
        let duplicates = entries.count - sorted.count
        if direction == .forward { return (Array(sorted.prefix(limit)), duplicates) }
        return (Array(sorted.suffix(limit).reversed()), duplicates)
    }

    /// Walks `count` entries of `ep` in time order (the `k`-th is `ep[at(k)]`) and tells `body`
    /// each one's index and whether it is an exact copy of an earlier entry of its run of equal
    /// timestamps (only those can be copies; entries are read in place, as copying one out would
    /// retain its line). Stops when `body` returns false.
    static func walkRuns(_ ep: UnsafeBufferPointer<LogEntry>, count: Int, at: (Int) -> Int, _ body: (Int, _ copy: Bool) -> Bool) {
        var runStart = 0
        for k in 0..<count {
            let i = at(k)
            if k > 0 && ep[at(k - 1)].timestamp != ep[i].timestamp { runStart = k }
            let copy = k > runStart && (runStart..<k).contains { ep[at($0)].line == ep[i].line }
            if !body(i, copy) { return }
        }
    }

    /// Whether two entries of `entries` (in time order) are exact copies, read in place.
    static func hasCopies(_ entries: [LogEntry]) -> Bool {
        entries.withUnsafeBufferPointer { ep in
            var found = false
            walkRuns(ep, count: ep.count, at: { $0 }) { _, copy in
                found = copy
                return !copy
            }
            return found
        }
    }

    /// Sorted by time, arrival order kept among equal timestamps, exact duplicates dropped.
    static func deduplicated(_ entries: [LogEntry]) -> [LogEntry] {
        // A stable sort keeps arrival order among equal timestamps; exact duplicates are then in
        // the same run of equal timestamps. (Entries of one place usually arrive sorted already:
        // then nothing is copied to sort them.)
        let inOrder = entries.withUnsafeBufferPointer { ep in
            ep.indices.dropFirst().allSatisfy { ep[$0 - 1].timestamp <= ep[$0].timestamp }
        }
        if inOrder && !Self.hasCopies(entries) { return entries }
        let sorted = inOrder ? entries
            : entries.enumerated().sorted { $0.element.timestamp != $1.element.timestamp ? $0.element.timestamp < $1.element.timestamp : $0.offset < $1.offset }.map(\.element)
        var unique: [LogEntry] = []
        unique.reserveCapacity(sorted.count)
        sorted.withUnsafeBufferPointer { sp in
            walkRuns(sp, count: sp.count, at: { $0 }) { i, copy in
                if !copy { unique.append(sp[i]) }
                return true
            }
        }
        return unique
    }
}
