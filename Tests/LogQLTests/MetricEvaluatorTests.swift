import Testing
import LogModel
@testable import LogQL

/// Streams held in memory, answering like the querier: entries in [start, end), line filters applied.
struct MemorySource: LogSource {
    let data: [(labels: LabelSet, entries: [LogEntry])]

    func scans(_ query: LogQuery, start: Int64, end: Int64) throws(EvaluationError) -> [any LineScan] {
        let filter = try! LineFilterMatcher(query.filters)
        return data.filter { query.matchers.matches($0.labels) }.map { s in
            ArrayScan(labels: s.labels, entries: s.entries.filter { $0.timestamp >= start && $0.timestamp < end && filter.matches($0.line) })
        }
    }
}

/// A stream's entries held in an array (already in time order).
struct ArrayScan: LineScan {
    let labels: LabelSet
    let entries: [LogEntry]
    var cost: Int { entries.count }

    func scan<V: LineVisitor>(_ visitor: inout V) -> [String] {
        for e in entries { e.line.withUnsafeBytes { visitor.line(e.timestamp, $0) } }
        return []
    }
}

@Suite struct MetricEvaluatorTests {
    static let s: Int64 = 1_000_000_000
    static let a = LabelSet([Label("app", "a"), Label("env", "p")])
    static let b = LabelSet([Label("app", "b"), Label("env", "p")])
    /// app=a: a line `n=i` every 10 s at 10…100 s; app=b: `n=x` at 15 s and 45 s.
    static let source = MemorySource(data: [
        (a, (1...10).map { LogEntry(timestamp: Int64($0) * 10 * s, line: Array("n=\($0)".utf8)) }),
        (b, [15, 45].map { LogEntry(timestamp: $0 * s, line: Array("n=x".utf8)) }),
    ])

    func instant(_ q: String, at t: Int64, maxSeries: Int = 500) throws -> [String: Double] {
        guard case .metric(let e) = try QueryParser.parseQuery(q) else { throw EvaluationError("not a metric query") }
        let ev = MetricEvaluator(start: t * Self.s, end: t * Self.s, step: 0, maxSeries: maxSeries, source: Self.source)
        guard case .vector(let ts, let samples) = try ev.evaluate(e) else { throw EvaluationError("not a vector") }
        #expect(ts == t * 1000)
        return Dictionary(uniqueKeysWithValues: samples.map { ($0.labels.canonical, $0.value) })
    }

    func range(_ q: String, _ start: Int64, _ end: Int64, step: Int64) throws -> [String: [Double?]] {
        guard case .metric(let e) = try QueryParser.parseQuery(q) else { throw EvaluationError("not a metric query") }
        let ev = MetricEvaluator(start: start * Self.s, end: end * Self.s, step: step * Self.s, maxSeries: 500, source: Self.source)
        guard case .matrix(let series) = try ev.evaluate(e) else { throw EvaluationError("not a matrix") }
        let times = Array(stride(from: start * 1000, through: end * 1000, by: Int(step * 1000)))
        var out: [String: [Double?]] = [:]
        for s in series {
            out[s.labels.canonical] = times.map { t in s.points.first { $0.t == t }?.v }
        }
        return out
    }

    @Test func windowsAreLeftOpenAndTheFetchEndExclusive() throws {
        // At 60 s over 30 s: (30, 60] holds 40 and 50; 60 itself is past the fetch's end, as in Loki.
        #expect(try instant(#"count_over_time({app="a"}[30s])"#, at: 60) == [Self.a.canonical: 2])
        // Steps 20, 40, 60 over 20 s: (0,20] → 10,20; (20,40] → 30,40; (40,60] → 50.
        #expect(try range(#"count_over_time({app="a"}[20s])"#, 20, 60, step: 20) == [Self.a.canonical: [2, 2, 1]])
        #expect(try range(#"rate({app="a"}[20s])"#, 20, 60, step: 20) == [Self.a.canonical: [0.1, 0.1, 0.05]])
        // A step whose window is empty has no point; a query with none has no series.
        #expect(try range(#"count_over_time({app="b"}[10s])"#, 10, 50, step: 10) == [Self.b.canonical: [nil, 1, nil, nil, 1]])
        #expect(try instant(#"count_over_time({app="a"}[5s])"#, at: 1000).isEmpty)
    }

