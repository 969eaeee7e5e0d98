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
        bytes.appendUVarint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)))
        bytes.appendUVarint(UInt64(line.count))
        let lineOffset = bytes.count
        bytes.append(contentsOf: line)
        bytes.appendUVarint(UInt64(metadata.count))
        for m in metadata {
            appendString(m.name)
            appendString(m.value)
        }
        entries += 1
        if timestamp < minTime { minTime = timestamp }
        if timestamp > maxTime { maxTime = timestamp }
        return lineOffset
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
