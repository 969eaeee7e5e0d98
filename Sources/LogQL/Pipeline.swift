public import LogModel
import Codecs

/// A log query's stages compiled to run line by line: `process` takes a stored line and its
/// stream's labels and returns the line as the query shows it (nil: the pipeline dropped it), with
/// the labels the stages produced in `labels`. Stateful (`distinct` remembers what it has seen), so
/// one pipeline serves one query.
public struct Pipeline: Sendable {
    enum Stage: Sendable {
        case lineFilter(LineFilterMatcher)
        case json
        case jsonPaths([(name: String, path: [LineParsers.PathStep])])
        case logfmt(only: [(name: String, key: String)]?)
        case regexp(CompiledRegexp)
        case unpack
        case labelFilter(LabelFilterExpr)
        case drop([LabelSelection])
        case keep([LabelSelection])
        case decolorize
        case distinct([String])
    }

    let stages: [Stage]
    private var seen = Set<[String?]>()

    /// Whether the pipeline can change labels or drop lines beyond the pushed-down filters.
    public var isEmpty: Bool { stages.isEmpty }

    /// Compiles `query`'s stages. With `skipPushedDown`, the line filters that `query.filters`
    /// names (run on raw bytes as blocks decode) are left out.
    public init(_ query: LogQuery, skipPushedDown: Bool) throws(ParseError) {
        var out: [Stage] = []
        var pushedDown = skipPushedDown
        for s in query.stages {
            switch s {
            case .lineFilter(let f):
                if pushedDown { continue }
                do { out.append(.lineFilter(try LineFilterMatcher([f]))) } catch {
                    throw ParseError(whole: error.description)
                }
            case .json(let ex):
                if ex.isEmpty {
                    out.append(.json)
                } else {
                    var paths: [(name: String, path: [LineParsers.PathStep])] = []
                    for e in ex {
                        guard let p = LineParsers.path(e.expression) else { throw ParseError(whole: "invalid json expression \(GoQuote.quote(e.expression)) for label \(e.name)") }
                        paths.append((e.name, p))
                    }
                    out.append(.jsonPaths(paths))
                }
            case .logfmt(_, _, let ex):
                out.append(.logfmt(only: ex.isEmpty ? nil : ex.map { ($0.name, $0.expression) }))
            case .regexp(let re):
                do {
                    let compiled = try RE2Regex(re)
                    out.append(.regexp(CompiledRegexp(regex: compiled, names: compiled.captureNames)))
                } catch {
                    throw ParseError(whole: error.description)
                }
            case .unpack:
                out.append(.unpack)
                pushedDown = false
            case .labelFilter(let f): out.append(.labelFilter(f))
            case .drop(let l): out.append(.drop(l))
            case .keep(let l): out.append(.keep(l))
            case .decolorize:
                out.append(.decolorize)
                pushedDown = false
            case .distinct(let names):
                out.append(.distinct(names))
                pushedDown = false
            case .lineFormat:
                throw ParseError(whole: "line_format is not supported by this build yet")
            }
        }
        stages = out
    }

    /// Runs the stages on one line. Returns the (possibly rewritten) line, or nil when a stage
    /// dropped it; `labels` holds the result labels.
    public mutating func process(_ line: [UInt8], _ labels: inout LabelsBuilder) -> [UInt8]? {
        var line = line
        for stage in stages {
            switch stage {
            case .lineFilter(let m):
                if !m.matches(line) { return nil }
            case .json:
                line.withUnsafeBytes { LineParsers.json($0, &labels) }
            case .jsonPaths(let paths):
                line.withUnsafeBytes { LineParsers.json($0, &labels, extractions: paths) }
            case .logfmt(let only):
                line.withUnsafeBytes { LineParsers.logfmt($0, &labels, only: only) }
            case .regexp(let re):
                line.withUnsafeBytes { LineParsers.regexp($0, &labels, re) }
            case .unpack:
                if let entry = line.withUnsafeBytes({ LineParsers.unpack($0, &labels) }) { line = entry }
            case .labelFilter(let f):
                if !f.keeps(&labels) { return nil }
            case .drop(let list):
                labels.removeAll { l in list.contains { Self.selects($0, l) } }
            case .keep(let list):
                labels.removeAll { l in
                    l.name != LabelsBuilder.errorLabel && l.name != LabelsBuilder.errorDetailsLabel && !list.contains { Self.selects($0, l) }
                }
            case .decolorize:
                line = line.withUnsafeBytes { LineParsers.decolorize($0) }
            case .distinct(let names):
                let key = names.map { labels.get($0) }
                if key.allSatisfy({ $0 == nil }) { continue }
                if !seen.insert(key).inserted { return nil }
            }
        }
        return line
    }

    static func selects(_ s: LabelSelection, _ l: Label) -> Bool {
        switch s {
        case .name(let n): n == l.name
        case .matcher(let m): m.name == l.name && m.matches(value: l.value)
        }
    }
}
