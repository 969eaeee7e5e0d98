public import LogModel

/// One stage of a log pipeline after the stream selector.
public enum PipelineStage: Sendable, Equatable, CustomStringConvertible {
    case lineFilter(LineFilter)
    /// `| json` (every field, flattened with `_`), or `| json a="b.c", d="e[0]"` (extractions).
    case json([LabelExtraction])
    /// `| logfmt` with its flags (`--strict`, `--keep-empty`) and optional extractions.
    case logfmt(strict: Bool, keepEmpty: Bool, [LabelExtraction])
    /// `| regexp "(?P<name>…)"`: named groups become labels.
    case regexp(String)
    /// `| unpack`: a JSON object's string fields become labels; `_entry` replaces the line.
    case unpack
    /// `| pattern "<ip> - <_> <status>"`: captures become labels.
    case pattern(String)
    case labelFilter(LabelFilterExpr)
    /// `| drop a, b="x"`: removes labels (a matcher removes the label only when it matches).
    case drop([LabelSelection])
    /// `| keep a, b="x"`: keeps only these labels.
    case keep([LabelSelection])
    /// `| decolorize`: strips ANSI colour sequences from the line.
    case decolorize
    /// `| distinct a, b`: keeps the first line of each combination of these labels' values.
    case distinct([String])
    /// `| line_format "…"`: the line becomes the Go template's output (labels as its data).
    case lineFormat(String)
    /// `| label_format a="{{…}}", b=c`: set labels from templates, or rename them.
    case labelFormat([LabelFormat])

    /// Whether the stage creates labels from the line.
    public var isParser: Bool {
        switch self {
        case .json, .logfmt, .regexp, .unpack, .pattern: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .lineFilter(let f): return f.description
        case .json(let ex): return ex.isEmpty ? "| json" : "| json " + ex.map(\.description).joined(separator: ",")
        case .logfmt(let strict, let keepEmpty, let ex):
            var s = "| logfmt"
            if strict { s += " --strict" }
            if keepEmpty { s += " --keep-empty" }
            if !ex.isEmpty { s += " " + ex.map(\.description).joined(separator: ",") }
            return s
        case .regexp(let re): return "| regexp " + GoQuote.quote(re)
        case .unpack: return "| unpack"
        case .pattern(let p): return "| pattern " + GoQuote.quote(p)
        case .labelFilter(let f): return "| " + f.description
        case .drop(let l): return "| drop " + l.map(\.description).joined(separator: ",")
        case .keep(let l): return "| keep " + l.map(\.description).joined(separator: ",")
        case .decolorize: return "| decolorize"
        case .distinct(let names): return "| distinct " + names.joined(separator: ",")
        case .lineFormat(let t): return "| line_format " + GoQuote.quote(t)
        case .labelFormat(let l): return "| label_format " + l.map(\.description).joined(separator: ",")
        }
    }
}

/// `name="expression"` in `| json` and `| logfmt`: the label to set and where its value is.
public struct LabelExtraction: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let expression: String

    public init(name: String, expression: String) {
        self.name = name
        self.expression = expression
    }

    public var description: String { name + "=" + GoQuote.quote(expression) }
}

/// A label named in `drop` or `keep`: by name, or by a matcher on its value.
public enum LabelSelection: Sendable, Equatable, CustomStringConvertible {
    case name(String)
    case matcher(LabelMatcher)

    public var name: String {
        switch self {
        case .name(let n): n
        case .matcher(let m): m.name
        }
    }

    public var description: String {
        switch self {
        case .name(let n): n
        case .matcher(let m): m.description
        }
    }
}
