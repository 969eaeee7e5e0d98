/// `output`: the line becomes an extracted value.
struct OutputStage: Stage {
    let source: String

    init(_ settings: StageSettings) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "output")
        guard let s = try r.string("source"), !s.isEmpty else { throw StageError("line \(settings.line): the output stage needs a source") }
        source = s
        try r.finish()
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        if let v = e.extracted[source] { e.line = v }
        return .keep
    }
}
