import LogModel

/// `static_labels`: sets fixed labels.
struct StaticLabelsStage: Stage {
    let pairs: [(String, String)]

    init(_ settings: StageSettings) throws(StageError) {
        pairs = try StageConfigReader.pairs(settings, what: "static_labels")
        for (n, _) in pairs where !LabelName.isValid(n) {
            throw StageError("line \(settings.line): static_labels stage: invalid label name \"\(n)\"")
        }
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        for (n, v) in pairs { e.labels[n] = v.isEmpty ? nil : v }
        return .keep
    }
}
