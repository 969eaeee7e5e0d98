public import LogModel
import Codecs

/// Builds one block's raw (uncompressed) payload, entry by entry, in the order they should be
/// read back (callers append in timestamp order). See docs/format/chunk.md, "Block payload".
public struct BlockWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var entries = 0
    public private(set) var minTime: Int64 = .max
    public private(set) var maxTime: Int64 = .min
    private var previous: Int64 = 0

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { entries == 0 }

    /// Appends one entry and returns the offset of its line bytes in `bytes` (so an ingester's head
    /// block can use the payload under construction as its line store). The first entry's timestamp
    /// is stored as a delta from 0, the rest as deltas from the previous one (zigzag, so an
    /// out-of-order append still round-trips).
    @discardableResult
    public mutating func append(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: [Label]) -> Int {
        let delta = timestamp &- previous
        previous = timestamp
        // The two varints go through a stack buffer and reach `bytes` in one append: byte-by-byte
        // appends (a uniqueness check and a capacity check each) were a tenth of the ingest CPU.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { s in
            var n = storeUVarint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)), at: s.baseAddress!)
            n += storeUVarint(UInt64(line.count), at: s.baseAddress! + n)
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[0..<n]))
        }
        let lineOffset = bytes.count
        bytes.append(contentsOf: line)
        if metadata.isEmpty {
            bytes.append(0)
        } else {
            bytes.appendUVarint(UInt64(metadata.count))
            for m in metadata {
                appendString(m.name)
                appendString(m.value)
            }
        }
        entries += 1
        if timestamp < minTime { minTime = timestamp }
        if timestamp > maxTime { maxTime = timestamp }
        return lineOffset
    }

    /// Appends entries already encoded back to back by another writer, copied as they are: `count`
    /// entries, timestamps `first...last` in order, each delta-encoded from the one before it. The
    /// caller has just appended the entry that precedes them in that writer (so the first delta is
    /// right) — this is how an out-of-order head block is re-sealed in timestamp order one in-order
    /// run at a time instead of entry by entry.
    public mutating func appendEncoded(_ encoded: UnsafeRawBufferPointer, count: Int, first: Int64, last: Int64) {
        guard count > 0 else { return }
        bytes.append(contentsOf: encoded)
        entries += count
        if first < minTime { minTime = first }
        if last > maxTime { maxTime = last }
        previous = last
    }

    public mutating func append(_ e: LogEntry) {
        _ = e.line.withUnsafeBytes { append(timestamp: e.timestamp, line: $0, metadata: e.metadata) }
    }

    private mutating func appendString(_ s: String) {
        var s = s
        s.withUTF8 { u in
            bytes.appendUVarint(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }
}
