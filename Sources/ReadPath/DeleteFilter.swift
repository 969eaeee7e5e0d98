public import LogModel
import LogQL
public import Storage

/// The delete requests a query must honour, compiled once per query (`LineDeletion`): a line is
/// left out of every answer when its stream matches a request's selector, its timestamp lies in the
/// request's [start, end] and its bytes pass the request's line filters. Processed requests keep
/// filtering too (lines still in memory when a request was processed reach the store later).
struct DeleteFilter: Sendable {
    let rules: [LineDeletion]

    /// The requests overlapping [start, end) of a query, or nil when none does.
    init?(_ requests: [DeleteRequest], start: Int64, end: Int64) {
        let rules = requests.filter { $0.start < end && $0.end >= start }.compactMap { LineDeletion(query: $0.query, start: $0.start, end: $0.end) }
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
    let rules: [LineDeletion]

    /// Whether a line is deleted.
    func removes(_ ts: Int64, _ line: UnsafeRawBufferPointer) -> Bool { rules.contains { $0.removes(ts, line) } }

    func removes(_ ts: Int64, _ line: [UInt8]) -> Bool { line.withUnsafeBytes { removes(ts, $0) } }
}
