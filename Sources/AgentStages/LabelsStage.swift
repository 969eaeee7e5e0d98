import LogModel

/// `labels`: sets labels from extracted values (`name: source`, an empty source meaning the name
/// itself). A missing or empty value sets nothing; a value that is not valid UTF-8 cannot occur
/// (extracted values are Swift strings).
struct LabelsStage: Stage {
    let pairs: [(name: String, source: String)]

    init(_ settings: StageSettings) throws(StageError) {
        let raw = try StageConfigReader.pairs(settings, what: "labels")
        guard !raw.isEmpty else { throw StageError("line \(settings.line): the labels stage needs at least one label") }
        for (n, _) in raw where !LabelName.isValid(n) {
            throw StageError("line \(settings.line): labels stage: invalid label name \"\(n)\"")
        }
        pairs = raw.map { ($0.0, $0.1.isEmpty ? $0.0 : $0.1) }
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        for (name, source) in pairs {
            if let v = e.extracted[source], !v.isEmpty { e.labels[name] = v }
        }
        return .keep
    }
}
