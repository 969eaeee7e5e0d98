import LogModel

/// `metrics`: counters, gauges and histograms from the lines (Promtail's), exposed on the agent's
/// `/metrics` as `<prefix><name>` (prefix `promtail_custom_`) with the entry's labels. Each metric
/// reads an extracted value (`source`, default its name): a counter `inc`s or `add`s it (only when
/// it equals `value`, if given; `match_all` counts every line, `count_entry_bytes` adds the line's
/// bytes), a gauge `set`s, `inc`s, `dec`s, `add`s or `sub`s it, a histogram observes it in `buckets`.
struct MetricsStage: Stage {
    struct Definition {
        var name: String
        var kind: CustomMetrics.Kind
        var source: String
        var value: String?
        var action: String
        var matchAll: Bool
        var countBytes: Bool
    }

    let definitions: [Definition]
    let registry: CustomMetrics
    let now: @Sendable () -> Int64

    init(_ settings: StageSettings, context: AgentPipeline.Context) throws(StageError) {
        guard case .map(let entries) = settings.value, !entries.isEmpty else {
            throw StageError("line \(settings.line): the metrics stage wants a mapping of metric names to their settings")
        }
        var defs: [Definition] = []
        for (name, body) in entries {
            var r = try StageConfigReader(body, stage: "metrics.\(name)")
            guard let t = try r.string("type")?.lowercased(), let kind = CustomMetrics.Kind(rawValue: t) else {
                throw StageError("line \(body.line): metric \(name) needs a type: Counter, Gauge or Histogram")
            }
            let help = try r.string("description") ?? name
            let prefix = try r.string("prefix") ?? "promtail_custom_"
            let source = try r.string("source") ?? name
            var maxIdle: Int64 = 300_000_000_000
            if let d = try r.string("max_idle_duration") {
                guard let v = TimeParser.configDuration(d) else { throw StageError("line \(body.line): metrics.\(name).max_idle_duration wants a duration, got \"\(d)\"") }
                maxIdle = v
            }
            var c = try StageConfigReader(r.value("config") ?? StageSettings(.null, line: body.line), stage: "metrics.\(name).config")
            let value = try c.string("value")
            let matchAll = try c.bool("match_all") ?? false
            let countBytes = try c.bool("count_entry_bytes") ?? false
            var bounds: [Double] = []
            var action = try c.string("action")?.lowercased() ?? ""
            switch kind {
            case .counter:
                guard action == "inc" || action == "add" else { throw StageError("line \(body.line): counter \(name) needs action inc or add") }
                if countBytes && !(matchAll && action == "add") {
                    throw StageError("line \(body.line): counter \(name): count_entry_bytes needs match_all: true and action: add")
                }
            case .gauge:
                guard ["set", "inc", "dec", "add", "sub"].contains(action) else { throw StageError("line \(body.line): gauge \(name) needs action set, inc, dec, add or sub") }
            case .histogram:
                action = "observe"
                for b in try c.strings("buckets") ?? [] {
                    guard let d = Double(b) else { throw StageError("line \(body.line): histogram \(name): bucket \"\(b)\" is not a number") }
                    bounds.append(d)
                }
                guard !bounds.isEmpty, bounds == bounds.sorted() else { throw StageError("line \(body.line): histogram \(name) needs ascending buckets") }
            }
            try c.finish()
            try r.finish()
            let full = prefix + name
            guard LabelName.isValid(full) else { throw StageError("line \(body.line): \"\(full)\" is not a valid metric name") }
            context.metrics.define(full, kind: kind, help: help, bounds: bounds, maxIdle: maxIdle)
            defs.append(Definition(name: full, kind: kind, source: source, value: value, action: action, matchAll: matchAll, countBytes: countBytes))
        }
        definitions = defs
        registry = context.metrics
        now = context.now
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        let t = now()
        for d in definitions {
            let v = e.extracted[d.source]
            switch d.kind {
            case .counter:
                if d.matchAll {
                    let by = d.countBytes ? Double(e.line.utf8.count) : 1
                    registry.update(d.name, labels: e.labels, now: t) { s, _ in s.value += by }
                    continue
                }
                guard let v else { continue }
                if let want = d.value, want != v { continue }
                if d.action == "inc" {
                    registry.update(d.name, labels: e.labels, now: t) { s, _ in s.value += 1 }
                } else if let n = Double(v), n >= 0 {
                    registry.update(d.name, labels: e.labels, now: t) { s, _ in s.value += n }
                }
            case .gauge:
                guard let v else { continue }
                if let want = d.value, want != v { continue }
                let n = Double(v)
                registry.update(d.name, labels: e.labels, now: t) { s, _ in
                    switch d.action {
                    case "inc": s.value += 1
                    case "dec": s.value -= 1
                    case "set": if let n { s.value = n }
                    case "add": if let n { s.value += n }
                    default: if let n { s.value -= n }
                    }
                }
            case .histogram:
                guard let v, let n = Double(v) else { continue }
                if let want = d.value, want != v { continue }
                registry.update(d.name, labels: e.labels, now: t) { s, bounds in
                    if let i = bounds.firstIndex(where: { n <= $0 }) { s.buckets[i] += 1 }
                    s.sum += n
                    s.count += 1
                }
            }
        }
        return .keep
    }
}
