import LogModel

/// A tenant's `max_query_lookback` at the time of a request, applied as Loki 2.8 applies it: a
/// range reaching further back than `now − lookback` is cut at that point; a range lying wholly
/// before it is answered empty by the endpoints Loki's query frontend answers empty
/// (`query_range`, instant metric queries, `labels`, `label/<n>/values`, `series`) and refused by
/// the others (instant log queries, `index/stats`) — with the "no longer available" text that
/// Loki also gives for a reversed range on the metadata endpoints, with or without a lookback.
struct QueryLookback {
    /// The oldest time a query may see (nil: no lookback limit).
    let earliest: Int64?
    /// Loki's 400 text, naming the limit as a Go duration (`0s`, `720h0m0s`).
    let refusal: String

    init(_ limits: Limits, now: Int64) {
        earliest = limits.maxQueryLookback > 0 ? now - limits.maxQueryLookback : nil
        refusal = "this data is no longer available, it is past now - max_query_lookback (\(TimeParser.formatDuration(limits.maxQueryLookback)))"
    }

    /// Whether a range ending at `end` lies wholly before the oldest time a query may see.
    func isWhollyPast(end: Int64) -> Bool {
        guard let earliest else { return false }
        return end < earliest
    }

    /// `start`, moved up to the oldest time a query may see.
    func clamp(_ start: Int64) -> Int64 {
        guard let earliest else { return start }
        return max(start, earliest)
    }
}
