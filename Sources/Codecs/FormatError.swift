/// Names a Skald file format in its errors ("chunk", "index", "checkpoint").
public protocol FileFormatName: Sendable {
    static var name: String { get }
}

/// A file of one of Skald's formats (or a part of one) that could not be read, and where — so
/// tools and logs can point at it. Each format names its own: `ChunkFormatError`,
/// `IndexFormatError`, `CheckpointFormatError`.
public struct FormatError<Format: FileFormatName>: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// Not a file of this format, or a version this build cannot read.
        case wrongFormat
        /// A length, offset, count or reference is out of range, or the file ends early.
        case malformed
        /// A checksum does not match the bytes it covers.
        case checksum
    }

    public let kind: Kind
    /// What was being read ("header", "block 3", "series 12", "frame at 1234", …).
    public let section: String
    public let detail: String

    public init(_ kind: Kind, section: String, _ detail: String) {
        self.kind = kind
        self.section = section
        self.detail = detail
    }

    public var description: String { "\(Format.name) \(section): \(detail)" }

    /// Runs a decoding step, turning a cursor's `CodecError` (a short or overlong field) into a
    /// `.malformed` error for `section`; an error of this format thrown inside passes through.
    public static func reading<T>(_ section: String, _ body: () throws -> T) throws(Self) -> T {
        try decodingStep(body) { Self(.malformed, section: section, $0) }
    }
}
