/// A target's `pipeline_stages`, built once per target (stages that join lines keep their state
/// per file) and run in order on each line.
public struct AgentPipeline: Sendable {
    /// What stages may need from outside.
    public struct Context: Sendable {
        /// The current time, Unix nanoseconds (the `drop` stage's `older_than`).
        public var now: @Sendable () -> Int64
        public init(now: @escaping @Sendable () -> Int64) { self.now = now }
    }

    var stages: [any Stage]

    /// The stage names this agent implements.
    public static let implemented = ["docker", "cri", "regex", "json", "logfmt", "replace", "template", "labels", "static_labels",
                                     "labeldrop", "labelallow", "output", "timestamp", "tenant", "drop", "match", "pack", "limit"]
    /// Promtail stages not implemented yet: refused with a clear message rather than ignored.
    static let missing = ["multiline", "metrics", "geoip", "decolorize", "sampling", "eventlogmessage",
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
        default:
            if missing.contains(name) {
                throw StageError("line \(line): the \(name) stage is not implemented in skald-agent yet; remove it or run Promtail for this job")
            }
            throw StageError("line \(line): unknown pipeline stage \"\(name)\"; stages are \(implemented.joined(separator: ", "))")
        }
    }

    public var isEmpty: Bool { stages.isEmpty }

    /// Whether some stage holds lines not given back yet: the file's position must wait for them.
    public var holding: Bool { stages.contains { $0.holding } }

    /// Runs every stage on `entry`, stopping at the first that drops or holds it.
    public mutating func process(_ entry: inout AgentEntry) -> StageOutcome {
        for i in stages.indices {
            let outcome = stages[i].process(&entry)
            if outcome != .keep { return outcome }
        }
        return .keep
    }
}
