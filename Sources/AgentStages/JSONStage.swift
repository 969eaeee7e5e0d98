/// `json`: parses the line (or an extracted value) as a JSON object and extracts each expression's
/// result: a string or number as it is, anything else (objects, lists, booleans, null) as its
/// compact JSON text, as Promtail does. A line that is not JSON is left alone, or dropped with
/// `drop_malformed: true`.
struct JSONStage: Stage {
    let expressions: [(name: String, path: JMESPath)]
    let source: String?
    let dropMalformed: Bool

    init(_ settings: StageSettings) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "json")
        guard let pairs = try r.pairs("expressions"), !pairs.isEmpty else {
            throw StageError("line \(settings.line): the json stage needs expressions (name: JMESPath, or name: with an empty value for the key itself)")
        }
        var ex: [(String, JMESPath)] = []
        for (name, text) in pairs {
            do { ex.append((name, try JMESPath(text.isEmpty ? name : text))) } catch {
                throw StageError("line \(settings.line): json stage: \(error.message)")
            }
        }
        expressions = ex
        source = try r.string("source")
        dropMalformed = try r.bool("drop_malformed") ?? false
        try r.finish()
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        guard let input = e.source(source) else { return .keep }
        guard let doc = try? JSONValue.parse(input.utf8), case .object = doc else {
            return dropMalformed ? .drop(reason: "malformed_json") : .keep
        }
        for (name, path) in expressions {
            switch path.search(doc) {
            case .string(let s): e.extracted[name] = s
            case .number(let d): e.extracted[name] = JSONValue.formatNumber(d)
            case let v?: e.extracted[name] = v.compactText
            case nil: e.extracted[name] = "null"
            }
        }
        return .keep
    }
}
