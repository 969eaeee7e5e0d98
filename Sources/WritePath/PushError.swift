/// Why a push did not fully succeed. The API layer maps `kind` to an HTTP status (400/401/413/429/503).
public struct PushError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Malformed body or invalid entries (some valid entries may have been stored): 400.
        case badRequest
        /// A rate or stream-count limit: retry later: 429.
        case limited
        /// The body (compressed or not) is over the size cap: 413.
        case tooLarge
        /// The server cannot take writes now (shutting down, volume full, log failed): 503.
        case unavailable
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
