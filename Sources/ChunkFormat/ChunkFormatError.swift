import Codecs

/// A chunk file or block that could not be read. Carries where, so tools and logs can point at it.
public struct ChunkFormatError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// Not a chunk file, or a version this build cannot read.
        case notAChunk
        /// A length, offset or count is out of range, or the file ends early.
        case malformed
        /// A checksum does not match the bytes it covers.
        case checksum
    }

    public let kind: Kind
    /// What was being read ("header", "block 3", "index", …).
    public let section: String
    public let detail: String

    public init(_ kind: Kind, section: String, _ detail: String) {
        self.kind = kind
        self.section = section
        self.detail = detail
    }

    public var description: String { "chunk \(section): \(detail)" }

    /// Runs a decoding step, turning a cursor's `CodecError` (a short or overlong field) into a
    /// `ChunkFormatError` for `section`; a `ChunkFormatError` thrown inside passes through.
    static func reading<T>(_ section: String, _ body: () throws -> T) throws(ChunkFormatError) -> T {
        try decodingStep(body) { ChunkFormatError(.malformed, section: section, $0) }
    }
}
