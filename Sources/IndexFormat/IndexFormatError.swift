import Codecs

/// An index table or manifest that could not be read, and where.
public struct IndexFormatError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// Not an index file, or a version this build cannot read.
        case notAnIndex
        /// A length, offset, count or reference is out of range, out of order, or the file ends early.
        case malformed
        /// A checksum does not match the bytes it covers.
        case checksum
    }

    public let kind: Kind
    /// What was being read ("trailer", "symbols", "series 12", "manifest", …).
    public let section: String
    public let detail: String

    public init(_ kind: Kind, section: String, _ detail: String) {
        self.kind = kind
        self.section = section
        self.detail = detail
    }

    public var description: String { "index \(section): \(detail)" }

    /// Runs a decoding step, turning a cursor's `CodecError` into a `.malformed` error for `section`.
    static func reading<T>(_ section: String, _ body: () throws -> T) throws(IndexFormatError) -> T {
        try decodingStep(body) { IndexFormatError(.malformed, section: section, $0) }
    }
}
