import LogModel
import LogQL

/// `match`: when an entry's labels (and line, for a selector with line filters) match `selector`
/// (LogQL, e.g. `{app="web"} |= "error"`), runs the nested `stages` on it — or, with
/// `action: drop`, drops it (counted under `drop_counter_reason`, default `match_stage`).
/// Entries that do not match pass unchanged.
struct MatchStage: Stage {
    let query: LogQuery
    var filter: LogQL.Pipeline
    var nested: AgentPipeline?
    let drop: Bool
    let reason: String
    /// Entries the nested stages released along with the current one, given back by `release`.
    var pendingOut: [AgentEntry] = []

    var heldFrom: Int64? { nested?.heldFrom }

    mutating func release(now: Int64?) -> [AgentEntry] {
        // What the nested stages finish with has been through them all already.
        var out = pendingOut
        pendingOut = []
        if let now, var n = nested {
            out += n.flush(now: now).compactMap { $0.outcome == .keep ? $0.entry : nil }
            nested = n
        }
        return out
    }

    init(_ settings: StageSettings, context: AgentPipeline.Context) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "match")
        guard let selector = try r.string("selector"), !selector.isEmpty else {
            throw StageError("line \(settings.line): the match stage needs a selector, e.g. '{app=\"web\"}'")
        }
        do {
            query = try QueryParser.parse(selector)
            filter = try LogQL.Pipeline(query, skipPushedDown: false)
        } catch {
            throw StageError("line \(settings.line): match stage: invalid selector \(selector): \(error)")
        }
        switch try r.string("action") ?? "keep" {
        case "keep": drop = false
        case "drop": drop = true
        case let other: throw StageError("line \(settings.line): match.action must be keep or drop, got \"\(other)\"")
        }
        reason = try r.string("drop_counter_reason") ?? "match_stage"
        _ = try r.string("pipeline_name")
        if let stages = r.value("stages") {
            guard !drop else { throw StageError("line \(settings.line): a match stage with action: drop takes no stages") }
            guard case .list(let items) = stages.value else { throw StageError("line \(stages.line): match.stages wants a list of stages") }
            nested = try AgentPipeline(items, context: context)
        } else {
            guard drop else { throw StageError("line \(settings.line): a match stage with action: keep needs stages") }
            nested = nil
        }
        try r.finish()
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        // The matchers read the entry's labels in place; a label set is built only for line filters.
        guard query.matchers.allSatisfy({ $0.matches(value: e.labels[$0.name] ?? "") }) else { return .keep }
        if !query.stages.isEmpty {
            var b = LabelsBuilder(LabelSet(e.labels.map { Label($0.key, $0.value) }))
            guard filter.process(Array(e.line.utf8), &b, timestamp: e.timestamp) != nil else { return .keep }
        }
        if drop { return .drop(reason: reason) }
        guard var n = nested else { return .keep }
        let r = n.process(e)
        nested = n
        // Entries a nested multiline finished go on after this stage, through `release`.
        pendingOut += r.released.compactMap { $0.outcome == .keep ? $0.entry : nil }
        e = r.entry
        return r.outcome
    }
}
