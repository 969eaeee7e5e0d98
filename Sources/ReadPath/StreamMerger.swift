import ChunkFormat
public import LogModel
import Storage
public import WritePath

/// Reads one stream's entries in [start, end) from every place they can be — flushed chunk files,
/// closed and open chunks in memory, the head block — and merges them into one time-ordered list
/// without duplicates (a line in memory and in a just-flushed chunk appears once). A corrupt block
/// is skipped and described in `warnings`; it never fails the query.
struct StreamMerger {
    let start: Int64
    let end: Int64
    var entries: [LogEntry] = []
    var warnings: [String] = []

    init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    mutating func add(memory s: MemorySnapshot) {
        for (i, b) in s.blocks.enumerated() {
            do {
                let raw = try b.raw(encoding: s.encoding, section: "in-memory block \(i) of \(s.labels.canonical)")
                try addRaw(raw, entries: b.entries, section: "in-memory block \(i) of \(s.labels.canonical)")
            } catch {
                warnings.append("\(error)")
            }
        }
        entries += s.headEntries
    }

    mutating func add(stored ref: ChunkRef, from store: ChunkStore) {
        let reader: ChunkReader
        do {
            reader = try store.open(ref)
        } catch {
            warnings.append("chunk \(ref.key) is unreadable and was skipped: \(error)")
            return
        }
        for (i, m) in reader.blocks.enumerated() where m.minTime < end && m.maxTime >= start {
            do {
                try addRaw(try reader.raw(ofBlock: i), entries: m.entries, section: "chunk \(ref.key) block \(i)")
            } catch {
                warnings.append("\(error) (chunk \(ref.key)); the block was skipped")
            }
        }
    }

    private mutating func addRaw(_ raw: [UInt8], entries count: Int, section: String) throws {
        let (lo, hi) = (start, end)
        var out: [LogEntry] = []
        try raw.withUnsafeBytes { r in
            try BlockReader.forEach(r, entries: count, section: section) { ts, line, meta in
                if ts >= lo && ts < hi { out.append(LogEntry(timestamp: ts, line: Array(line), metadata: meta)) }
            }
        }
        entries += out
    }

    /// The merged entries in `direction`, at most `limit` of them.
    func result(limit: Int, direction: Direction) -> [LogEntry] {
        // Stable sort by time keeps arrival order among equal timestamps; exact duplicates are then adjacent
        // within a run of equal timestamps.
        var sorted = entries.enumerated().sorted { $0.element.timestamp != $1.element.timestamp ? $0.element.timestamp < $1.element.timestamp : $0.offset < $1.offset }.map(\.element)
        var unique: [LogEntry] = []
        unique.reserveCapacity(sorted.count)
        var runStart = 0
        for e in sorted {
            if let last = unique.last, last.timestamp != e.timestamp { runStart = unique.count }
            if unique[runStart...].contains(where: { $0.line == e.line }) { continue }
            unique.append(e)
        }
        sorted = unique
        if direction == .forward { return Array(sorted.prefix(limit)) }
        return Array(sorted.suffix(limit).reversed())
    }
}
