#if canImport(Glibc)
import Glibc
#endif
public import ChunkFormat
public import LogModel

/// A stream's newest, uncompressed block: line bytes copied into one arena (so the decoded push
/// buffer can be freed at once), and entry descriptors kept sorted by timestamp (arrival order among
/// equal timestamps). Sealed into a compressed `ChunkBlock` at `chunk_block_size`.
struct HeadBlock {
    struct Entry {
        var timestamp: Int64
        var offset: UInt32
        var length: UInt32
        /// Index into `metadata`, or -1.
        var metadata: Int32
    }

    private(set) var arena: [UInt8] = []
    private(set) var entries: [Entry] = []
    private(set) var metadata: [[Label]] = []
    /// The block payload's size once encoded (line bytes plus about 4 bytes of framing per entry).
    private(set) var encodedSize = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var minTime: Int64 { entries.first?.timestamp ?? 0 }
    var maxTime: Int64 { entries.last?.timestamp ?? 0 }

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
            encodedSize += meta.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 }
        }
        if arena.capacity == 0 { arena.reserveCapacity(16 * 1024) }
        let e = Entry(timestamp: timestamp, offset: UInt32(arena.count), length: UInt32(line.count), metadata: m)
        arena.append(contentsOf: line)
        if at == entries.count { entries.append(e) } else { entries.insert(e, at: at) }
        encodedSize += line.count + 4
        return true
    }

    private func equalLine(_ e: Entry, _ line: UnsafeRawBufferPointer) -> Bool {
        guard Int(e.length) == line.count else { return false }
        return line.count == 0 || arena.withUnsafeBytes { a in memcmp(a.baseAddress! + Int(e.offset), line.baseAddress!, line.count) == 0 }
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

    /// Entries in [start, end), copied out.
    func entries(start: Int64, end: Int64) -> [LogEntry] {
        let lo = lowerBound(start), hi = lowerBound(end)
        guard lo < hi else { return [] }
        return arena.withUnsafeBytes { a in
            (lo..<hi).map { i in
                let e = entries[i]
                return LogEntry(timestamp: e.timestamp, line: Array(UnsafeRawBufferPointer(rebasing: a[Int(e.offset)..<Int(e.offset + e.length)])),
                                metadata: e.metadata >= 0 ? metadata[Int(e.metadata)] : [])
            }
        }
    }

    /// Compresses the block (entries in timestamp order).
    func seal(encoding: ChunkEncoding) -> ChunkBlock {
        var w = BlockWriter(capacity: encodedSize + 16)
        arena.withUnsafeBytes { a in
            for e in entries {
                w.append(timestamp: e.timestamp, line: UnsafeRawBufferPointer(rebasing: a[Int(e.offset)..<Int(e.offset + e.length)]),
                         metadata: e.metadata >= 0 ? metadata[Int(e.metadata)] : [])
            }
        }
        return ChunkBlock(sealing: w, encoding: encoding)
    }
}
