public import LogModel

/// Where a metric query's log lines come from: the streams matching a log query's selector, each
/// with its entries in [start, end) in time order without duplicates. The source may already have
/// applied `query.filters` (they are pushed down); the evaluator runs the rest of the pipeline.
public protocol LogSource: Sendable {
    func streams(_ query: LogQuery, start: Int64, end: Int64) throws(EvaluationError) -> [(labels: LabelSet, entries: [LogEntry])]
}

/// Evaluates metric queries step by step, as Loki 2.8 does: at each step `t` (from `start` to
/// `end` every `step`; one step for an instant query) a range aggregation sees the samples in
/// (t − range − offset, t − offset]; vector aggregations, binary operations and literals combine
/// the vectors of each step. Results are reported at millisecond resolution.
public struct MetricEvaluator {
    public let start: Int64
    public let end: Int64
    /// 0 for an instant query.
    public let step: Int64
    /// `max_query_series` (0: no limit).
    public let maxSeries: Int
    let source: any LogSource
    let steps: [Int64]

    public init(start: Int64, end: Int64, step: Int64, maxSeries: Int, source: any LogSource) {
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
        case .binary(let b):
            return try BinaryEvaluator.evaluate(b, lhs: { () throws(EvaluationError) in try vectors(b.lhs) },
                                                rhs: { () throws(EvaluationError) in try vectors(b.rhs) }, steps: steps.count)
        }
    }

    // MARK: range aggregations

    /// The samples of a range aggregation, grouped into series by their labels (each series in
    /// time order), then the aggregation's value at each step.
    func rangeVectors(_ a: RangeAggregation, grouping: Grouping?) throws(EvaluationError) -> [[Sample]] {
        let r = a.range
        // Saturating: a range or offset of centuries must not overflow (it just reaches the epoch).
        let fetchStart = Self.minus(Self.minus(start, r.range), r.offset)
        let fetchEnd = Self.minus(isInstant ? start : end, r.offset)
        let streams = try source.streams(r.log, start: fetchStart, end: fetchEnd)
        var pipeline: Pipeline
        do { pipeline = try Pipeline(r.log, skipPushedDown: true) } catch { throw EvaluationError(error.message) }
        let extractor = SampleExtractor(a, grouping: grouping)
        var index: [LabelSet: Int] = [:]
        var labels: [LabelSet] = []
        var points: [[(t: Int64, v: Double)]] = []
        for (streamLabels, entries) in streams {
            // The series of this stream's lines whose labels the pipeline left alone: looked up once,
            // not hashed again for every line.
            var unchanged: Int?
            for e in entries {
                var b = LabelsBuilder(streamLabels)
                guard let line = pipeline.process(e.line, &b), let value = extractor.value(line: line, &b) else { continue }
                let k: Int
                if b.isUnchanged, let u = unchanged {
                    k = u
                } else {
                    let out = extractor.labels(b)
                    if let known = index[out] {
                        k = known
                    } else {
                        k = labels.count
                        index[out] = k
                        labels.append(out)
                        points.append([])
                    }
                    if b.isUnchanged { unchanged = k }
                }
                points[k].append((e.timestamp, value))
            }
        }
        // Series fed by several streams must be in time order (stable: arrival order among equals).
        if streams.count > 1 {
            for k in points.indices where !Self.isSorted(points[k]) {
                points[k] = points[k].enumerated().sorted { $0.element.t != $1.element.t ? $0.element.t < $1.element.t : $0.offset < $1.offset }.map(\.element)
            }
        }
        var out: [[Sample]] = []
        out.reserveCapacity(steps.count)
        var cursors = [(lo: Int, hi: Int)](repeating: (0, 0), count: points.count)
        let absentLabels = a.op == .absentOverTime ? Self.absentLabels(r.log.matchers) : nil
        for t in steps {
            let hi = Self.minus(t, r.offset)
            let lo = Self.minus(hi, r.range)
            var vector: [Sample] = []
            for k in points.indices {
                let p = points[k]
                var (l, h) = cursors[k]
                while l < p.count, p[l].t <= lo { l += 1 }
                if h < l { h = l }
                while h < p.count, p[h].t <= hi { h += 1 }
                cursors[k] = (l, h)
                guard h > l else { continue }
                if labels[k][LabelsBuilder.errorLabel] != nil {
                    throw EvaluationError(Self.pipelineError(labels[k]))
                }
                vector.append(Sample(labels: labels[k], value: RangeFunctions.evaluate(a.op, p[l..<h], range: r.range,
                                                                                      unwrapped: r.unwrap != nil, parameter: a.parameter)))
            }
            if let absentLabels {
                vector = vector.isEmpty ? [Sample(labels: absentLabels, value: 1)] : []
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
    func value(line: [UInt8], _ b: inout LabelsBuilder) -> Double? {
        let value: Double
        switch kind {
        case .count: value = 1
        case .bytes: value = Double(line.count)
        case .unwrap(let u):
            guard let text = b.get(u.label), !text.isEmpty else { return nil }
            let converted: Double? = switch u.conversion {
            case .number: LabelValue.number(text)
            case .duration, .durationSeconds: LabelValue.duration(text).map { Double($0) / 1e9 }
            case .bytes: LabelValue.bytes(text).map(Double.init)
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
