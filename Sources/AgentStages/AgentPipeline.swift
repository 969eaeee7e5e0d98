/// A target's `pipeline_stages`, built once per target (stages that join lines keep their state
/// per file) and run in order on each line.
public struct AgentPipeline: Sendable {
    /// What stages may need from outside.
    public struct Context: Sendable {
        /// The current time, Unix nanoseconds (the `drop` stage's `older_than`).
        public var now: @Sendable () -> Int64
        /// Where `metrics` stages keep their series (the agent's `/metrics` renders it).
        public var metrics: CustomMetrics
        public init(now: @escaping @Sendable () -> Int64, metrics: CustomMetrics = CustomMetrics()) {
            self.now = now
            self.metrics = metrics
        }
    }

    var stages: [any Stage]

    /// The stage names this agent implements.
    public static let implemented = ["docker", "cri", "regex", "json", "logfmt", "replace", "template", "labels", "static_labels",
                                     "labeldrop", "labelallow", "output", "timestamp", "tenant", "drop", "match", "pack", "limit", "multiline", "metrics"]
    /// Promtail stages not implemented yet: refused with a clear message rather than ignored.
    static let missing = ["geoip", "decolorize", "sampling", "eventlogmessage",
                          "luhn", "structured_metadata", "json_expressions"]

    /// Builds the stages of `items` (each a one-key mapping: stage name → settings).
    public init(_ items: [StageSettings], context: AgentPipeline.Context) throws(StageError) {
        var stages: [any Stage] = []
        for item in items {
            guard case .map(let m) = item.value, m.count == 1, let (name, settings) = m.first else {
                throw StageError("line \(item.line): each pipeline stage is a mapping with exactly one key, the stage's name (e.g. - cri: {})")
            }
            stages.append(try Self.stage(name, settings, line: item.line, context: context))
        }
        self.stages = stages
    }

    static func stage(_ name: String, _ s: StageSettings, line: Int, context: Context) throws(StageError) -> any Stage {
        switch name {
        case "docker": return try DockerStage(s)
        case "cri": return try CRIStage(s)
        case "regex": return try RegexStage(s)
        case "json": return try JSONStage(s)
        case "logfmt": return try LogfmtStage(s)
        case "replace": return try ReplaceStage(s)
        case "template": return try TemplateStage(s)
        case "labels": return try LabelsStage(s)
        case "static_labels": return try StaticLabelsStage(s)
        case "labeldrop": return try LabelListStage(s, allow: false)
        case "labelallow": return try LabelListStage(s, allow: true)
        case "output": return try OutputStage(s)
        case "timestamp": return try TimestampStage(s)
        case "tenant": return try TenantStage(s)
        case "drop": return try DropStage(s, now: context.now)
        case "match": return try MatchStage(s, context: context)
        case "pack": return try PackStage(s, now: context.now)
        case "limit": return try LimitStage(s, now: context.now)
        case "multiline": return try MultilineStage(s, now: context.now)
        case "metrics": return try MetricsStage(s, context: context)
        default:
            if missing.contains(name) {
                throw StageError("line \(line): the \(name) stage is not implemented in skald-agent yet; remove it or run Promtail for this job")
            }
            throw StageError("line \(line): unknown pipeline stage \"\(name)\"; stages are \(implemented.joined(separator: ", "))")
        }
    }

    public var isEmpty: Bool { stages.isEmpty }

    /// The file offset of the earliest line some stage still holds: the file's position waits there.
    public var heldFrom: Int64? { stages.compactMap(\.heldFrom).min() }

    /// What one line came to: its own outcome (and the entry as the stages left it), and the
    /// entries stages released on the way (finished multiline blocks), each with its outcome from
    /// the stages after the one that released it — in the order they are to be sent.
    public struct Result: Sendable {
        public var entry: AgentEntry
        public var outcome: StageOutcome
        public var released: [(entry: AgentEntry, outcome: StageOutcome)] = []
    }

    /// Runs the stages on `entry`.
    public mutating func process(_ entry: AgentEntry) -> Result {
        var released: [(entry: AgentEntry, outcome: StageOutcome)] = []
        var e = entry
        let outcome = run(&e, from: 0, released: &released)
        return Result(entry: e, outcome: outcome, released: released)
    }

    /// Runs the stages on `entry` in place, for callers that need only its outcome (tests).
    public mutating func process(_ entry: inout AgentEntry) -> StageOutcome {
        let r = process(entry)
        entry = r.entry
        return r.outcome
    }

    private mutating func run(_ e: inout AgentEntry, from first: Int, released: inout [(entry: AgentEntry, outcome: StageOutcome)]) -> StageOutcome {
        var i = first
        while i < stages.count {
            let outcome = stages[i].process(&e)
            for var r in stages[i].release(now: nil) {
                let o = run(&r, from: i + 1, released: &released)
                if o != .held { released.append((r, o)) }
            }
            if outcome != .keep { return outcome }
            i += 1
        }
        return .keep
    }

    /// Entries stages give up because they waited long enough (`max_wait_time`), through the
    /// stages after each, with their outcomes.
    public mutating func flush(now: Int64) -> [(entry: AgentEntry, outcome: StageOutcome)] {
        var out: [(entry: AgentEntry, outcome: StageOutcome)] = []
        for i in stages.indices {
            for var r in stages[i].release(now: now) {
                let o = run(&r, from: i + 1, released: &out)
                if o != .held { out.append((r, o)) }
            }
        }
        return out
    }
}
