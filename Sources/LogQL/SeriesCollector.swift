public import LogModel

/// The samples of a range aggregation gathered into series by their labels: either every sample
/// (the functions that need them) or, for aggregations decided by a count and a total, one count
/// and one total per series and elementary interval of the step windows (`StepWindows`). One
/// collector per worker; `merge` joins them in scan order.
struct SeriesCollector {
    /// Intervals per series (0: keep samples instead).
    let intervals: Int
    private(set) var index: [LabelSet: Int] = [:]
    private(set) var labels: [LabelSet] = []
    var points: [[(t: Int64, v: Double)]] = []
    /// Series `k`'s interval `j` is at `k * intervals + j`.
    var counts: [Int] = []
    var totals: [Double] = []
    var warnings: [String] = []

    init(intervals: Int) { self.intervals = intervals }

    /// The series with these labels, added if new.
    mutating func series(_ l: LabelSet) -> Int {
        if let k = index[l] { return k }
        let k = labels.count
        index[l] = k
        labels.append(l)
        if intervals > 0 {
            counts += repeatElement(0, count: intervals)
            totals += repeatElement(0, count: intervals)
        } else {
            points.append([])
        }
        return k
    }

    mutating func add(_ k: Int, t: Int64, v: Double, interval: Int) {
        if intervals > 0 {
            counts[k * intervals + interval] += 1
            totals[k * intervals + interval] += v
        } else {
            points[k].append((t, v))
        }
    }

    /// Adds `n` lines of one sample each to series `k`'s interval (a block counted whole).
    mutating func add(_ k: Int, lines n: Int, interval: Int) {
        counts[k * intervals + interval] += n
        totals[k * intervals + interval] += Double(n)
    }

    /// Series `k`'s counts and totals, interval by interval.
    func counts(of k: Int) -> ArraySlice<Int> { counts[(k * intervals)..<((k + 1) * intervals)] }
    func totals(of k: Int) -> ArraySlice<Double> { totals[(k * intervals)..<((k + 1) * intervals)] }

    /// Adds another collector's series after this one's samples.
    mutating func merge(_ other: SeriesCollector) {
        warnings += other.warnings
        for (j, l) in other.labels.enumerated() {
            let k = series(l)
            if intervals > 0 {
                for i in 0..<intervals {
                    counts[k * intervals + i] += other.counts[j * intervals + i]
                    totals[k * intervals + i] += other.totals[j * intervals + i]
                }
            } else {
                points[k] += other.points[j]
            }
        }
    }
}
