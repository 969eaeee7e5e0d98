#if canImport(Glibc)
import Glibc
#endif
public import LogModel

/// The in-memory head of one stream: entries kept sorted by timestamp (arrival order among equal
/// timestamps). Lines are not copied: the head keeps a reference to each decoded batch buffer its
/// entries live in (`buffers`) and indexes into it, so applying a push moves no line bytes.
/// Guarded by its tenant's lock.
final class StreamHead {
    struct Entry {
        var timestamp: Int64
        /// Index into `buffers`.
        var buffer: UInt32
        var offset: UInt32
        var length: UInt32
        /// Index into `metadata`, or -1.
        var metadata: Int32
    }

    let labels: LabelSet
    private(set) var entries: [Entry] = []
    /// Decoded push (or replayed record) buffers this stream's lines point into.
    private(set) var buffers: [[UInt8]] = []
    private(set) var metadata: [[Label]] = []
    /// Highest timestamp admitted by validation (may run ahead of `entries` while a push is in the WAL).
    var admittedHighest: Int64 = .min
    /// Timestamp of the last admitted entry (ordered-writes mode).
    var admittedLast: Int64 = .min
    var rateLimiter: TokenBucket?

    init(labels: LabelSet) { self.labels = labels }

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// Registers a batch buffer this stream is about to take entries from; returns its index.
    func adopt(_ bytes: [UInt8]) -> UInt32 {
        if let last = buffers.last, last.withUnsafeBufferPointer({ $0.baseAddress }) == bytes.withUnsafeBufferPointer({ $0.baseAddress }) {
            return UInt32(buffers.count - 1)
        }
        buffers.append(bytes)
        return UInt32(buffers.count - 1)
    }

    /// Inserts one entry (its line at `range` of buffer `buffer`) unless an identical one (same
    /// timestamp and line) exists; returns whether it was added.
    @discardableResult
    func insert(timestamp: Int64, buffer: UInt32, range: Range<Int>, metadata meta: [Label]?) -> Bool {
        var at = entries.count
        if let last = entries.last, timestamp <= last.timestamp {
            // Find the end of the run of entries with this timestamp; check that run for a duplicate.
            at = upperBound(timestamp)
            var k = at - 1
            while k >= 0 && entries[k].timestamp == timestamp {
                if equalLine(entries[k], buffer: buffer, range: range) { return false }
                k -= 1
            }
        }
        var m: Int32 = -1
        if let meta {
            metadata.append(meta)
            m = Int32(metadata.count - 1)
        }
        let e = Entry(timestamp: timestamp, buffer: buffer, offset: UInt32(range.lowerBound), length: UInt32(range.count), metadata: m)
        if at == entries.count { entries.append(e) } else { entries.insert(e, at: at) }
        return true
    }

    private func equalLine(_ e: Entry, buffer: UInt32, range: Range<Int>) -> Bool {
        guard Int(e.length) == range.count else { return false }
        return buffers[Int(e.buffer)].withUnsafeBytes { a in
            buffers[Int(buffer)].withUnsafeBytes { b in
                range.count == 0 || memcmp(a.baseAddress! + Int(e.offset), b.baseAddress! + range.lowerBound, range.count) == 0
            }
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

    func lineBytes(_ e: Entry) -> ArraySlice<UInt8> {
        buffers[Int(e.buffer)][Int(e.offset)..<(Int(e.offset) + Int(e.length))]
    }

    func metadataOf(_ e: Entry) -> [Label] { e.metadata >= 0 ? metadata[Int(e.metadata)] : [] }
}

