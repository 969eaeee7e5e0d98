@testable import AgentStages

/// Builds stage settings the way the config reader would (line numbers are made up).
enum S {
    static func map(_ pairs: [(String, StageSettings)]) -> StageSettings { StageSettings(.map(pairs.map { (key: $0.0, value: $0.1) }), line: 1) }
    static func v(_ s: String) -> StageSettings { StageSettings(.scalar(s), line: 1) }
    static func list(_ items: [StageSettings]) -> StageSettings { StageSettings(.list(items), line: 1) }
    static let null = StageSettings(.null, line: 1)
    /// One `- name: settings` item.
    static func stage(_ name: String, _ settings: StageSettings) -> StageSettings { map([(name, settings)]) }

    static func pipeline(_ items: StageSettings..., now: Int64 = 1_700_000_000_000_000_000) throws -> AgentPipeline {
        try AgentPipeline(items, context: .init(now: { now }))
    }
}

func entry(_ line: String, labels: LabelMap = ["job": "test"], ts: Int64 = 1) -> AgentEntry {
    AgentEntry(labels: labels, timestamp: ts, line: line)
}
