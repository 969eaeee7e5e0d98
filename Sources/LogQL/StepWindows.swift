/// A range aggregation's window at each step, (t − offset − range, t − offset], and the
/// elementary intervals the windows' edges cut the time line into: interval `j` is
/// (edges[j−1], edges[j]]. A window is exactly the intervals between its two edges, so per-interval
/// totals answer every step without keeping samples.
struct StepWindows {
    /// Sorted, distinct window edges.
    let edges: [Int64]
    /// Per step: the indexes in `edges` of its window's lower and upper edge.
    let lower: [Int]
    let upper: [Int]
    /// Per step: the window's bounds (lower excluded, upper included).
    let bounds: [(lo: Int64, hi: Int64)]

    init(steps: [Int64], range: Int64, offset: Int64) {
        bounds = steps.map { t in
            let hi = MetricEvaluator.minus(t, offset)
            return (MetricEvaluator.minus(hi, range), hi)
        }
        edges = Array(Set(bounds.flatMap { [$0.lo, $0.hi] })).sorted()
        var position: [Int64: Int] = [:]
        for (i, e) in edges.enumerated() { position[e] = i }
        lower = bounds.map { position[$0.lo]! }
        upper = bounds.map { position[$0.hi]! }
    }

    /// The interval holding `t` (nil: in no window).
    func interval(of t: Int64) -> Int? {
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if edges[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 && lo < edges.count ? lo : nil
    }

    /// Whether `a` and `b` lie in the same interval, or both before or both after every window.
    func sameInterval(_ a: Int64, _ b: Int64) -> Bool {
        guard let first = edges.first, let last = edges.last else { return true }
        if a <= first && b <= first || a > last && b > last { return true }
        guard let i = interval(of: a) else { return false }
        return interval(of: b) == i
    }

    /// The interval holding `t`, moving `cursor` forward from where it was (timestamps of one
    /// scan come in time order); nil when `t` lies in no window.
    func interval(of t: Int64, cursor: inout Int) -> Int? {
        if cursor > 0 && edges[cursor - 1] >= t { cursor = 0 } // (only if a caller goes back in time)
        while cursor < edges.count && edges[cursor] < t { cursor += 1 }
        return cursor > 0 && cursor < edges.count ? cursor : nil
    }
}
