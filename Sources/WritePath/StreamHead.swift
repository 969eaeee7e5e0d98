public import LogModel

/// The in-memory head of one stream: entries kept sorted by timestamp (arrival order among equal
/// timestamps), line bytes in one append-only buffer. Guarded by its tenant's lock.
final class StreamHead {
    struct Entry {
        var timestamp: Int64
        var offset: Int
        var length: Int32
        /// Index into `metadata`, or -1.
        var metadata: Int32
    }

    let labels: LabelSet
    private(set) var entries: [Entry] = []
    private(set) var bytes: [UInt8] = []
    private(set) var metadata: [[Label]] = []
    /// Highest timestamp admitted by validation (may run ahead of `entries` while a push is in the WAL).
    var admittedHighest: Int64 = .min
    /// Timestamp and line of the last admitted entry (ordered-writes mode).
    var admittedLast: Int64 = .min
    var rateLimiter: TokenBucket?

    init(labels: LabelSet) { self.labels = labels }

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var byteCount: Int { bytes.count }

    /// Inserts one entry unless an identical one (same timestamp and line) exists; returns whether it was added.
    @discardableResult
    func insert(timestamp: Int64, line: UnsafeRawBufferPointer, metadata meta: [Label]?) -> Bool {
        var at = entries.count
        if let last = entries.last, timestamp <= last.timestamp {
            // Find the end of the run of entries with this timestamp; check that run for a duplicate.
            at = upperBound(timestamp)
            var k = at - 1
            while k >= 0 && entries[k].timestamp == timestamp {
                if equalLine(entries[k], line) { return false }
                k -= 1
            }
        }
        let e = Entry(timestamp: timestamp, offset: bytes.count, length: Int32(line.count),
                      metadata: meta.map { m in metadata.append(m); return Int32(metadata.count - 1) } ?? -1)
        bytes.append(contentsOf: line)
        if at == entries.count { entries.append(e) } else { entries.insert(e, at: at) }
        return true
    }

    private func equalLine(_ e: Entry, _ line: UnsafeRawBufferPointer) -> Bool {
        guard Int(e.length) == line.count else { return false }
        return bytes.withUnsafeBytes { b in
            line.count == 0 || memcmp(b.baseAddress! + e.offset, line.baseAddress!, line.count) == 0
        }
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

    func line(_ e: Entry) -> String {
        bytes.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[e.offset..<(e.offset + Int(e.length))]), as: UTF8.self) }
    }

    func lineBytes(_ e: Entry) -> ArraySlice<UInt8> { bytes[e.offset..<(e.offset + Int(e.length))] }

    func metadataOf(_ e: Entry) -> [Label] { e.metadata >= 0 ? metadata[Int(e.metadata)] : [] }
}

#if canImport(Glibc)
import Glibc
#endif
