import LogModel

/// One line filter stage: `|= "a"`, `!= "a"`, `|~ "re"`, `!~ "re"`, with `or` alternatives
/// (`|= "a" or "b"`, Loki 2.9+). A positive filter keeps a line matching any alternative; a
/// negative one keeps a line matching none of them.
public struct LineFilter: Sendable, Equatable, CustomStringConvertible {
    public enum Op: String, Sendable, Equatable, CaseIterable {
        case contains = "|=", notContains = "!=", matches = "|~", notMatches = "!~"
        /// `|> "<_> error <_>"`, `!> "…"`: Loki 3's pattern filters.
        case pattern = "|>", notPattern = "!>"

        public var isRegex: Bool { self == .matches || self == .notMatches }
        public var isPattern: Bool { self == .pattern || self == .notPattern }
        public var isNegative: Bool { self == .notContains || self == .notMatches || self == .notPattern }
    }

    public let op: Op
    /// The string and its `or` alternatives, in query order (at least one).
    public let values: [String]
    /// `|= ip("10.0.0.0/8")`: the values are address patterns (`|=` and `!=` only).
    public let ip: Bool

    public init(_ op: Op, _ values: [String], ip: Bool = false) {
        precondition(!values.isEmpty, "a line filter has at least one value")
        self.op = op
        self.values = values
        self.ip = ip
    }

    /// Loki's canonical form: values as Go-quoted double-quoted strings, `or` between alternatives.
    public var description: String {
        op.rawValue + " " + values.map { ip ? "ip(" + GoQuote.quote($0) + ")" : GoQuote.quote($0) }.joined(separator: " or ")
    }
}
