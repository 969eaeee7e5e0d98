/// One `retention_stream` rule: streams matching `selector` keep their chunks for `period`.
public struct RetentionStream: Sendable, Equatable {
    public var selector: String
    public var matchers: [LabelMatcher]
    public var priority: Int
    /// Nanoseconds.
    public var period: Int64

    public init(selector: String, matchers: [LabelMatcher], priority: Int, period: Int64) {
        self.selector = selector
        self.matchers = matchers
        self.priority = priority
        self.period = period
    }
}

extension Limits {
    /// How long a stream's chunks are kept, in nanoseconds; 0 keeps them for ever. Loki's rule: among
    /// the tenant's `retention_stream` rules (its override, else the global list) whose selector
    /// matches, the highest priority wins, and of equal priorities the shortest period; when none
    /// matches, the tenant's `retention_period` (its override, else the global one).
    public func retentionPeriod(for labels: LabelSet) -> Int64 {
        var chosen: RetentionStream?
        for rule in retentionStreams where rule.matchers.matches(labels) {
            if let c = chosen, c.priority > rule.priority || (c.priority == rule.priority && c.period <= rule.period) { continue }
            chosen = rule
        }
        return chosen?.period ?? retentionPeriod
    }
}
