/// What an index table keeps about one chunk: enough to prune by time, answer `index/stats`, skip
/// already-flushed log records on replay, and find and check the file (its key is derived from the
/// series, the time range and the checksum).
public struct IndexedChunk: Sendable, Equatable, Hashable {
    public var minTime: Int64
    public var maxTime: Int64
    public var minLSN: UInt64
    public var maxLSN: UInt64
    public var entries: Int
    public var rawBytes: Int
    /// The chunk file's size in bytes.
    public var size: Int
    /// The chunk file's whole-file CRC32C.
    public var checksum: UInt32
    /// The chunk's block encoding byte (as in its file's prefix).
    public var encoding: UInt8

    public init(minTime: Int64, maxTime: Int64, minLSN: UInt64, maxLSN: UInt64, entries: Int, rawBytes: Int, size: Int,
                checksum: UInt32, encoding: UInt8) {
        self.minTime = minTime
        self.maxTime = maxTime
        self.minLSN = minLSN
        self.maxLSN = maxLSN
        self.entries = entries
        self.rawBytes = rawBytes
        self.size = size
        self.checksum = checksum
        self.encoding = encoding
    }

    /// Whether the chunk can hold entries in [start, end).
    public func overlaps(start: Int64, end: Int64) -> Bool { minTime < end && maxTime >= start }

    /// Chunks sort by min time, then max time, then checksum: one order for writer and reader.
    static func ordered(_ a: IndexedChunk, _ b: IndexedChunk) -> Bool {
        (a.minTime, a.maxTime, a.checksum) < (b.minTime, b.maxTime, b.checksum)
    }
}
