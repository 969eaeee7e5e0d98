/// The range aggregations' functions over one window's samples (timestamps in nanoseconds), as
/// Loki 2.8 computes them — including `rate_counter`'s extrapolation, whose boundary arithmetic
/// mixes nanosecond timestamps with millisecond ranges exactly as Loki 2.8 does.
enum RangeFunctions {
    static func evaluate(_ op: RangeAggregation.Op, _ s: ArraySlice<(t: Int64, v: Double)>, range: Int64,
                         unwrapped: Bool, parameter: Double?) -> Double {
        let seconds = Double(range) / 1e9
        switch op {
        case .countOverTime, .absentOverTime: return fromTotals(op, count: s.count, total: 0, range: range)
        case .rate: return unwrapped ? sum(s) / seconds : fromTotals(op, count: s.count, total: 0, range: range)
        case .bytesRate, .bytesOverTime: return fromTotals(op, count: s.count, total: sum(s), range: range)
        case .sumOverTime: return sum(s)
        case .avgOverTime:
            var mean = 0.0, count = 0.0
            for p in s {
                count += 1
                if mean.isInfinite {
                    if p.v.isInfinite && (mean > 0) == (p.v > 0) { continue }
                    if !p.v.isInfinite && !p.v.isNaN { continue }
                }
                mean += p.v / count - mean / count
            }
            return mean
        case .maxOverTime:
            var m = s.first!.v
            for p in s where p.v > m || m.isNaN { m = p.v }
            return m
        case .minOverTime:
            var m = s.first!.v
            for p in s where p.v < m || m.isNaN { m = p.v }
            return m
        case .stdvarOverTime, .stddevOverTime:
            var aux = 0.0, count = 0.0, mean = 0.0
            for p in s {
                count += 1
                let delta = p.v - mean
                mean += delta / count
                aux += delta * (p.v - mean)
            }
            return op == .stdvarOverTime ? aux / count : (aux / count).squareRoot()
        case .quantileOverTime: return quantile(parameter ?? 0, s.map(\.v))
        case .firstOverTime: return s.first!.v
        case .lastOverTime: return s.last!.v
        case .rateCounter: return extrapolatedRate(s, range: range)
        }
    }

    /// The aggregations a window's count of lines and total of values decide (`count_over_time`,
    /// `rate` and `bytes_*` without `unwrap`, `absent_over_time`), from those totals. The same
    /// numbers `evaluate` gives: counts and byte totals are whole numbers, exact in any order.
    static func fromTotals(_ op: RangeAggregation.Op, count: Int, total: Double, range: Int64) -> Double {
        let seconds = Double(range) / 1e9
        switch op {
        case .countOverTime: return Double(count)
        case .rate: return Double(count) / seconds
        case .bytesRate: return total / seconds
        case .bytesOverTime: return total
        default: return 1 // absent_over_time
        }
    }

    /// Whether `fromTotals` computes `op` (without `unwrap`).
    static func decidedByTotals(_ op: RangeAggregation.Op) -> Bool {
        [.countOverTime, .rate, .bytesRate, .bytesOverTime, .absentOverTime].contains(op)
    }

    static func sum(_ s: ArraySlice<(t: Int64, v: Double)>) -> Double {
        var total = 0.0
        for p in s { total += p.v }
        return total
    }

    /// Prometheus's quantile: sorted values, linear interpolation between the two nearest ranks.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        if values.isEmpty { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let v = values.sorted { $0 < $1 || ($0.isNaN && !$1.isNaN) }
        let n = Double(v.count)
        let rank = q * (n - 1)
        let lower = max(0, rank.rounded(.down))
        let upper = min(n - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return v[Int(lower)] * (1 - weight) + v[Int(upper)] * weight
    }

    /// Loki 2.8's `extrapolatedRate` for `rate_counter` (a counter: resets add the value before them).
    static func extrapolatedRate(_ s: ArraySlice<(t: Int64, v: Double)>, range: Int64) -> Double {
        guard s.count >= 2, let first = s.first, let last = s.last else { return 0 }
        let rangeStart = first.t - range / 1_000_000
        let rangeEnd = last.t
        var result = last.v - first.v
        var lastValue = 0.0
        for p in s {
            if p.v < lastValue { result += lastValue }
            lastValue = p.v
        }
        var durationToStart = Double(first.t - rangeStart) / 1000
        let durationToEnd = Double(rangeEnd - last.t) / 1000
        let sampled = Double(last.t - first.t) / 1000
        let average = sampled / Double(s.count - 1)
        if result > 0 && first.v >= 0 {
            let toZero = sampled * (first.v / result)
            if toZero < durationToStart { durationToStart = toZero }
        }
        let threshold = average * 1.1
        var interval = sampled
        interval += durationToStart < threshold ? durationToStart : average / 2
        interval += durationToEnd < threshold ? durationToEnd : average / 2
        result *= interval / sampled
        return result / (Double(range) / 1e9)
    }
}
