/// `limit`: at most `rate` lines a second with bursts of `burst` (per value of `by_label_name`
/// when given); past it a line waits for its turn — holding the file's reading back — or, with
/// `drop: true`, is dropped (reason `ratelimit_drop_stage`, Promtail's).
struct LimitStage: Stage {
    let rate: Double
    let burst: Double
    let drop: Bool
    let byLabel: String?
    let maxDistinct: Int
    let now: @Sendable () -> Int64
    /// Per key (one, "", without `by_label_name`).
    var buckets: [String: TokenBucket] = [:]

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
            var b = buckets[key] ?? TokenBucket(rate: rate, burst: burst)
            let wait = b.take(now: now())
            buckets[key] = b
            guard let wait else { return .keep }
            if drop { return .drop(reason: "ratelimit_drop_stage") }
            TokenBucket.sleep(seconds: wait)
        }
    }
}
