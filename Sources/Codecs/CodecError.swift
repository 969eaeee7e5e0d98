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

/// Runs a decoding step of a file format, turning a cursor's `CodecError` (a short or overlong field)
/// into that format's own error with `wrap`; an `E` thrown inside passes through unchanged.
public func decodingStep<T, E: Error>(_ body: () throws -> T, wrap: (String) -> E) throws(E) -> T {
    do {
        return try body()
    } catch let e as E {
        throw e
    } catch let e as CodecError {
        throw wrap(e.detail)
    } catch {
        throw wrap("\(error)")
    }
}

/// `v` in lowercase hexadecimal, zero-padded to `width` digits (names, checksums in messages).
public func hexDigits(_ v: UInt64, width: Int = 0) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}
