public import Codecs

/// One matcher of a stream selector: `name = "v"`, `!=`, `=~` (regex, fully anchored as in Loki and
/// Prometheus) or `!~`. A stream without the label is matched as if its value were "".
public struct LabelMatcher: Sendable, Equatable, CustomStringConvertible {
    public enum Op: String, Sendable, CaseIterable {
        case equal = "=", notEqual = "!=", regex = "=~", notRegex = "!~"
    }

    public let name: String
    public let op: Op
    public let value: String
    private let regex: RE2Regex?

    public init(_ name: String, _ op: Op, _ value: String) throws(RE2Regex.CompileError) {
        self.name = name
        self.op = op
        self.value = value
        regex = op == .regex || op == .notRegex ? try RE2Regex(value) : nil
    }

    /// An equality matcher (cannot fail).
    public static func equal(_ name: String, _ value: String) -> LabelMatcher {
        try! LabelMatcher(name, .equal, value)
    }

    public func matches(value v: String) -> Bool {
        switch op {
        case .equal: v == value
        case .notEqual: v != value
        case .regex: regex!.matchesWhole(v)
        case .notRegex: !regex!.matchesWhole(v)
        }
    }

    public func matches(_ labels: LabelSet) -> Bool { matches(value: labels[name] ?? "") }

    /// Whether a stream lacking the label passes (such matchers cannot select streams on their own).
    public var matchesEmpty: Bool { matches(value: "") }

    /// `name="value"` with the value quoted as Loki prints it (Prometheus's matcher `%q`: Go's quoting).
    public var description: String { name + op.rawValue + GoQuote.quote(value) }

    public static func == (a: LabelMatcher, b: LabelMatcher) -> Bool {
        a.name == b.name && a.op == b.op && a.value == b.value
    }
}

extension [LabelMatcher] {
    public func matches(_ labels: LabelSet) -> Bool { allSatisfy { $0.matches(labels) } }
}
