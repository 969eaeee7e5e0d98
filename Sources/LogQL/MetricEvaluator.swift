public import LogModel
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Evaluates metric queries step by step, as Loki 2.8 does: at each step `t` (from `start` to
/// `end` every `step`; one step for an instant query) a range aggregation sees the samples in
/// (t − range − offset, t − offset]; vector aggregations, binary operations and literals combine
/// the vectors of each step. Results are reported at millisecond resolution.
public struct MetricEvaluator: Sendable {
    public let start: Int64
    public let end: Int64
    /// 0 for an instant query.
    public let step: Int64
    /// `max_query_series` (0: no limit).
    public let maxSeries: Int
    let source: any LogSource
    let steps: [Int64]
    /// Workers reading a range aggregation's streams at once.
    let parallelism: Int

    /// The processors online: a metric query reads its streams on all of them.
    public static let defaultParallelism = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Above this many window intervals (steps × 2 at most), samples are kept instead of
    /// per-interval totals (which cost series × intervals whatever the data).
    let intervalLimit: Int

    /// When to stop reading (nil: never).
    let deadline: QueryDeadline?
    public init(start: Int64, end: Int64, step: Int64, maxSeries: Int, source: any LogSource, parallelism: Int = defaultParallelism,
                intervalLimit: Int = 4096, deadline: QueryDeadline? = nil) {
        self.deadline = deadline
        self.parallelism = max(1, parallelism)
        self.intervalLimit = intervalLimit
        self.start = start
        self.end = end
        self.step = step
        self.maxSeries = maxSeries
        self.source = source
        var times: [Int64] = []
        var t = start
        let s = max(step, 1)
        while t <= end {
            times.append(t)
            if step == 0 || t > end - s { break } // (no overflow near Int64.max)
            t += s
        }
        steps = times
    }

    var isInstant: Bool { step == 0 }

    public func evaluate(_ e: MetricExpr) throws(EvaluationError) -> MetricResult {
        if case .literal(let v) = e {
            if isInstant { return .scalar(t: start / 1_000_000, v: v) }
            return .matrix([Series(labels: LabelSet([]), points: steps.map { ($0 / 1_000_000, v) })])
        }
        let perStep = try vectors(e)
        let limit = maxSeries > 0 ? maxSeries : Int.max
        if isInstant {
            var v = perStep.first ?? []
            if v.count > limit { throw EvaluationError("maximum of series (\(limit)) reached for a single query") }
            if !Self.sorts(e) { v.sort { LabelSet.compare($0.labels, $1.labels) } }
            return .vector(t: start / 1_000_000, v)
        }
        var index: [LabelSet: Int] = [:]
        var series: [Series] = []
        for (i, vector) in perStep.enumerated() {
            let t = steps[i] / 1_000_000
            for s in vector {
                if let k = index[s.labels] {
                    series[k].points.append((t, s.value))
                } else {
                    index[s.labels] = series.count
                    series.append(Series(labels: s.labels, points: [(t, s.value)]))
                    if series.count > limit { throw EvaluationError("maximum of series (\(limit)) reached for a single query") }
                }
            }
        }
        series.sort { LabelSet.compare($0.labels, $1.labels) }
        return .matrix(series)
    }

    /// Whether the expression orders its result itself (`sort`, `sort_desc`).
    static func sorts(_ e: MetricExpr) -> Bool {
        switch e {
        case .vector(let v): v.op == .sort || v.op == .sortDesc || sorts(v.inner)
        case .binary(let b): sorts(b.lhs) || sorts(b.rhs)
        case .labelReplace(let l): sorts(l.inner)
        default: false
        }
    }

    /// The expression's vector at each step.
    func vectors(_ e: MetricExpr) throws(EvaluationError) -> [[Sample]] {
        switch e {
        case .literal(let v), .constant(let v):
            return steps.map { _ in [Sample(labels: LabelSet([]), value: v)] }
        case .range(let r):
            return try rangeVectors(r, grouping: r.grouping)
        case .vector(let v):
            // Loki pushes a sum's grouping into the range aggregation under it: fewer series, the
            // same answer (a sample with a pipeline error keeps all its labels either way).
            if v.op == .sum, case .range(let r) = v.inner, r.grouping == nil,
               [.bytesOverTime, .bytesRate, .sumOverTime, .rate, .countOverTime].contains(r.op) {
                let inner = try rangeVectors(r, grouping: v.grouping)
                return inner.map { VectorAggregator.aggregate(v, $0) }
            }
            return try vectors(v.inner).map { VectorAggregator.aggregate(v, $0) }
        case .labelReplace(let l):
            let replacer = l.compiled()
            return try vectors(l.inner).map { $0.map { Sample(labels: replacer.apply($0.labels), value: $0.value) } }
        case .binary(let b):
            return try BinaryEvaluator.evaluate(b, lhs: { () throws(EvaluationError) in try vectors(b.lhs) },
                                                rhs: { () throws(EvaluationError) in try vectors(b.rhs) }, steps: steps.count)
        }
    }

    // MARK: range aggregations

    /// The samples of a range aggregation, grouped into series by their labels, then the
    /// aggregation's value at each step. The streams are read by `parallelism` workers, each with
    /// its own share of them; aggregations decided by counts and totals keep one per series and
    /// window interval instead of every sample.
    func rangeVectors(_ a: RangeAggregation, grouping: Grouping?) throws(EvaluationError) -> [[Sample]] {
        let r = a.range
        // Saturating: a range or offset of centuries must not overflow (it just reaches the epoch).
        let fetchStart = Self.minus(Self.minus(start, r.range), r.offset)
        let fetchEnd = Self.minus(isInstant ? start : end, r.offset)
        let scans = try source.scans(r.log, start: fetchStart, end: fetchEnd)
        let extractor = SampleExtractor(a, grouping: grouping)
        let pipeline: Pipeline
        do { pipeline = try Pipeline(r.log, skipPushedDown: true, using: extractor.labelsRead) } catch { throw EvaluationError(error.message) }
        let windows = StepWindows(steps: steps, range: r.range, offset: r.offset)
        let byTotals = r.unwrap == nil && RangeFunctions.decidedByTotals(a.op) && windows.edges.count <= intervalLimit
        let parts = Self.partition(scans, into: pipeline.isStateful ? 1 : parallelism)
        let intervals = byTotals ? windows.edges.count : 0
        var collected = [SeriesCollector](repeating: SeriesCollector(intervals: intervals), count: parts.count)
        if parts.count == 1 {
            collected[0] = Self.collect(parts[0], pipeline, extractor, windows, intervals: intervals, deadline: deadline)
        } else {
            collected.withUnsafeMutableBufferPointer { out in
                let out = UncheckedSendable(out)
                let deadline = deadline
                DispatchQueue.concurrentPerform(iterations: parts.count) { i in
                    // Each worker compiles its own pipeline: the stages' objects are retained and
                    // released per line, and two cores doing that on the same objects bounce their
                    // cache lines (it compiled once above, so it compiles again).
                    let own = (try? Pipeline(r.log, skipPushedDown: true, using: extractor.labelsRead)) ?? pipeline
                    out.value[i] = Self.collect(parts[i], own, extractor, windows, intervals: intervals, deadline: deadline)
                }
            }
        }
        if deadline?.expired == true { throw EvaluationError(QueryDeadline.message, timedOut: true) }
        var c = collected.first ?? SeriesCollector(intervals: intervals)
        for other in collected.dropFirst() { c.merge(other) }
        let absentLabels = a.op == .absentOverTime ? Self.absentLabels(r.log.matchers) : nil
        let out = byTotals ? try Self.fromTotals(a, c, windows) : try Self.fromSamples(a, c, windows, fedByMany: scans.count > 1)
        guard let absentLabels else { return out }
        return out.map { $0.isEmpty ? [Sample(labels: absentLabels, value: 1)] : [] }
    }

    /// Splits the scans into at most `n` runs of about equal cost, in order.
    static func partition(_ scans: [any LineScan], into n: Int) -> [ArraySlice<any LineScan>] {
        let total = scans.reduce(0) { $0 + $1.cost }
        guard n > 1, scans.count > 1, total > 0 else { return [scans[...]] }
        var parts: [ArraySlice<any LineScan>] = []
        var from = 0, sum = 0
        for (i, s) in scans.enumerated() {
            sum += s.cost
            if sum * n >= total * (parts.count + 1) && parts.count < n - 1 {
                parts.append(scans[from...i])
                from = i + 1
            }
        }
        if from < scans.count { parts.append(scans[from...]) }
        return parts
    }

    /// One worker: runs the pipeline over its scans' lines and files each sample under its series.
    static func collect(_ scans: ArraySlice<any LineScan>, _ pipeline: Pipeline, _ extractor: SampleExtractor,
                        _ windows: StepWindows, intervals: Int, deadline: QueryDeadline? = nil) -> SeriesCollector {
        var worker = SampleWorker(pipeline: pipeline, extractor: extractor, windows: windows, intervals: intervals)
        for scan in scans {
            if deadline?.expired == true { break }
            worker.begin(scan.labels)
            let warnings = scan.scan(&worker)
            worker.collector.warnings += warnings
        }
        return worker.collector
    }

    /// Each step's vector from per-interval counts and totals.
    static func fromTotals(_ a: RangeAggregation, _ c: SeriesCollector, _ w: StepWindows) throws(EvaluationError) -> [[Sample]] {
        // Running sums over the intervals: a window's count is the difference at its two edges.
        var countSums: [[Int]] = []
        var totalSums: [[Double]] = []
        for k in c.labels.indices {
            var n = 0, t = 0.0
            countSums.append(c.counts(of: k).map { n += $0; return n })
            totalSums.append(c.totals(of: k).map { t += $0; return t })
        }
        var out: [[Sample]] = []
        out.reserveCapacity(w.bounds.count)
        for i in w.bounds.indices {
            let (lo, hi) = (w.lower[i], w.upper[i])
            var vector: [Sample] = []
            for k in c.labels.indices {
                let n = countSums[k][hi] - countSums[k][lo]
                guard n > 0 else { continue }
                if c.labels[k][LabelsBuilder.errorLabel] != nil { throw EvaluationError(pipelineError(c.labels[k])) }
                let total = totalSums[k][hi] - totalSums[k][lo]
                vector.append(Sample(labels: c.labels[k], value: RangeFunctions.fromTotals(a.op, count: n, total: total, range: a.range.range)))
            }
            out.append(vector)
        }
        return out
    }

    /// Each step's vector from every sample of every series.
    static func fromSamples(_ a: RangeAggregation, _ c: SeriesCollector, _ w: StepWindows, fedByMany: Bool) throws(EvaluationError) -> [[Sample]] {
        var points = c.points
        // Series fed by several streams must be in time order (stable: arrival order among equals).
        if fedByMany {
            for k in points.indices where !isSorted(points[k]) {
                points[k] = points[k].enumerated().sorted { $0.element.t != $1.element.t ? $0.element.t < $1.element.t : $0.offset < $1.offset }.map(\.element)
            }
        }
        let r = a.range
        var out: [[Sample]] = []
        out.reserveCapacity(w.bounds.count)
        var cursors = [(lo: Int, hi: Int)](repeating: (0, 0), count: points.count)
        for (lo, hi) in w.bounds {
            var vector: [Sample] = []
            for k in points.indices {
                let p = points[k]
                var (l, h) = cursors[k]
                while l < p.count, p[l].t <= lo { l += 1 }
                if h < l { h = l }
                while h < p.count, p[h].t <= hi { h += 1 }
                cursors[k] = (l, h)
                guard h > l else { continue }
                if c.labels[k][LabelsBuilder.errorLabel] != nil { throw EvaluationError(pipelineError(c.labels[k])) }
                vector.append(Sample(labels: c.labels[k], value: RangeFunctions.evaluate(a.op, p[l..<h], range: r.range,
                                                                                        unwrapped: r.unwrap != nil, parameter: a.parameter)))
            }
            out.append(vector)
        }
        return out
    }

    static func minus(_ a: Int64, _ b: Int64) -> Int64 {
        let (v, o) = a.subtractingReportingOverflow(b)
        return o ? (b > 0 ? Int64.min : Int64.max) : v
    }

    static func isSorted(_ p: [(t: Int64, v: Double)]) -> Bool {
        for i in p.indices.dropFirst() where p[i].t < p[i - 1].t { return false }
        return true
    }

    /// `absent_over_time`'s labels: the selector's equality matchers (a name matched more than once,
    /// or by another operator, is left out).
    static func absentLabels(_ matchers: [LabelMatcher]) -> LabelSet {
        var out: [String: String] = [:]
        var excluded = Set<String>()
        for m in matchers {
            if m.op == .equal && out[m.name] == nil && !excluded.contains(m.name) { out[m.name] = m.value } else { excluded.insert(m.name) }
        }
        for n in excluded { out[n] = nil }
        return LabelSet(out.map { Label($0.key, $0.value) })
    }

    static func pipelineError(_ labels: LabelSet) -> String {
        let kind = labels[LabelsBuilder.errorLabel] ?? ""
        return "pipeline error: '\(kind)' for series: '\(labels.canonical)'.\n"
            + "Use a label filter to intentionally skip this error. (e.g | __error__!=\"\(kind)\").\n"
            + "To skip all potential errors you can match empty errors.(e.g __error__=\"\")\n"
            + "The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__=\"\" )\n"
    }
}

/// Turns a processed line into a sample: 1 per line (`count_over_time`, `rate`), its bytes
/// (`bytes_*`), or the unwrapped label's value; its labels are the line's, grouped.
struct SampleExtractor {
    let kind: Kind
    let groups: [String]
    let without: Bool
    let noLabels: Bool

    enum Kind {
        case count, bytes
        case unwrap(Unwrap)
    }

    init(_ a: RangeAggregation, grouping: Grouping?) {
        var groups = grouping?.labels ?? []
        var without = grouping?.without ?? false
        var noLabels = grouping != nil && groups.isEmpty
        if a.op == .absentOverTime { noLabels = true }
        if let u = a.range.unwrap {
            kind = .unwrap(u)
            // The unwrapped label leaves the series' labels unless they are chosen with `by`.
            if groups.isEmpty || without {
                without = true
                groups.append(u.label)
            }
        } else {
            kind = [.bytesOverTime, .bytesRate].contains(a.op) ? .bytes : .count
        }
        self.groups = groups.sorted()
        self.without = without
        self.noLabels = noLabels
    }

    /// The line's sample value, or nil when the line gives none (no such label, or a post-filter
    /// dropped it); a value that does not convert is 0 with `SampleExtractionErr`. The sample's
    /// labels are `labels(b)` afterwards.
    func value(lineLength: Int, _ b: inout LabelsBuilder) -> Double? {
        let value: Double
        switch kind {
        case .count: value = 1
        case .bytes: value = Double(lineLength)
        case .unwrap(let u):
            guard let text = b.get(u.label), !text.isEmpty else { return nil }
            let converted: Double? = switch u.conversion {
            case .number: LabelValue.number(text)
            case .duration, .durationSeconds: LabelValue.duration(text).map { Double($0) / 1e9 }
            case .bytes: LabelValue.bytes(text).map { Double($0) }
            }
            if let converted { value = converted } else {
                value = 0
                let details = u.conversion == .duration || u.conversion == .durationSeconds ? LabelValue.notDuration(text) : LabelValue.notNumber(text)
                b.setError("SampleExtractionErr", details: details)
            }
            for f in u.postFilters where !f.keeps(&b) { return nil }
        }
        return value
    }

    /// The labels the samples are made of (nil: all of them).
    var labelsRead: Set<String>? {
        var names: Set<String>
        if noLabels {
            names = []
        } else if !groups.isEmpty && !without {
            names = Set(groups)
        } else {
            return nil
        }
        if case .unwrap(let u) = kind {
            names.insert(u.label)
            for f in u.postFilters { names.formUnion(f.names) }
        }
        return names
    }

    /// Whether every line's sample is 1 (`count_over_time`, `rate`, `absent_over_time`).
    var countsLines: Bool {
        if case .count = kind { true } else { false }
    }

    /// Loki's grouped labels: an error keeps every label (so it can be reported), `by ()` none.
    func labels(_ b: LabelsBuilder) -> LabelSet {
        if b.error != nil { return b.labels }
        if noLabels { return LabelSet([]) }
        if groups.isEmpty { return b.labels }
        let visible = b.visible
        if without { return LabelSet(visible.filter { !groups.contains($0.name) && $0.name != LabelsBuilder.errorDetailsLabel }) }
        return LabelSet(visible.filter { groups.contains($0.name) })
    }
}

/// Hands a value to concurrent workers that each touch a separate part of it (the metric workers
/// here, the log query's decoding rounds in ReadPath).
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
