/// A tenant ("org") id, validated by Loki's rules. Because a valid id can never be `.`/`..` nor
/// contain `/`, it is safe to use as a single path component under the data directory.
public struct TenantID: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let value: String

    /// Loki's (dskit's) maximum tenant id length.
    public static let maxLength = 150
    /// The tenant everything belongs to when `auth_enabled: false`.
    public static let fake = TenantID(unchecked: "fake")

    public struct ValidationError: Error, Equatable, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    init(unchecked value: String) { self.value = value }

    public init(_ value: String) throws(ValidationError) {
        if value.isEmpty { throw ValidationError(message: "no org id") }
        let bytes = value.utf8
        if bytes.count > TenantID.maxLength {
            throw ValidationError(message: "tenant ID is too long: max \(TenantID.maxLength) characters")
        }
        if value == "." || value == ".." {
            throw ValidationError(message: "tenant ID is '.' or '..'")
        }
        for ch in value.unicodeScalars where !TenantID.allowed(ch) {
            throw ValidationError(message: "tenant ID '\(value)' contains unsupported character '\(ch)'")
        }
        self.value = value
    }

    /// `[A-Za-z0-9]` and the seven specials `! - _ . * ' ( )`.
    static func allowed(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "!", "-", "_", ".", "*", "'", "(", ")": true
        default: false
        }
    }

    public var description: String { value }
    public static func < (a: TenantID, b: TenantID) -> Bool { a.value < b.value }
}
