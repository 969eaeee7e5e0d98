/// A decoded push request, kept close to the wire for speed: line bytes stay in one shared buffer
/// and entries point into it by range, so decoding a 1 MB batch allocates per stream, not per line.
public struct PushBatch: Sendable {
    /// Backing bytes every `PushEntry.line` range points into.
    public var bytes: [UInt8]
    public var streams: [PushStream]
    /// Structured metadata, indexed by `PushEntry.metadata` (most entries have none).
    public var metadata: [[Label]]

    public init(bytes: [UInt8] = [], streams: [PushStream] = [], metadata: [[Label]] = []) {
        self.bytes = bytes
        self.streams = streams
        self.metadata = metadata
    }

    public var entryCount: Int { streams.reduce(0) { $0 + $1.entries.count } }
    /// Sum of line lengths: what Loki's rate limits and `bytes_received` count.
    public var lineBytes: Int { streams.reduce(0) { $0 + $1.lineBytes } }

    /// The bytes of one entry's line.
    @inlinable
    public func line(_ e: PushEntry) -> ArraySlice<UInt8> { bytes[e.line] }
}

/// One stream of a push: its label string exactly as sent, and its entries.
public struct PushStream: Sendable {
    public var labels: String
    public var entries: [PushEntry]

    public init(labels: String, entries: [PushEntry] = []) {
        self.labels = labels
        self.entries = entries
    }

    public var lineBytes: Int { entries.reduce(0) { $0 + $1.line.count } }
}

/// One log line: nanosecond timestamp, a range of `PushBatch.bytes`, optional metadata index.
public struct PushEntry: Sendable, Equatable {
    public var timestamp: Int64
    public var line: Range<Int>
    /// Index into `PushBatch.metadata`, or -1 when the entry has no structured metadata.
    public var metadata: Int32

    public init(timestamp: Int64, line: Range<Int>, metadata: Int32 = -1) {
        self.timestamp = timestamp
        self.line = line
        self.metadata = metadata
    }
}

/// Builds a `PushBatch` from Swift values (tests, the bench client, JSON decoding).
public struct PushBatchBuilder {
    public private(set) var batch = PushBatch()

    public init(reservingCapacity: Int = 0) { batch.bytes.reserveCapacity(reservingCapacity) }

    public mutating func stream(_ labels: String) {
        batch.streams.append(PushStream(labels: labels))
    }

    public mutating func entry<C: Collection>(_ timestamp: Int64, _ line: C, metadata: [Label] = []) where C.Element == UInt8 {
        let start = batch.bytes.count
        batch.bytes.append(contentsOf: line)
        var m: Int32 = -1
        if !metadata.isEmpty {
            m = Int32(batch.metadata.count)
            batch.metadata.append(metadata)
        }
        batch.streams[batch.streams.count - 1].entries.append(PushEntry(timestamp: timestamp, line: start..<batch.bytes.count, metadata: m))
    }

    public mutating func entry(_ timestamp: Int64, _ line: String, metadata: [Label] = []) {
        entry(timestamp, line.utf8, metadata: metadata)
    }
}
