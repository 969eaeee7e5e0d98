public import LogModel

/// One log deletion request compiled: a stream selector, optional line filters, and the time range
/// [start, end] (both included). Shared by the querier (which hides the lines) and the compactor
/// (which removes them from the chunk files), so both read a request the same way.
public struct LineDeletion: Sendable {
    public let matchers: [LabelMatcher]
    public let filter: LineFilterMatcher?
    public let start: Int64
    public let end: Int64

    /// nil when `query` is not a stream selector with line filters only (the delete API accepts no
    /// other; a stored one that no longer parses is skipped rather than deleting too much).
    public init?(query: String, start: Int64, end: Int64) {
        guard let q = try? QueryParser.parse(query), q.isFilterOnly else { return nil }
        let filters = q.filters
        if filters.isEmpty {
            filter = nil
        } else {
            guard let m = try? LineFilterMatcher(filters) else { return nil }
            filter = m
        }
        matchers = q.matchers
        self.start = start
        self.end = end
    }

    public func removes(_ ts: Int64, _ line: UnsafeRawBufferPointer) -> Bool {
        ts >= start && ts <= end && (filter?.matches(line) ?? true)
    }

    public func removes(_ ts: Int64, _ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { removes(ts, $0) }
    }
}
