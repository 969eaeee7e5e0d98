/// A value inside a running template: Go's `interface{}` cut down to what Loki's templates meet
/// (labels are strings; numbers come from literals and arithmetic; maps and lists from `fromJson`).
public enum TemplateValue: Sendable, Equatable {
    /// Go's nil (a missing key of a generic map, `nil`): prints `<no value>`.
    case missing
    case string(String)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case time(TemplateTime)
    /// A `map[string]string`, as the labels a template formats are given: a missing key reads as "".
    case labels([String: String])
    /// A `map[string]interface{}` (`fromJson`): a missing key reads as nil.
    case map([String: TemplateValue])
    case list([TemplateValue])

    /// Go's type name, for error messages (`expected int; got string`).
    public var typeName: String {
        switch self {
        case .missing: "<nil>"
        case .string: "string"
        case .int: "int"
        case .float: "float64"
        case .bool: "bool"
        case .time: "time.Time"
        case .labels: "map[string]string"
        case .map: "map[string]interface {}"
        case .list: "[]interface {}"
        }
    }

    /// Go's truth for `if`, `with`, `and`, `or`, `not`: false, 0, nil, and empty strings and
    /// collections are false; everything else (a time, "0") is true.
    public var isTrue: Bool {
        switch self {
        case .missing: false
        case .string(let s): !s.isEmpty
        case .int(let i): i != 0
        case .float(let f): f != 0
        case .bool(let b): b
        case .time: true
        case .labels(let m): !m.isEmpty
        case .map(let m): !m.isEmpty
        case .list(let l): !l.isEmpty
        }
    }

    /// How `{{ value }}` prints it: Go's `fmt.Print` (`%v`), with nil as `<no value>`.
    public var printed: String {
        if case .missing = self { return "<no value>" }
        return GoFormat.value(self)
    }
}
