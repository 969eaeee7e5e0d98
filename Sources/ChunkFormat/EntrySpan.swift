/// Where one entry's line lies in a decoded block payload, and its timestamp: what a scan keeps of
/// an entry instead of copying its line out of the block.
public struct EntrySpan: Sendable, Equatable {
    public var timestamp: Int64
    public var offset: UInt32
    public var length: UInt32

    public init(timestamp: Int64, offset: UInt32, length: UInt32) {
        self.timestamp = timestamp
        self.offset = offset
        self.length = length
    }
}
