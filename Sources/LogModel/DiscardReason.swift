/// Why entries were rejected: a stable id (also the `reason` label of `loki_discarded_samples_total`,
/// the same ids Loki uses, so dashboards keep working). Raw values reach metrics: never rename them.
public enum DiscardReason: String, Sendable, CaseIterable {
    case rateLimited = "rate_limited"
    case streamLimit = "stream_limit"
    case perStreamRateLimit = "per_stream_rate_limit"
    case lineTooLong = "line_too_long"
    case invalidLabels = "invalid_labels"
    case missingLabels = "missing_labels"
    case tooOld = "greater_than_max_sample_age"
    case tooNew = "too_far_in_future"
    case maxLabelNames = "max_label_names_per_series"
    case labelNameTooLong = "label_name_too_long"
    case labelValueTooLong = "label_value_too_long"
    case duplicateLabelNames = "duplicate_label_names"
    case outOfOrder = "out_of_order"
    case tooFarBehind = "too_far_behind"
}

/// A rejection a client sees: the reason id, Loki's message text, and whether it is a
/// limit (429, retry later) or a bad request (400, do not retry). HTTP codes are assigned at the edge.
public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: DiscardReason
    public let message: String

    public init(_ reason: DiscardReason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// True for rate and stream-count limits, which clients should retry (429).
    public var isLimit: Bool {
        reason == .rateLimited || reason == .streamLimit || reason == .perStreamRateLimit
    }

    public var description: String { message }
}
