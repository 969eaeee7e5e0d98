/// A parsed Go `text/template`: `{{.label}}`, pipes, `if/else/range/with`, variables, and the
/// functions it was given plus Go's builtins. Executes against a value (Loki gives the labels, a
/// `map[string]string`, so a missing key prints "" — Go's `missingkey=zero`).
///
/// Not supported: `define`, `template`, `block` (one template per stage, as Loki uses them).
public struct Template: Sendable {
    /// The name in error messages (`line` for line_format, `label` for label_format).
    public let name: String
    let root: [TemplateNode]
    let src: [UInt8]
    let functions: [String: TemplateFunction]
    /// The functions the template calls (to skip work the caller need not do: `__line__`…).
    public let functionsUsed: Set<String>
    /// The data fields (`.name`) the template reads anywhere, like Loki's `RequiredLabelNames`.
    public let fieldsUsed: Set<String>
    /// Whether the template reads dot or a variable itself (`range .`, `$`, `with`), so it may see
    /// any field, not only `fieldsUsed`.
    public let readsWholeData: Bool

    public init(name: String, text: String, functions: [String: TemplateFunction]) throws(TemplateError) {
        var p = try TemplateParser(name: name, text: text, functions: Set(functions.keys))
        root = try p.parse()
        self.name = name
        self.src = p.src
        self.functions = functions
        functionsUsed = p.used
        var fields = Set<String>()
        var whole = false
        for t in p.tokens {
            switch t.kind {
            case .field(let f): fields.insert(f)
            case .dot, .variable: whole = true
            case .identifier(let w) where w == "with" || w == "range": whole = true
            default: break
            }
        }
        fieldsUsed = fields
        readsWholeData = whole
    }

    /// Runs the template with `data` as dot and `$`, and `record` for the functions that read the
    /// current line and time.
    public func execute(_ data: TemplateValue, record: TemplateRecord = TemplateRecord()) throws(TemplateError) -> String {
        var e = TemplateExecutor(template: self, record: record, variables: [("$", data)])
        var out = ""
        _ = try e.walk(root, dot: data, into: &out)
        return out
    }
}

/// What functions may read about the record being formatted (Loki's `__line__`, `__timestamp__`).
public struct TemplateRecord: Sendable {
    public var line: String
    public var timestampNanos: Int64

    public init(line: String = "", timestampNanos: Int64 = 0) {
        self.line = line
        self.timestampNanos = timestampNanos
    }
}

/// A function a template can call: its parameter types (Go checks them, and converts number
/// literals to them), and its body. A thrown error becomes `error calling NAME: …`.
public struct TemplateFunction: Sendable {
    /// Go parameter types the engine tells apart.
    public enum Parameter: Sendable {
        /// `interface{}`: anything (a number literal becomes an int or a float64 by how it is written).
        case any
        case string, int, float, time
    }

    public let parameters: [Parameter]
    /// The type of further arguments (a variadic function), nil when the count is fixed.
    public let variadic: Parameter?
    public let body: @Sendable ([TemplateValue], TemplateRecord) throws(TemplateError) -> TemplateValue

    public init(_ parameters: [Parameter], variadic: Parameter? = nil,
                _ body: @escaping @Sendable ([TemplateValue], TemplateRecord) throws(TemplateError) -> TemplateValue) {
        self.parameters = parameters
        self.variadic = variadic
        self.body = body
    }
}
