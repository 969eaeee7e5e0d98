#if canImport(Glibc)
import Glibc
#endif
public import ChunkFormat
public import LogModel

/// A stream's newest, uncompressed block. Entries are encoded straight into the block payload as
/// they arrive (`writer`), which doubles as the line store, so the decoded push buffer can be freed
/// at once and, when entries arrive in time order (the usual case), sealing compresses the payload
/// as it stands. Entry descriptors are kept sorted by timestamp (arrival order among equal
/// timestamps) for queries; an out-of-order arrival makes sealing re-encode in sorted order.
struct HeadBlock {
    struct Entry {
        var timestamp: Int64
        /// Where the line bytes are in `writer.bytes`.
        var offset: UInt32
        var length: UInt32
        /// Index into `metadata`, or -1.
        var metadata: Int32
    }

    private(set) var writer = BlockWriter()
    private(set) var entries: [Entry] = []
    private(set) var metadata: [[Label]] = []
    /// Whether every entry arrived in timestamp order (then `writer.bytes` is already the sealed payload).
    private(set) var inOrder = true
    /// Identifies this block among its stream's blocks waiting for compression.
    var sequence: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var minTime: Int64 { entries.first?.timestamp ?? 0 }
    var maxTime: Int64 { entries.last?.timestamp ?? 0 }
    /// The block payload's size as encoded so far.
    var encodedSize: Int { writer.bytes.count }
    /// What the block occupies in memory: its buffers' capacities, not just what they hold (the
    /// memory budget must see what the process pays for).
    var memoryBytes: Int {
        writer.bytes.capacity + entries.capacity * MemoryLayout<Entry>.stride + metadata.count * 64
    }

    /// Inserts one entry unless an identical one (same timestamp and line) is already here; returns
    /// whether it was added.
    mutating func insert(timestamp: Int64, line: UnsafeRawBufferPointer, metadata meta: [Label]?) -> Bool {
        var at = entries.count
        if let last = entries.last, timestamp <= last.timestamp {
            at = upperBound(timestamp)
            var k = at - 1
            while k >= 0 && entries[k].timestamp == timestamp {
                if equalLine(entries[k], line) { return false }
                k -= 1
            }
        }
        var m: Int32 = -1
        if let meta, !meta.isEmpty {
            metadata.append(meta)
            m = Int32(metadata.count - 1)
        }
        // Start small: with thousands of slow streams, a generous first buffer per stream is most
        // of the heads' memory. The array doubles as it fills.
        if writer.bytes.capacity == 0 { writer = BlockWriter(capacity: 2048) }
        let offset = writer.append(timestamp: timestamp, line: line, metadata: meta ?? [])
        let e = Entry(timestamp: timestamp, offset: UInt32(offset), length: UInt32(line.count), metadata: m)
        if at == entries.count {
            entries.append(e)
        } else {
            entries.insert(e, at: at)
            inOrder = false
        }
        return true
    }

    private func equalLine(_ e: Entry, _ line: UnsafeRawBufferPointer) -> Bool {
        guard Int(e.length) == line.count else { return false }
        return line.count == 0 || writer.bytes.withUnsafeBytes { a in memcmp(a.baseAddress! + Int(e.offset), line.baseAddress!, line.count) == 0 }
    }

    /// First index whose timestamp is > `t`.
    func upperBound(_ t: Int64) -> Int {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].timestamp <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// First index whose timestamp is >= `t`.
    func lowerBound(_ t: Int64) -> Int {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].timestamp < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// How many entries lie in [start, end), and their line bytes (nothing copied).
    func count(start: Int64, end: Int64) -> (entries: Int, bytes: Int) {
        let lo = lowerBound(start), hi = lowerBound(end)
        guard lo < hi else { return (0, 0) }
        return (hi - lo, entries[lo..<hi].reduce(0) { $0 + Int($1.length) })
    }

    /// Entries in [start, end), copied out.
    func entries(start: Int64, end: Int64) -> [LogEntry] {
        let lo = lowerBound(start), hi = lowerBound(end)
        guard lo < hi else { return [] }
        return writer.bytes.withUnsafeBytes { a in
            (lo..<hi).map { i in
                let e = entries[i]
                return LogEntry(timestamp: e.timestamp, line: Array(UnsafeRawBufferPointer(rebasing: a[Int(e.offset)..<Int(e.offset + e.length)])),
                                metadata: e.metadata >= 0 ? metadata[Int(e.metadata)] : [])
            }
        }
    }

    /// Compresses the block, entries in timestamp order.
    func seal(encoding: ChunkEncoding) -> ChunkBlock {
        if inOrder { return ChunkBlock(sealing: writer, encoding: encoding) }
        var w = BlockWriter(capacity: encodedSize + 16)
        writer.bytes.withUnsafeBytes { a in
            for e in entries {
                w.append(timestamp: e.timestamp, line: UnsafeRawBufferPointer(rebasing: a[Int(e.offset)..<Int(e.offset + e.length)]),
                         metadata: e.metadata >= 0 ? metadata[Int(e.metadata)] : [])
            }
        }
        return ChunkBlock(sealing: w, encoding: encoding)
    }
}
