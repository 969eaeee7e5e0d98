/// One log line as stored and returned: its timestamp, its bytes exactly as pushed, and its
/// structured metadata. Chunks decode into it, the ingester's heads hand it out, queries return it.
public struct LogEntry: Sendable, Equatable {
    /// Nanoseconds since the Unix epoch.
    public var timestamp: Int64
    /// Raw line bytes as pushed (may be invalid UTF-8; the API layer decides how to render them).
    public var line: [UInt8]
    public var metadata: [Label]

    public init(timestamp: Int64, line: [UInt8], metadata: [Label] = []) {
        self.timestamp = timestamp
        self.line = line
        self.metadata = metadata
    }
}