    @Test func labelReplaceRewritesMatchingSeries() throws {
        let c = #"count_over_time({env="p"}[100s])"# // at 100 s: app=a 9 lines (10…90 s), app=b 2
        // Fully anchored: "a" matches app="a" only; $1 expands; the destination may be new.
        #expect(try instant(#"label_replace(\#(c), "svc", "svc-$1", "app", "(a)")"#, at: 100)
            == [#"{app="a", env="p", svc="svc-a"}"#: 9, Self.b.canonical: 2])
        // An empty expansion removes the destination label; a source that is missing reads as "".
        #expect(try instant(#"label_replace(\#(c), "env", "", "app", ".*")"#, at: 100) == [#"{app="a"}"#: 9, #"{app="b"}"#: 2])
        #expect(try instant(#"label_replace(\#(c), "x", "none", "nope", "")"#, at: 100)
            == [#"{app="a", env="p", x="none"}"#: 9, #"{app="b", env="p", x="none"}"#: 2])
        // Named groups, and inside other expressions.
        #expect(try instant(#"sum by (y) (label_replace(\#(c), "y", "${v}!", "app", "(?P<v>.)"))"#, at: 100) == [#"{y="a!"}"#: 9, #"{y="b!"}"#: 2])
        #expect(try instant(#"label_replace(vector(1), "k", "v", "", "")"#, at: 100) == [#"{k="v"}"#: 1])
    }

    @Test func aPassedDeadlineStopsTheReadAndSaysSo() throws {
        guard case .metric(let e) = try QueryParser.parseQuery(#"count_over_time({app="a"}[30s])"#) else { return }
        let ev = MetricEvaluator(start: 60 * Self.s, end: 60 * Self.s, step: 0, maxSeries: 500, source: Self.source,
                                 deadline: QueryDeadline(seconds: 1e-9))
        do {
            _ = try ev.evaluate(e)
            Issue.record("evaluated past its deadline")
        } catch {
            #expect(error.timedOut)
            #expect(error.message.hasPrefix("Request timed out"))
        }
        // No deadline (0): never expires.
        #expect(!QueryDeadline(seconds: 0).expired)
    }

    @Test func offsetShiftsTheWindow() throws {
        // At 100 s, 20 s offset 40 s: (40, 60], fetched [40, 60) → 50.
        #expect(try instant(#"count_over_time({app="a"}[20s] offset 40s)"#, at: 100) == [Self.a.canonical: 1])
    }

    @Test func unwrapAndOverTimeFunctions() throws {
        let n = #"{app="a"} | logfmt | unwrap n"#
        #expect(try instant("sum_over_time(\(n) [30s])", at: 100) == [Self.a.canonical: 17])
        #expect(try instant("avg_over_time(\(n) [30s])", at: 100) == [Self.a.canonical: 8.5])
        #expect(try instant("stddev_over_time(\(n) [30s])", at: 100) == [Self.a.canonical: 0.5])
        #expect(try instant("stdvar_over_time(\(n) [30s])", at: 100) == [Self.a.canonical: 0.25])
        #expect(try instant("max_over_time(\(n) [100s]) by (env)", at: 101) == [#"{env="p"}"#: 10])
        #expect(try instant("min_over_time(\(n) [100s]) without (app)", at: 101) == [#"{env="p"}"#: 1])
        #expect(try instant("quantile_over_time(0.5, \(n) [100s])", at: 101) == [Self.a.canonical: 5.5])
        #expect(try instant("first_over_time(\(n) [100s])", at: 101) == [Self.a.canonical: 1])
        #expect(try instant("last_over_time(\(n) [100s])", at: 101) == [Self.a.canonical: 10])
        #expect(try instant("rate(\(n) [100s])", at: 101) == [Self.a.canonical: 0.55])
        #expect(try instant(#"bytes_over_time({app="a"}[30s])"#, at: 100) == [Self.a.canonical: 6])
        #expect(try instant(#"bytes_rate({app="a"}[30s])"#, at: 100) == [Self.a.canonical: 0.2])
        // A value that is not a number is a pipeline error, unless filtered after unwrap.
        let x = #"{app="b"} | logfmt | unwrap n"#
        #expect(throws: EvaluationError.self) { try instant("sum_over_time(\(x) [100s])", at: 100) }
        #expect(try instant(#"sum_over_time(\#(x) | __error__="" [100s])"#, at: 100).isEmpty)
    }

    @Test func vectorAggregationsAndBinaryOperations() throws {
        #expect(try instant(#"sum by (env) (count_over_time({env="p"}[100s]))"#, at: 100) == [#"{env="p"}"#: 11])
        #expect(try instant(#"sum(count_over_time({env="p"}[100s]))"#, at: 100) == ["{}": 11])
        #expect(try instant(#"count(count_over_time({env="p"}[100s]))"#, at: 100) == ["{}": 2])
        #expect(try instant(#"avg(count_over_time({env="p"}[100s]))"#, at: 100) == ["{}": 5.5])
        #expect(try instant(#"topk(1, count_over_time({env="p"}[100s]))"#, at: 100) == [Self.a.canonical: 9])
        #expect(try instant(#"bottomk(1, count_over_time({env="p"}[100s]))"#, at: 100) == [Self.b.canonical: 2])
        #expect(try instant(#"count_over_time({env="p"}[100s]) > 5"#, at: 100) == [Self.a.canonical: 9])
        #expect(try instant(#"count_over_time({env="p"}[100s]) > bool 5"#, at: 100) == [Self.a.canonical: 1, Self.b.canonical: 0])
        #expect(try instant(#"10 - count_over_time({env="p"}[100s])"#, at: 100) == [Self.a.canonical: 1, Self.b.canonical: 8])
        #expect(try instant(#"count_over_time({app="a"}[100s]) / on (env) count_over_time({app="b"}[100s])"#, at: 100) == [#"{env="p"}"#: 4.5])
        #expect(try instant(#"count_over_time({app="a"}[100s]) / ignoring (app) group_left count_over_time({app="b"}[100s])"#, at: 100) == [Self.a.canonical: 4.5])
        #expect(try instant(#"count_over_time({app="a"}[100s]) and count_over_time({app="b"}[100s])"#, at: 100).isEmpty)
        #expect(try instant(#"count_over_time({app="a"}[100s]) or count_over_time({app="b"}[100s])"#, at: 100).count == 2)
        #expect(try instant(#"count_over_time({env="p"}[100s]) unless count_over_time({app="b"}[100s])"#, at: 100) == [Self.a.canonical: 9])
        // Many-to-many matching is refused.
        #expect(throws: EvaluationError.self) { try instant(#"count_over_time({env="p"}[100s]) / on (env) count_over_time({env="p"}[100s])"#, at: 100) }
    }

    @Test func absentLiteralsAndVectors() throws {
        #expect(try instant(#"absent_over_time({app="zzz", env=~"p|q"}[1m])"#, at: 100) == [#"{app="zzz"}"#: 1])
        #expect(try instant(#"absent_over_time({app="a"}[1m])"#, at: 100).isEmpty)
        #expect(try range("vector(2) * 3", 0, 20, step: 10) == ["{}": [6, 6, 6]])
        guard case .metric(let lit) = try QueryParser.parseQuery("1 + 2") else { return }
        let ev = MetricEvaluator(start: 5 * Self.s, end: 5 * Self.s, step: 0, maxSeries: 0, source: Self.source)
        #expect(try ev.evaluate(lit) == .scalar(t: 5000, v: 3))
        // Pure-vector expressions evaluate at any time (Grafana's test query runs at year 2096).
        let far: Int64 = 4_000_000_000
        let v = try instant("vector(1) + vector(1)", at: far)
        #expect(v == ["{}": 2])
    }

    @Test func limitsAndPipelineErrorsAreReported() throws {
        #expect(throws: EvaluationError("maximum of series (1) reached for a single query")) {
            try instant(#"count_over_time({env="p"}[100s])"#, at: 100, maxSeries: 1)
        }
        do {
            _ = try instant(#"count_over_time({app="a"} | json [100s])"#, at: 100)
            Issue.record("a pipeline error was not reported")
        } catch {
            #expect("\(error)".hasPrefix("pipeline error: 'JSONParserErr' for series: '{__error__=\"JSONParserErr\""))
        }
        #expect(try instant(#"count_over_time({app="a"} | json | __error__="" [100s])"#, at: 100).isEmpty)
        #expect(try instant(#"count_over_time({app="a"} | json | drop __error__, __error_details__ [100s])"#, at: 100) == [Self.a.canonical: 9])
    }

    @Test func hugeRangesAndTimesDoNotOverflow() throws {
        #expect(try instant(#"count_over_time({app="a"}[15000w] offset 15000w)"#, at: 100).isEmpty)
        #expect(try instant(#"count_over_time({app="a"}[15000w])"#, at: 100) == [Self.a.canonical: 9])
        guard case .metric(let e) = try QueryParser.parseQuery(#"count_over_time({app="a"}[1m])"#) else { return }
        let ev = MetricEvaluator(start: Int64.max - 10 * Self.s, end: Int64.max, step: 3 * Self.s, maxSeries: 0, source: Self.source)
        guard case .matrix(let m) = try ev.evaluate(e) else { return }
        #expect(m.isEmpty)
    }

    @Test func sortOrdersInstantVectors() throws {
        guard case .metric(let e) = try QueryParser.parseQuery(#"sort_desc(count_over_time({env="p"}[100s]))"#) else { return }
        let ev = MetricEvaluator(start: 100 * Self.s, end: 100 * Self.s, step: 0, maxSeries: 0, source: Self.source)
        guard case .vector(_, let v) = try ev.evaluate(e) else { return }
        #expect(v.map(\.value) == [9, 2])
        guard case .metric(let asc) = try QueryParser.parseQuery(#"sort(count_over_time({env="p"}[100s]))"#),
              case .vector(_, let w) = try ev.evaluate(asc) else { return }
        #expect(w.map(\.value) == [2, 9])
    }
}
