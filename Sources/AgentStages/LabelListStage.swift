/// `labeldrop` (remove the listed labels) and `labelallow` (keep only the listed labels).
struct LabelListStage: Stage {
    let names: Set<String>
    let allow: Bool

    init(_ settings: StageSettings, allow: Bool) throws(StageError) {
        let stage = allow ? "labelallow" : "labeldrop"
        guard case .list(let items) = settings.value else {
            throw StageError("line \(settings.line): the \(stage) stage wants a list of label names")
        }
        var names = Set<String>()
        for i in items {
            guard let s = i.scalar else { throw StageError("line \(i.line): items of \(stage) must be label names") }
            names.insert(s)
        }
        self.names = names
        self.allow = allow
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        if allow {
            e.labels.removeAll { !names.contains($0.key) && !$0.key.hasPrefix("__") }
        } else {
            for k in names { e.labels[k] = nil }
        }
        return .keep
    }
}
