import Codecs
import GoTemplate

/// `replace`: replaces what `expression` matches in the line (or an extracted value) with `replace`,
/// a Go template that sees `.Value` (the matched text) and every extracted value. With capture
/// groups only the groups' text is replaced, as Promtail does; named groups are also extracted.
struct ReplaceStage: Stage {
    let regex: RE2Regex
    let names: [String]
    let source: String?
    let replacement: Template

    init(_ settings: StageSettings) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "replace")
        guard let expression = try r.string("expression"), !expression.isEmpty else {
            throw StageError("line \(settings.line): the replace stage needs an expression")
        }
        source = try r.string("source")
        replacement = try TemplateStage.compile(try r.string("replace") ?? "", stage: "replace", line: settings.line)
        try r.finish()
        do { regex = try RE2Regex(expression) } catch {
            throw StageError("line \(settings.line): could not compile the replace stage's expression: \(error)")
        }
        names = regex.captureNames
    }

    func expand(_ matched: String, _ e: AgentEntry) -> String {
        (try? replacement.execute(TemplateStage.data(e, value: matched))) ?? matched
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        guard let input = e.source(source) else { return .keep }
        let bytes = Array(input.utf8)
        var out: [UInt8] = []
        var at = 0
        var matchedAny = false
        while at <= bytes.count {
            guard let m = bytes.withUnsafeBytes({ regex.match($0, from: at, groups: names.count) }), let whole = m[0] else { break }
            matchedAny = true
            for (i, name) in names.enumerated() where !name.isEmpty {
                e.extracted[name] = m[i + 1].map { String(decoding: bytes[$0], as: UTF8.self) } ?? ""
            }
            out += bytes[at..<whole.lowerBound]
            if names.isEmpty {
                out += Array(expand(String(decoding: bytes[whole], as: UTF8.self), e).utf8)
            } else {
                // Each group's text is replaced; the text between groups stays.
                var p = whole.lowerBound
                for g in m.dropFirst() {
                    guard let g else { continue }
                    out += bytes[p..<g.lowerBound]
                    out += Array(expand(String(decoding: bytes[g], as: UTF8.self), e).utf8)
                    p = g.upperBound
                }
                out += bytes[p..<whole.upperBound]
            }
            if whole.isEmpty {
                if whole.upperBound < bytes.count { out.append(bytes[whole.upperBound]) }
                at = whole.upperBound + 1
            } else {
                at = whole.upperBound
            }
        }
        guard matchedAny else { return .keep }
        if at < bytes.count { out += bytes[at...] }
        let result = String(decoding: out, as: UTF8.self)
        if let source, !source.isEmpty { e.extracted[source] = result } else { e.line = result }
        return .keep
    }
}
