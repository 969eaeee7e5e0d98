public import LogModel

/// A label filter stage's expression: `level="error"`, `status >= 500`, `latency > 250ms`,
/// `size < 1KB`, combined with `and` (also `,` or a space) and `or`.
public indirect enum LabelFilterExpr: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, Equatable {
        case equal = "==", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="

        func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
            switch self {
            case .equal: a == b
            case .notEqual: a != b
            case .greater: a > b
            case .greaterOrEqual: a >= b
            case .less: a < b
            case .lessOrEqual: a <= b
            }
        }
    }

    /// Compares the label's text (a missing label compares as ""); the only filter that can test
    /// `__error__`.
    case string(LabelMatcher)
    case number(String, Comparison, Double)
    /// Nanoseconds; the label's value is read as a Go duration (`1.5s`, `250ms`).
    case duration(String, Comparison, Int64)
    /// Bytes; the label's value is read as a size (`10KB`, `2MiB`, `512`).
    case bytes(String, Comparison, UInt64)
    /// `addr = ip("10.0.0.0/8")` (`negated`: `!=`): the label's value holds an address in range.
    case ip(String, negated: Bool, IPFilter)
    case and(LabelFilterExpr, LabelFilterExpr)
    case or(LabelFilterExpr, LabelFilterExpr)

    /// The label names the filter reads.
    public var names: Set<String> {
        switch self {
        case .string(let m): [m.name]
        case .number(let n, _, _), .duration(let n, _, _), .bytes(let n, _, _), .ip(let n, _, _): [n]
        case .and(let l, let r), .or(let l, let r): l.names.union(r.names)
        }
    }

    public var description: String {
        switch self {
        case .string(let m): m.description
        case .number(let n, let c, let v): n + c.rawValue + GoFloat.format(v)
        case .duration(let n, let c, let v): n + c.rawValue + TimeParser.formatDuration(v)
        case .bytes(let n, let c, let v): n + c.rawValue + ByteSize.format(v)
        case .ip(let n, let negated, let f): n + (negated ? "!=" : "=") + "ip(" + GoQuote.quote(f.pattern) + ")"
        case .and(let l, let r): "( \(l) , \(r) )"
        case .or(let l, let r): "( \(l) or \(r) )"
        }
    }

    /// Loki's rule: a line is kept or not by the filter; a value that cannot be converted keeps the
    /// line and marks it with `__error__="LabelFilterErr"` (and the reason in `__error_details__`),
    /// and once a line has an error only string filters can drop it.
    func keeps(_ b: inout LabelsBuilder) -> Bool {
        switch self {
        case .string(let m):
            if m.name == LabelsBuilder.errorLabel { return m.matches(value: b.error ?? "") }
            return m.matches(value: b.get(m.name) ?? "")
        case .number(let n, let c, let v): return Self.compare(&b, n, c, v, LabelValue.number, LabelValue.notNumber)
        case .duration(let n, let c, let v): return Self.compare(&b, n, c, v, LabelValue.duration, LabelValue.notDuration)
        case .bytes(let n, let c, let v): return Self.compare(&b, n, c, v, LabelValue.bytes, LabelValue.notNumber)
        case .ip(let n, let negated, let f):
            // Loki: a line with an error passes, a missing label fails.
            if b.error != nil { return true }
            guard let value = b.get(n) else { return false }
            var v = value
            let inRange = v.withUTF8 { f.matches(UnsafeRawBufferPointer($0)) }
            return inRange != negated
        case .and(let l, let r):
            let a = l.keeps(&b)
            let c = r.keeps(&b)
            return a && c
        case .or(let l, let r):
            if l.keeps(&b) { return true }
            return r.keeps(&b)
        }
    }

    /// A typed comparison: a line with an error passes, a missing label fails, a value that does not
    /// convert passes with `LabelFilterErr`.
    private static func compare<T: Comparable>(_ b: inout LabelsBuilder, _ name: String, _ c: Comparison, _ v: T,
                                               _ parse: (String) -> T?, _ complaint: (String) -> String) -> Bool {
        if b.error != nil { return true }
        guard let text = b.get(name) else { return false }
        guard let x = parse(text) else {
            b.setError("LabelFilterErr", details: complaint(text))
            return true
        }
        return c.holds(x, v)
    }
}
