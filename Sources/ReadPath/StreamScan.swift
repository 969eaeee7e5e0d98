#if canImport(Glibc)
import Glibc
#endif
import ChunkFormat
public import LogModel
public import LogQL
import Storage

/// One stream's entries in [start, end) from every place they are — flushed chunks, in-memory
/// blocks, the head block — handed out in time order with exact duplicates (same timestamp and line)
/// once, without copying a line: each block is decompressed when the scan reaches its time range,
/// its lines are passed in place, and it is let go once read. At most the blocks whose time ranges
/// overlap are decoded at once, so a stream of any length scans in the memory of a few blocks.
/// A block that cannot be read is skipped whole and described in the warnings.
struct StreamScan: LineScan {
    let labels: LabelSet
    let places: [ReadPlan.Place]
    let store: ChunkStore
    let start: Int64
    let end: Int64
    let filter: LineFilterMatcher?
    /// Uncompressed bytes the places hold (all of a chunk's, even outside the range).
    let cost: Int
    /// Where what the scan reads is counted (nil: nowhere).
    let stats: QueryStats?
    /// Delete requests on this stream: their lines are not handed out.
    let deleted: StreamDeletes?

    init(labels: LabelSet, places: [ReadPlan.Place], store: ChunkStore, start: Int64, end: Int64, filter: LineFilterMatcher?,
         stats: QueryStats? = nil, deleted: StreamDeletes? = nil) {
        self.labels = labels
        self.deleted = deleted
        self.stats = stats
        self.start = start
        self.end = end
        self.store = store
        self.filter = filter?.keepsEverything == true ? nil : filter
        self.places = places.filter { $0.minTime < end && $0.maxTime >= start }
        cost = self.places.reduce(0) { total, p in
            switch p {
            case .memoryBlock(let b, _, _): total + b.rawLength
            case .headEntries(let e, _, _): total + e.reduce(0) { $0 + $1.line.count }
            case .chunk(let ref): total + ref.header.rawBytes
            case .storedBlock(let r, let i, _): total + r.blocks[i].rawLength
            }
        }
    }

    func scan<V: LineVisitor>(_ visitor: inout V) -> [String] {
        var warnings: [String] = []
        var pending = Heap<ReadPlan.Place> { $0.minTime < $1.minTime }
        for p in places { pending.push(p) }
        var active: [DecodedBlock] = []
        var run = DuplicateRun()
        var duplicates = 0
        defer { if duplicates > 0 { stats?.update { $0.duplicates += duplicates } } }
        while true {
            // Open every place that may hold an entry at or before the earliest one still unread.
            var frontier = active.reduce(Int64.max) { min($0, $1.nextTime) }
            while let p = pending.top, active.isEmpty || p.minTime <= frontier {
                pending.popTop()
                // A block alone in its time span, wholly in range, with nothing to filter, may be
                // taken whole (counted from its index) without decoding it.
                if active.isEmpty, filter == nil, deleted == nil, let block = p.blockEntries, p.minTime >= start, p.maxTime < end,
                   run.timestamp < p.minTime, (pending.top?.minTime ?? .max) > p.maxTime,
                   visitor.whole(minTime: p.minTime, maxTime: p.maxTime, entries: block.entries, bytes: block.bytes) {
                    stats?.read(p, lines: block.entries, bytes: block.bytes, kept: block.entries)
                    continue
                }
                switch decode(p) {
                case .blocks(let more):
                    for b in more where b.minTime < end && b.maxTime >= start { pending.push(b) }
                case .decoded(let d):
                    if !d.isDone {
                        active.append(d)
                        frontier = min(frontier, d.nextTime)
                    }
                case .failed(let warning):
                    warnings.append(warning)
                }
            }
            guard !active.isEmpty else { break }
            var k = 0
            var other = pending.top?.minTime ?? .max
            for i in active.indices.dropFirst() {
                if active[i].nextTime < active[k].nextTime {
                    other = min(other, active[k].nextTime)
                    k = i
                } else {
                    other = min(other, active[i].nextTime)
                }
            }
            // Hand out the earliest block's entries up to where another place may come in.
            let block = active[k]
            block.raw.withUnsafeBytes { raw in
                while block.position < block.spans.count {
                    let s = block.spans[block.position]
                    if s.timestamp > other { break }
                    block.position += 1
                    let line = UnsafeRawBufferPointer(rebasing: raw[Int(s.offset)..<(Int(s.offset) + Int(s.length))])
                    if run.isDuplicate(s, line, of: block) {
                        duplicates += 1
                        continue
                    }
                    if let deleted, deleted.removes(s.timestamp, line) { continue }
                    visitor.line(s.timestamp, line)
                }
            }
            if block.isDone { active.remove(at: k) }
        }
        return warnings
    }

    private enum Decoded {
        case blocks([ReadPlan.Place])
        case decoded(DecodedBlock)
        case failed(String)
    }

