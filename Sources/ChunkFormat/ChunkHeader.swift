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
    /// Entries and raw (uncompressed block payload) bytes over all blocks: what `index/stats` reports
    /// without opening the file. `ChunkFile.encode` always writes the sums of its blocks.
    public var entries: Int
    public var rawBytes: Int

    public init(encoding: ChunkEncoding, tenant: String, labels: String, minLSN: UInt64, maxLSN: UInt64, minTime: Int64, maxTime: Int64,
                entries: Int = 0, rawBytes: Int = 0) {
        self.entries = entries
        self.rawBytes = rawBytes
        self.encoding = encoding
        self.tenant = tenant
        self.labels = labels
        self.minLSN = minLSN
        self.maxLSN = maxLSN
        self.minTime = minTime
        self.maxTime = maxTime
    }

    /// This header with `entries` and `rawBytes` summed from `blocks`.
    public func counting(_ blocks: [ChunkBlock]) -> ChunkHeader {
        var h = self
        h.entries = blocks.reduce(0) { $0 + $1.entries }
        h.rawBytes = blocks.reduce(0) { $0 + $1.rawLength }
        return h
    }
}
