/// `pack`: wraps the line and the listed labels (or extracted values) into one JSON object —
/// `{"<name>":"<value>",…,"_entry":"<line>"}`, names sorted — and removes those labels from the
/// stream, so many small streams become one (Loki's `| unpack` restores them). With
/// `ingest_timestamp` (the default) the entry takes the time it was packed, as Promtail does.
struct PackStage: Stage {
    let names: [String]
    let ingestTimestamp: Bool
    let now: @Sendable () -> Int64

    init(_ settings: StageSettings, now: @escaping @Sendable () -> Int64) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "pack")
        guard let names = try r.strings("labels"), !names.isEmpty else { throw StageError("line \(settings.line): the pack stage needs labels to pack") }
        self.names = names.sorted()
        ingestTimestamp = try r.bool("ingest_timestamp") ?? true
        try r.finish()
        self.now = now
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        var out = "{"
        for n in names {
            guard let v = e.extracted[n] ?? e.labels[n] else { continue }
            e.labels[n] = nil
            out += JSONValue.quote(n) + ":" + JSONValue.quote(v) + ","
        }
        out += "\"_entry\":" + JSONValue.quote(e.line) + "}"
        e.line = out
        if ingestTimestamp { e.timestamp = now() }
        return .keep
    }
}
