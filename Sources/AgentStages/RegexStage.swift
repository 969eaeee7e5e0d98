import Codecs

/// `regex`: matches `expression` (RE2, unanchored) against the line or an extracted value and
/// extracts every named group (an unmatched group as ""). No match leaves the entry as it was.
struct RegexStage: Stage {
    let regex: RE2Regex
    let names: [String]
    let source: String?

    init(_ settings: StageSettings) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "regex")
        guard let expression = try r.string("expression"), !expression.isEmpty else {
            throw StageError("line \(settings.line): the regex stage needs an expression")
        }
        source = try r.string("source")
        try r.finish()
        do { regex = try RE2Regex(expression) } catch {
            throw StageError("line \(settings.line): could not compile the regex stage's expression: \(error)")
        }
        names = regex.captureNames
        guard names.contains(where: { !$0.isEmpty }) else {
            throw StageError("line \(settings.line): the regex stage's expression has no named capture group, (?P<name>...), so it would extract nothing")
        }
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        guard let input = e.source(source) else { return .keep }
        let bytes = Array(input.utf8)
        guard let groups = bytes.withUnsafeBytes({ regex.match($0, from: 0, groups: names.count) }) else { return .keep }
        for (i, name) in names.enumerated() where !name.isEmpty {
            e.extracted[name] = groups[i + 1].map { String(decoding: bytes[$0], as: UTF8.self) } ?? ""
        }
        return .keep
    }
}
