public import LogModel

/// A log query: a stream selector and the pipeline after it, stage by stage in query order.
public struct LogQuery: Sendable, Equatable, CustomStringConvertible {
    public let matchers: [LabelMatcher]
    public let stages: [PipelineStage]

    public init(matchers: [LabelMatcher], stages: [PipelineStage] = []) {
        self.matchers = matchers
        self.stages = stages
    }

    /// A selector with line filters only.
    public init(matchers: [LabelMatcher], filters: [LineFilter]) {
        self.init(matchers: matchers, stages: filters.map { .lineFilter($0) })
    }

    /// The line filters that can run on raw line bytes as blocks decode: every one before the first
    /// stage that rewrites the line or depends on which lines came before it (`line_format`,
    /// `decolorize`, `unpack`, `distinct`). Other parsers and label filters read the line without
    /// changing it, so filters after them still see the stored line.
    public var filters: [LineFilter] {
        var out: [LineFilter] = []
        for s in stages {
            switch s {
            case .lineFilter(let f): out.append(f)
            case .decolorize, .distinct, .lineFormat, .unpack: return out
            default: continue // label_format too: it leaves the line alone
            }
        }
        return out
    }

    /// Whether every stage is a line filter (the pushed-down filters answer the query alone).
    public var isFilterOnly: Bool {
        stages.allSatisfy { if case .lineFilter = $0 { true } else { false } }
    }

    /// Loki's canonical form, as `format_query` prints it: `{app="api", env=~"prod|qa"} |= "x" | json`.
    public var description: String {
        var s = "{" + matchers.map(\.description).joined(separator: ", ") + "}"
        for st in stages { s += " " + st.description }
        return s
    }
}
