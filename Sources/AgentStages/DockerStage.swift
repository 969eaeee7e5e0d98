import LogModel

/// `docker`: reads Docker's json-file lines (`{"log":"…","stream":"stdout","time":"…"}`): the line
/// becomes `log` (its newline kept, as Promtail keeps it), `stream` becomes a label, `time` the
/// timestamp; `output`, `stream` and `timestamp` are extracted. Other lines pass unchanged.
struct DockerStage: Stage {
    init(_ settings: StageSettings) throws(StageError) {
        let r = try StageConfigReader(settings, stage: "docker")
        try r.finish()
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        guard let doc = try? JSONValue.parse(e.line.utf8), case .object = doc else { return .keep }
        if case .string(let log)? = doc["log"] {
            e.extracted["output"] = log
            e.line = log
        }
        if case .string(let stream)? = doc["stream"] {
            e.extracted["stream"] = stream
            if !stream.isEmpty { e.labels["stream"] = stream }
        }
        if case .string(let time)? = doc["time"] {
            e.extracted["timestamp"] = time
            if let ns = TimeParser.rfc3339(time) { e.timestamp = ns }
        }
        return .keep
    }
}
