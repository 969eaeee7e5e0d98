#if canImport(Glibc)
import Glibc
#endif

/// `limit`: at most `rate` lines a second with bursts of `burst` (per value of `by_label_name`
/// when given); past it a line waits for its turn — holding the file's reading back — or, with
/// `drop: true`, is dropped (reason `ratelimit`).
struct LimitStage: Stage {
    let rate: Double
    let burst: Double
    let drop: Bool
    let byLabel: String?
    let maxDistinct: Int
    let now: @Sendable () -> Int64
    /// Per key: tokens left and when they were counted.
    var buckets: [String: (tokens: Double, at: Int64)] = [:]

    init(_ settings: StageSettings, now: @escaping @Sendable () -> Int64) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "limit")
        guard let rs = try r.string("rate"), let rate = Double(rs), rate > 0 else {
            throw StageError("line \(settings.line): the limit stage needs a rate above 0 (lines per second)")
        }
        self.rate = rate
        let b = try r.int("burst") ?? Int(rate.rounded(.up))
        guard b > 0 else { throw StageError("line \(settings.line): limit.burst must be at least 1") }
        burst = Double(b)
        drop = try r.bool("drop") ?? false
        byLabel = try r.string("by_label_name")
        maxDistinct = try r.int("max_distinct_labels") ?? 10_000
        try r.finish()
        self.now = now
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        var key = ""
        if let byLabel {
            guard let v = e.labels[byLabel] else { return .keep }  // Promtail: entries without the label are not limited
            key = v
            if buckets[key] == nil && buckets.count >= maxDistinct { buckets.removeAll() }
        }
        while true {
            let t = now()
            var b = buckets[key] ?? (burst, t)
            b.tokens = min(burst, b.tokens + Double(max(0, t - b.at)) / 1e9 * rate)
            b.at = t
            if b.tokens >= 1 {
                b.tokens -= 1
                buckets[key] = b
                return .keep
            }
            buckets[key] = b
            if drop { return .drop(reason: "ratelimit") }
            let wait = (1 - b.tokens) / rate
            Self.sleep(seconds: wait)
        }
    }

    static func sleep(seconds: Double) {
        var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        nanosleep(&ts, nil)
    }
}
