/// A checkpoint file, or one frame of it, that could not be read, and where.
public struct CheckpointFormatError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// Not a checkpoint, or a version this build cannot read.
        case notACheckpoint
        /// A length or kind is out of range, or the file ends early.
        case malformed
        /// A checksum does not match the bytes it covers.
        case checksum
    }

    public let kind: Kind
    /// What was being read ("prefix", "frame at 1234", "end", …).
    public let section: String
    public let detail: String

    public init(_ kind: Kind, section: String, _ detail: String) {
        self.kind = kind
        self.section = section
        self.detail = detail
    }

    public var description: String { "checkpoint \(section): \(detail)" }
}
