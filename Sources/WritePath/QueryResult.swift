public import LogModel

/// One entry as a query sees it.
public typealias QueryEntry = LogEntry

/// One stream's matching entries, in the query's direction.
public struct QueryStream: Sendable {
    public var labels: LabelSet
    public var entries: [QueryEntry]

    public init(labels: LabelSet, entries: [QueryEntry]) {
        self.labels = labels
        self.entries = entries
    }
}

/// Sort order of a log query (`direction`).
public enum Direction: String, Sendable {
    case forward
    case backward
}

/// What a query asks the ingester for: streams whose labels satisfy every equality matcher.
public struct HeadQuery: Sendable {
    public var matchers: [LabelMatcher]
    /// Inclusive start, exclusive end, nanoseconds (Loki's convention).
    public var start: Int64
    public var end: Int64
    public var limit: Int
    public var direction: Direction

    public init(matchers: [LabelMatcher], start: Int64, end: Int64, limit: Int, direction: Direction) {
        self.matchers = matchers
        self.start = start
        self.end = end
        self.limit = limit
        self.direction = direction
    }

    public func matches(_ labels: LabelSet) -> Bool {
        matchers.matches(labels)
    }
}
