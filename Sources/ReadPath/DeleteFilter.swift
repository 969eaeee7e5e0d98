public import LogModel
import LogQL
public import Storage

/// The delete requests a query must honour, compiled once per query: a line is left out of every
/// answer when its stream matches a request's selector, its timestamp lies in the request's
/// [start, end] and its bytes pass the request's line filters. Processed requests keep filtering
/// too (lines still in memory when a request was processed reach the store later).
struct DeleteFilter: Sendable {
    struct Rule: Sendable {
        let matchers: [LabelMatcher]
        let filter: LineFilterMatcher?
        let start: Int64
        let end: Int64
    }

    let rules: [Rule]

    /// The requests overlapping [start, end) of a query, or nil when none does. A request whose
    /// query no longer parses (none is accepted that does not) is skipped.
    init?(_ requests: [DeleteRequest], start: Int64, end: Int64) {
        var rules: [Rule] = []
        for r in requests where r.start < end && r.end >= start {
            guard let q = try? QueryParser.parse(r.query), q.isFilterOnly else { continue }
            let filters = q.filters
            let matcher = filters.isEmpty ? nil : try? LineFilterMatcher(filters)
            guard filters.isEmpty || matcher != nil else { continue }
            rules.append(Rule(matchers: q.matchers, filter: matcher, start: r.start, end: r.end))
        }
        guard !rules.isEmpty else { return nil }
        self.rules = rules
    }

    /// What applies to one stream, or nil when nothing does.
    func forStream(_ labels: LabelSet) -> StreamDeletes? {
        let mine = rules.filter { $0.matchers.matches(labels) }
        return mine.isEmpty ? nil : StreamDeletes(rules: mine)
    }
}

/// The delete requests that apply to one stream.
struct StreamDeletes: Sendable {
    let rules: [DeleteFilter.Rule]

    /// Whether a line is deleted.
    func removes(_ ts: Int64, _ line: UnsafeRawBufferPointer) -> Bool {
        rules.contains { r in ts >= r.start && ts <= r.end && (r.filter?.matches(line) ?? true) }
    }

    func removes(_ ts: Int64, _ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { removes(ts, $0) }
    }
}
