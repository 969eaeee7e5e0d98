public import LogModel

/// A log query: a stream selector and the line filters after it, in order. (Parsers, label
/// filters, formatting stages and metric queries are parsed once the engine runs them.)
public struct LogQuery: Sendable, Equatable, CustomStringConvertible {
    public let matchers: [LabelMatcher]
    public let filters: [LineFilter]

    public init(matchers: [LabelMatcher], filters: [LineFilter] = []) {
        self.matchers = matchers
        self.filters = filters
    }

    /// Loki's canonical form, as `format_query` prints it: `{app="api", env=~"prod|qa"} |= "x" != "y"`.
    public var description: String {
        var s = "{" + matchers.map(\.description).joined(separator: ", ") + "}"
        for f in filters { s += " " + f.description }
        return s
    }
}
