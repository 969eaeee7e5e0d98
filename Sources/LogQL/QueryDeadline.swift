import Foundation

/// When a query must stop (`limits_config.query_timeout`): the read loops check it between
/// streams and blocks, stop reading once it has passed, and the query answers Loki's 504.
public final class QueryDeadline: Sendable {
    /// Monotonic nanoseconds (the wall clock may jump).
    let at: UInt64

    /// `seconds` from now; 0 or less: never.
    public init(seconds: Double) {
        at = seconds > 0 ? DispatchTime.now().uptimeNanoseconds &+ UInt64(seconds * 1e9) : .max
    }

    public var expired: Bool { at != .max && DispatchTime.now().uptimeNanoseconds >= at }

    /// Loki's words for a query stopped by its timeout (a 504).
    public static let message = "Request timed out, decrease the duration of the request or add more label matchers (prefer exact match over regex match) to reduce the amount of data processed."
}