    private func decode(_ place: ReadPlan.Place) -> Decoded {
        let (lo, hi) = (start, end)
        let filter = filter
        // Lines in range and their bytes, before the filter (the answer's `stats`).
        var lines = 0, bytes = 0
        /// A block's spans in range that the filter keeps; a block without the filter's literal
        /// counts as read whole. (Without a filter, the lines in range are the spans: nothing is
        /// counted line by line.)
        func spans(_ raw: [UInt8], entries: Int, section: String) throws -> [EntrySpan] {
            try raw.withUnsafeBytes { r in
                guard let filter else {
                    let kept = try BlockReader.spans(r, entries: entries, section: section) { ts, _ in ts >= lo && ts < hi }
                    lines = kept.count
                    bytes = kept.reduce(0) { $0 + Int($1.length) }
                    return kept
                }
                if !filter.mayMatch(block: r) {
                    (lines, bytes) = (entries, r.count)
                    return []
                }
                return try BlockReader.spans(r, entries: entries, section: section) { ts, line in
                    guard ts >= lo && ts < hi else { return false }
                    lines += 1
                    bytes += line.count
                    return filter.matches(line)
                }
            }
        }
        switch place {
        case .chunk(let ref):
            switch store.timedOpen(ref, stats: stats) {
            case .success(let reader): return .blocks(reader.blocks.indices.map { .storedBlock(reader, index: $0, key: ref.key) })
            case .failure(let error): return .failed("chunk \(ref.key) is unreadable and was skipped: \(error)")
            }
        case .storedBlock(let reader, let i, let key):
            do {
                let raw = try reader.raw(ofBlock: i)
                let kept = try spans(raw, entries: reader.blocks[i].entries, section: "chunk \(key) block \(i)")
                stats?.read(place, lines: lines, bytes: bytes, kept: kept.count)
                return .decoded(DecodedBlock(raw: raw, spans: kept))
            } catch {
                return .failed("\(error) (chunk \(key)); the block was skipped")
            }
        case .memoryBlock(let b, let encoding, let index):
            let section = "in-memory block \(index) of \(labels.canonical)"
            do {
                let raw = try b.raw(encoding: encoding, section: section)
                let kept = try spans(raw, entries: b.entries, section: section)
                stats?.read(place, lines: lines, bytes: bytes, kept: kept.count)
                return .decoded(DecodedBlock(raw: raw, spans: kept))
            } catch {
                return .failed("\(error)")
            }
        case .headEntries(let entries, _, _):
            var raw: [UInt8] = []
            var kept: [EntrySpan] = []
            for e in entries where e.timestamp >= lo && e.timestamp < hi {
                lines += 1
                bytes += e.line.count
                guard e.line.withUnsafeBytes({ filter?.matches($0) ?? true }) else { continue }
                kept.append(EntrySpan(timestamp: e.timestamp, offset: UInt32(raw.count), length: UInt32(e.line.count)))
                raw += e.line
            }
            stats?.read(place, lines: lines, bytes: bytes, kept: kept.count)
            return .decoded(DecodedBlock(raw: raw, spans: kept))
        }
    }
}

/// A decoded block being read: its payload, the spans of its entries in range in time order, and
/// how far the scan has got.
final class DecodedBlock {
    let raw: [UInt8]
    let spans: [EntrySpan]
    var position = 0

    init(raw: [UInt8], spans: [EntrySpan]) {
        self.raw = raw
        // Blocks are written in time order; anything else is sorted here, keeping stored order
        // among equal timestamps.
        if zip(spans, spans.dropFirst()).contains(where: { $0.timestamp > $1.timestamp }) {
            self.spans = spans.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }.map(\.element)
        } else {
            self.spans = spans
        }
    }

    var isDone: Bool { position >= spans.count }
    var nextTime: Int64 { spans[position].timestamp }
    var minTime: Int64 { spans.first?.timestamp ?? .max }
}

/// The lines handed out at the current timestamp, to drop an exact duplicate of one of them. Keeps
/// their blocks alive until the timestamp moves on.
struct DuplicateRun {
    /// The timestamp of the last line handed out.
    private(set) var timestamp = Int64.min
    private var first: (block: DecodedBlock, span: Range<Int>)?
    private var more: [(block: DecodedBlock, span: Range<Int>)] = []

    mutating func isDuplicate(_ span: EntrySpan, _ line: UnsafeRawBufferPointer, of block: DecodedBlock) -> Bool {
        let ts = span.timestamp
        let here = Int(span.offset)..<(Int(span.offset) + line.count)
        if ts != timestamp {
            timestamp = ts
            // Most lines come from the block the last one came from: then only the span changes
            // (no retain and release of the block for every line).
            if first?.block === block { first!.span = here } else { first = (block, here) }
            if !more.isEmpty { more.removeAll(keepingCapacity: true) }
            return false
        }
        if let first, Self.same(first.block, first.span, line) { return true }
        for (b, r) in more where Self.same(b, r, line) { return true }
        more.append((block, here))
        return false
    }

    private static func same(_ b: DecodedBlock, _ r: Range<Int>, _ line: UnsafeRawBufferPointer) -> Bool {
        guard r.count == line.count else { return false }
        return line.isEmpty || b.raw.withUnsafeBytes { memcmp($0.baseAddress! + r.lowerBound, line.baseAddress!, line.count) == 0 }
    }
}
