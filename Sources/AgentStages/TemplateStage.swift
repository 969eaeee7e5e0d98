import GoTemplate
import LogQL

/// `template`: sets the extracted value `source` to a Go template's output; the template sees
/// `.Value` (the current value of `source`) and every extracted value by name, with the functions
/// Loki's templates have (`ToUpper`, `Replace`, `regexReplaceAll`, Sprig's subset …).
struct TemplateStage: Stage {
    let source: String
    let template: Template

    init(_ settings: StageSettings) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "template")
        guard let source = try r.string("source"), !source.isEmpty else {
            throw StageError("line \(settings.line): the template stage needs a source (the extracted value to set)")
        }
        self.source = source
        template = try Self.compile(try r.string("template") ?? "", stage: "template", line: settings.line)
        try r.finish()
    }

    static func compile(_ text: String, stage: String, line: Int) throws(StageError) -> Template {
        do { return try Template(name: stage, text: text, functions: TemplateFunctions.all) } catch {
            throw StageError("line \(line): the \(stage) stage's template does not parse: \(error)")
        }
    }

    static func data(_ e: AgentEntry, value: String?) -> TemplateValue {
        var m: [String: TemplateValue] = [:]
        for (k, v) in e.extracted { m[k] = .string(v) }
        if let value { m["Value"] = .string(value) }
        return .map(m)
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        guard let out = try? template.execute(Self.data(e, value: e.extracted[source]), record: TemplateRecord(line: e.line, timestampNanos: e.timestamp)) else {
            return .keep
        }
        e.extracted[source] = out
        return .keep
    }
}
