import Synchronization

/// The metrics `metrics` stages define (Promtail's `promtail_custom_*`), rendered into the agent's
/// `/metrics` in Prometheus' text format. Kept here rather than in swift-metrics because one
/// metric's label names vary with the entries (a `stream` label on some lines and not others),
/// which Prometheus clients refuse. Series idle longer than their `max_idle_duration` are dropped.
public final class CustomMetrics: Sendable {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    struct Series {
        var value: Double = 0
        var buckets: [Double] = []
        var sum: Double = 0
        var count: Double = 0
        var lastUsed: Int64 = 0
    }

    struct Metric {
        var kind: Kind
        var help: String
        var bounds: [Double]
        var maxIdle: Int64
        var series: [LabelMap: Series] = [:]
    }

    /// Guards every metric (name → metric).
    private let metrics = Mutex<[String: Metric]>([:])

    public init() {}

    func define(_ name: String, kind: Kind, help: String, bounds: [Double], maxIdle: Int64) {
        metrics.withLock { m in if m[name] == nil { m[name] = Metric(kind: kind, help: help, bounds: bounds, maxIdle: maxIdle) } }
    }

    /// Applies `change` to the series of `labels`.
    func update(_ name: String, labels: LabelMap, now: Int64, _ change: (inout Series, [Double]) -> Void) {
        metrics.withLock { m in
            guard var metric = m[name] else { return }
            var s = metric.series[labels] ?? Series(buckets: [Double](repeating: 0, count: metric.bounds.count))
            change(&s, metric.bounds)
            s.lastUsed = now
            metric.series[labels] = s
            m[name] = metric
        }
    }

    /// Prometheus text exposition of every series, dropping those idle past their metric's limit.
    public func render(now: Int64) -> String {
        metrics.withLock { m in
            var out = ""
            for name in m.keys.sorted() {
                var metric = m[name]!
                metric.series = metric.series.filter { metric.maxIdle <= 0 || now - $0.value.lastUsed <= metric.maxIdle }
                m[name] = metric
                out += "# HELP \(name) \(metric.help)\n# TYPE \(name) \(metric.kind.rawValue)\n"
                for (labels, s) in metric.series.sorted(by: { $0.key.description < $1.key.description }) {
                    switch metric.kind {
                    case .counter, .gauge:
                        out += "\(name)\(Self.text(labels)) \(Self.number(s.value))\n"
                    case .histogram:
                        var cumulative = 0.0
                        for (i, b) in metric.bounds.enumerated() {
                            cumulative += s.buckets[i]
                            out += "\(name)_bucket\(Self.text(labels, le: Self.number(b))) \(Self.number(cumulative))\n"
                        }
                        out += "\(name)_bucket\(Self.text(labels, le: "+Inf")) \(Self.number(s.count))\n"
                        out += "\(name)_sum\(Self.text(labels)) \(Self.number(s.sum))\n"
                        out += "\(name)_count\(Self.text(labels)) \(Self.number(s.count))\n"
                    }
                }
            }
            return out
        }
    }

    static func text(_ labels: LabelMap, le: String? = nil) -> String {
        var parts = labels.filter { !$0.key.hasPrefix("__") }.map { "\($0.key)=\(JSONValue.quote($0.value))" }
        if let le { parts.append("le=\"\(le)\"") }
        return parts.isEmpty ? "" : "{" + parts.joined(separator: ",") + "}"
    }

    static func number(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}
