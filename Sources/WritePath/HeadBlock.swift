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
        /// Encoded in the payload right after the entry before it in timestamp order (so its
        /// timestamp delta there is from that entry), neither with metadata: sealing copies runs of
        /// these as they lie.
        var follows = false
    }

    private(set) var writer = BlockWriter()
    private(set) var entries: [Entry] = []
    private(set) var metadata: [[Label]] = []
    /// Whether every entry arrived in timestamp order (then `writer.bytes` is already the sealed payload).
    private(set) var inOrder = true
    /// Line offset of the entry encoded last in the payload, if it has no metadata (else -1).
    private var lastEncoded: Int64 = -1
    /// Identifies this block among its stream's blocks waiting for compression.
    var sequence: UInt64 = 0

    init() {}

    /// A block that reserves room for `bytes` of payload and `count` entries up front: for a busy
    /// stream's next block, sized like the one it follows, so the payload is not copied each time
    /// its array doubles on the way to the block size.
    init(reserving bytes: Int, entries count: Int) {
        writer = BlockWriter(capacity: bytes)
        entries.reserveCapacity(count)
    }

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
        var e = Entry(timestamp: timestamp, offset: UInt32(offset), length: UInt32(line.count), metadata: m)
        e.follows = m < 0 && at > 0 && Int64(entries[at - 1].offset) == lastEncoded
        lastEncoded = m < 0 ? Int64(offset) : -1
        if at == entries.count {
            entries.append(e)
        } else {
            entries[at].follows = false // its predecessor in time order is now `e`
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
        return ChunkBlock(sealing: sortedPayload(), encoding: encoding)
    }

    /// The payload re-encoded in timestamp order. Out-of-order blocks are usually runs of in-order
    /// entries (one push's share of a stream) that arrived in the wrong order: each run's first
    /// entry is encoded afresh (its timestamp delta changes) and the rest of the run (`follows`),
    /// whose deltas stay right, is copied as it lies.
    func sortedPayload() -> BlockWriter {
        var w = BlockWriter(capacity: encodedSize + 16)
        writer.bytes.withUnsafeBytes { a in
            var i = 0
            while i < entries.count {
                let e = entries[i]
                w.append(timestamp: e.timestamp, line: UnsafeRawBufferPointer(rebasing: a[Int(e.offset)..<Int(e.offset + e.length)]),
                         metadata: e.metadata >= 0 ? metadata[Int(e.metadata)] : [])
                i += 1
                var j = i
                // (The offset test is a guard: `follows` already implies it.)
                while j < entries.count && entries[j].follows && entries[j].offset > entries[j - 1].offset { j += 1 }
                guard j > i else { continue }
                // Without metadata an entry's encoding ends one byte (the zero metadata count) after its line.
                let last = entries[j - 1]
                w.appendEncoded(UnsafeRawBufferPointer(rebasing: a[Int(e.offset + e.length) + 1..<Int(last.offset + last.length) + 1]),
                                count: j - i, first: entries[i].timestamp, last: last.timestamp)
                i = j
            }
        }
        return w
    }
}
