/// A compressed or encoded input that could not be decoded. Decoders throw this, never trap.
public struct CodecError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What kind of failure, stable for tests and metrics.
    public enum Kind: String, Sendable {
        case corrupt
        case truncated
        case tooLarge
    }

    public let kind: Kind
    /// Which codec failed ("snappy", "gzip", "lz4", …).
    public let codec: String
    public let detail: String

    public init(_ kind: Kind, codec: String, _ detail: String) {
        self.kind = kind
        self.codec = codec
        self.detail = detail
    }

    public var description: String { "\(codec): \(detail)" }
}
