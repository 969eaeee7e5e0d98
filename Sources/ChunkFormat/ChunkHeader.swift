public import LogModel

/// What a chunk file says about itself, so it can be indexed (or re-indexed by the tool) from its
/// bytes alone: whose stream it is, which log records it covers, and its time range.
public struct ChunkHeader: Sendable, Equatable {
    public var encoding: ChunkEncoding
    public var tenant: String
    /// The stream's canonical label string (`{a="1", b="2"}`).
    public var labels: String
    /// Lowest and highest write-ahead-log sequence numbers whose entries are in this chunk. Replay
    /// skips a stream's records at or below the highest LSN already in a flushed chunk.
    public var minLSN: UInt64
    public var maxLSN: UInt64
    /// Over every entry of every block, nanoseconds.
    public var minTime: Int64
    public var maxTime: Int64

    public init(encoding: ChunkEncoding, tenant: String, labels: String, minLSN: UInt64, maxLSN: UInt64, minTime: Int64, maxTime: Int64) {
        self.encoding = encoding
        self.tenant = tenant
        self.labels = labels
        self.minLSN = minLSN
        self.maxLSN = maxLSN
        self.minTime = minTime
        self.maxTime = maxTime
    }
}
