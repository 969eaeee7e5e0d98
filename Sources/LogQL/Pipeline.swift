public import LogModel
import Codecs
import GoTemplate

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
        case pattern(PatternExpr)
        case labelFilter(LabelFilterExpr)
        case drop([LabelSelection])
        case keep([LabelSelection])
        case decolorize
        case distinct([String])
        case lineFormat(Template)
        case labelFormat([CompiledLabelFormat])
    }

    /// Each stage as the per-line loop reads it: what to do and where its data lies in `data`.
    /// Plain values: reading one costs no reference counting (switching over `Stage` itself made
    /// a copy of the whole stage, every reference in it retained and released, per stage per line).
    enum Step {
        case lineFilter(Int), json, jsonPaths(Int), logfmt(Int), regexp(Int), unpack, pattern(Int)
        case labelFilter(Int), drop(Int), keep(Int), decolorize, distinct(Int), lineFormat(Int), labelFormat(Int)
    }

    /// The stages' data, by kind, indexed by their `Step`s.
    struct StageData: Sendable {
        var lineFilters: [LineFilterMatcher] = []
        var jsonPaths: [[(name: String, path: [LineParsers.PathStep])]] = []
        var logfmts: [[(name: String, key: String)]?] = []
        var regexps: [CompiledRegexp] = []
        var patterns: [PatternExpr] = []
        /// Owned here, reached through `filterRefs` (no reference counting per line).
        var labelFilters: [CompiledLabelFilter] = []
        var filterRefs: [Unmanaged<CompiledLabelFilter>] = []
        var selections: [[LabelSelection]] = []
        var distincts: [[String]] = []
        var templates: [Template] = []
        var labelFormats: [[CompiledLabelFormat]] = []

        /// Files `stage`'s data and returns its step.
        mutating func add(_ stage: Stage) -> Step {
            func append<T>(_ list: inout [T], _ value: T) -> Int { list.append(value); return list.count - 1 }
            switch stage {
            case .lineFilter(let m): return .lineFilter(append(&lineFilters, m))
            case .json: return .json
            case .jsonPaths(let p): return .jsonPaths(append(&jsonPaths, p))
            case .logfmt(let only): return .logfmt(append(&logfmts, only))
            case .regexp(let r): return .regexp(append(&regexps, r))
            case .unpack: return .unpack
            case .pattern(let p): return .pattern(append(&patterns, p))
            case .labelFilter(let f):
                let compiled = CompiledLabelFilter(f)
                filterRefs.append(.passUnretained(compiled))
                return .labelFilter(append(&labelFilters, compiled))
            case .drop(let l): return .drop(append(&selections, l))
            case .keep(let l): return .keep(append(&selections, l))
            case .decolorize: return .decolorize
            case .distinct(let n): return .distinct(append(&distincts, n))
            case .lineFormat(let t): return .lineFormat(append(&templates, t))
            case .labelFormat(let f): return .labelFormat(append(&labelFormats, f))
            }
        }
    }

    /// The compiled stages: read-only while lines run, beside the memory they change, so a line
    /// borrows one and modifies the other with nothing copied or swapped (`run`).
    struct Program: Sendable {
        let steps: [Step]
        let data: StageData
        /// The only labels parsers need to build (nil: all of them), when the caller uses only some.
        let wanted: LabelWants?
        /// The `json` step, when the stream's labels alone decide the fate of a line it cannot
        /// open as an object (see `judgedByStream(_:)`); nil otherwise.
        let judgedByStream: Int?

        init(steps: [Step], data: StageData, wanted: LabelWants?) {
            self.steps = steps
            self.data = data
            self.wanted = wanted
            judgedByStream = Self.judgedByStream(steps)
        }

        /// `[line filters] | json | [label filters]`: a line that is not an object gets the same
        /// error labels from `json` whatever its bytes, and label filters read labels only, so
        /// whether such a line is dropped depends on its stream alone. Most lines of a mixed
        /// stream are such lines: once one of them is dropped, the others are dropped without
        /// running the stages (remembered in `LabelsBuilder.nonObjectDropped`). The index of the
        /// `json` step, or nil when other stages follow it.
        static func judgedByStream(_ steps: [Step]) -> Int? {
            guard let j = steps.firstIndex(where: { if case .json = $0 { true } else { false } }) else { return nil }
            for (i, s) in steps.enumerated() where i != j {
                switch s {
                case .lineFilter where i < j: continue
                case .labelFilter where i > j: continue
                default: return nil
                }
            }
            return j
        }
    }

    private let program: Program
    /// What the stages remember between lines.
    struct Memory {
        /// `distinct`'s keys seen so far.
        var seen = Set<[String?]>()
        /// Per stage: the label names its parser made of the keys it met (see `KeyCache`).
        var keyCaches: [KeyCache] = []
    }
    private var memory = Memory()
    /// A quick test that rules out lines before the stages run (see `ValueGuard`).
    private let valueGuard: ValueGuard?

    /// `| json | level="error"`, `| logfmt | level="error"`: a parser, then a label filter wanting
    /// a label to equal a non-empty value. A line that holds neither that value's bytes nor a
    /// backslash (an escape could spell them) cannot give the label that value, so the filter
    /// drops it whatever the parser makes of it (an error included: the label is then unset or
    /// set from the bytes before the fault) — unless the stream itself has the label, whose value
    /// then decides. Such lines are dropped without parsing.
    struct ValueGuard: Sendable {
        let label: String
        let matcher: LineFilterMatcher

        init?(_ stages: [Stage]) {
            var i = 0
            while i < stages.count, case .lineFilter = stages[i] { i += 1 }
            guard i < stages.count else { return nil }
            switch stages[i] {
            case .json, .logfmt(only: nil): break
            default: return nil
            }
            for stage in stages[(i + 1)...] {
                switch stage {
                case .lineFilter: continue
                case .labelFilter(let f):
                    if let m = Self.equality(in: f), let matcher = try? LineFilterMatcher([LineFilter(.contains, [m.value, "\\"])]) {
                        label = m.name
                        self.matcher = matcher
                        return
                    }
                default: return nil
                }
            }
            return nil
        }

        /// An `name="value"` filter (non-empty value, not on an error label) that `f` requires.
        static func equality(in f: LabelFilterExpr) -> LabelMatcher? {
            switch f {
            case .string(let m):
                guard m.op == .equal, !m.value.isEmpty, !m.name.hasPrefix("__error") else { return nil }
                return m
            case .and(let l, let r): return equality(in: l) ?? equality(in: r)
            default: return nil
            }
        }

        /// Whether a line of the stream whose labels are `labels` may pass.
        func mayPass(_ line: UnsafeRawBufferPointer, _ labels: LabelsBuilder) -> Bool {
            matcher.matches(line) || labels.baseHas(label)
        }
    }
    /// The only labels parsers need to build (nil: all of them), when the caller uses only some.
    var wanted: LabelWants? { program.wanted }

    /// Whether the stream's labels alone decide the fate of a line `| json` cannot open.
    var judgesByStream: Bool { program.judgedByStream != nil }

    /// Whether the pipeline can change labels or drop lines beyond the pushed-down filters.
    public var isEmpty: Bool { program.steps.isEmpty }

    /// Compiles `query`'s stages. With `skipPushedDown`, the line filters that `query.filters`
    /// names (run on raw bytes as blocks decode) are left out.
    ///
    /// `using`: the labels the caller reads from the result (a metric query's grouping, its
    /// unwrapped label…); nil when it shows all of them. Parsers then build only those and the
    /// ones a later stage reads — every line is still parsed whole, so errors are the same. When
    /// nothing reads any label (`sum(count_over_time({…} | json [5m]))`), the parsers do not run
    /// at all, so their errors cannot fail the query: Loki's parser hint `NoLabels`.
    public init(_ query: LogQuery, skipPushedDown: Bool, using: Set<String>? = nil) throws(ParseError) {
        var out: [Stage] = []
        let wantedNames = using.flatMap { Self.wanted(by: query.stages, using: $0) }
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
            case .pattern(let text):
                out.append(.pattern(PatternExpr(text)))
            case .labelFilter(let f): out.append(.labelFilter(f))
            case .drop(let l): out.append(.drop(l))
            case .keep(let l): out.append(.keep(l))
            case .decolorize:
                out.append(.decolorize)
                pushedDown = false
            case .distinct(let names):
                out.append(.distinct(names))
                pushedDown = false
            case .lineFormat(let text):
                out.append(.lineFormat(try Self.template(text, name: "line") { "invalid line template: " + $0 }))
                pushedDown = false
            case .labelFormat(let formats):
                var compiled: [CompiledLabelFormat] = []
                for f in formats {
                    switch f.value {
                    case .rename(let from): compiled.append(CompiledLabelFormat(name: f.name, rename: from, template: nil))
                    case .template(let text):
                        let t = try Self.template(text, name: "label") { "invalid template for label '\(f.name)': " + $0 }
                        compiled.append(CompiledLabelFormat(name: f.name, rename: nil, template: t))
                    }
                }
                out.append(.labelFormat(compiled))
            }
        }
        if wantedNames?.isEmpty == true {
            out.removeAll { s in
                switch s {
                case .json, .jsonPaths, .logfmt, .regexp, .unpack, .pattern: true
                default: false
                }
            }
        }
        valueGuard = ValueGuard(out)
        var data = StageData()
        let steps = out.map { data.add($0) }
        program = Program(steps: steps, data: data, wanted: wantedNames.map(LabelWants.init))
        memory.keyCaches = Array(repeating: KeyCache(), count: out.count)
    }

    /// Runs the stages on one line. Returns the (possibly rewritten) line, or nil when a stage
    /// dropped it; `labels` holds the result labels.
    public mutating func process(_ line: [UInt8], _ labels: inout LabelsBuilder, timestamp: Int64 = 0) -> [UInt8]? {
        switch line.withUnsafeBytes({ run($0, &labels, timestamp: timestamp) }) {
        case nil: nil
        case .unchanged: line
        case .rewritten(let out): out
        }
    }

    /// What `run` made of a line it kept.
    public enum Output {
        /// The line as it came (only labels may have changed).
        case unchanged
        /// A stage (`unpack`, `decolorize`) replaced the line.
        case rewritten([UInt8])

        /// The line's length after the stages.
        public func count(original: Int) -> Int {
            switch self {
            case .unchanged: original
            case .rewritten(let l): l.count
            }
        }
    }

    /// Runs the stages on a line in place (no copy unless a stage rewrites it). Nil when a stage
    /// dropped it; `labels` holds the result labels.
    public mutating func run(_ line: UnsafeRawBufferPointer, _ labels: inout LabelsBuilder, timestamp: Int64 = 0) -> Output? {
        if let valueGuard, !valueGuard.mayPass(line, labels) { return nil }
        // Two stored properties at once: the program borrowed, the memory modified in place (an
        // earlier version swapped the memory out of `self` and back, making and destroying an
        // empty one per line).
        return program.run(line, &labels, timestamp, &memory)
    }

    enum StageResult {
        case drop, keep
        case rewrite([UInt8])
    }

    /// Whether a line's fate depends on the lines before it (`distinct`): such a pipeline must see
    /// every line, in order, on one thread.
    public var isStateful: Bool {
        program.steps.contains { if case .distinct = $0 { true } else { false } }
    }

    /// The labels `stages` read, with `using`; nil when a stage may read any label.
    static func wanted(by stages: [PipelineStage], using: Set<String>) -> Set<String>? {
        var names = using
        for s in stages {
            switch s {
            case .labelFilter(let f): names.formUnion(f.names)
            case .drop(let l), .keep(let l): names.formUnion(l.map(\.name))
            case .distinct(let n): names.formUnion(n)
            case .lineFormat, .labelFormat: return nil
            case .lineFilter, .json, .logfmt, .regexp, .unpack, .pattern, .decolorize: break
            }
        }
        return names
    }

    /// A template compiled with Loki's functions; a bad one is a parse error worded by `wrap`.
    static func template(_ text: String, name: String, _ wrap: (String) -> String) throws(ParseError) -> Template {
        do {
            return try TemplateFunctions.compile(text, name: name)
        } catch {
            throw ParseError(whole: wrap(error.description))
        }
    }

    static func selects(_ s: LabelSelection, _ l: Label) -> Bool {
        switch s {
        case .name(let n): n == l.name
        case .matcher(let m): m.name == l.name && m.matches(value: l.value)
        }
    }
}

extension Pipeline.Program {
    typealias StageResult = Pipeline.StageResult

    /// Runs every stage on one line.
    func run(_ line: UnsafeRawBufferPointer, _ labels: inout LabelsBuilder, _ timestamp: Int64, _ memory: inout Pipeline.Memory) -> Pipeline.Output? {
        // (A line the stream's labels judge: dropped at once when such a line was dropped before;
        // otherwise its fate is learnt once it reaches the `json` step.)
        // (Once the stream is known to keep such lines there is nothing to learn: no test.)
        var judging: Int?
        if let j = judgedByStream, labels.nonObjectDropped != false, !JSONObjectWalk.opensObject(line) {
            if labels.nonObjectDropped == true { return nil }
            if labels.nonObjectDropped == nil { judging = j }
        }
        var owned: [UInt8]?
        for i in steps.indices {
            let result: StageResult = if let o = owned {
                o.withUnsafeBytes { apply(i, $0, timestamp, &labels, &memory) }
            } else {
                apply(i, line, timestamp, &labels, &memory)
            }
            switch result {
            case .drop:
                if let j = judging, i >= j { labels.nonObjectDropped = true }
                return nil
            case .keep: continue
            case .rewrite(let out): owned = out
            }
        }
        if judging != nil { labels.nonObjectDropped = false }
        return owned.map { .rewritten($0) } ?? .unchanged
    }

    /// Runs stage `i` on one line, reading its data where it lies.
    func apply(_ i: Int, _ line: UnsafeRawBufferPointer, _ timestamp: Int64, _ labels: inout LabelsBuilder, _ memory: inout Pipeline.Memory) -> StageResult {
        switch steps[i] {
        case .lineFilter(let k):
            if !data.lineFilters[k].matches(line) { return .drop }
        case .json:
            LineParsers.json(line, &labels, wanted: wanted)
        case .jsonPaths(let k):
            LineParsers.json(line, &labels, extractions: data.jsonPaths[k])
        case .logfmt(let k):
            LineParsers.logfmt(line, &labels, only: data.logfmts[k], cache: &memory.keyCaches[i], wanted: wanted)
        case .regexp(let k):
            LineParsers.regexp(line, &labels, data.regexps[k])
        case .pattern(let k):
            LineParsers.pattern(line, &labels, data.patterns[k])
        case .unpack:
            if let entry = LineParsers.unpack(line, &labels) { return .rewrite(entry) }
        case .labelFilter(let k):
            let kept = data.filterRefs[k]._withUnsafeGuaranteedRef { $0.keeps(&labels) }
            if !kept { return .drop }
        case .drop(let k):
            let list = data.selections[k]
            labels.removeAll { l in list.contains { Pipeline.selects($0, l) } }
        case .keep(let k):
            let list = data.selections[k]
            labels.removeAll { l in
                l.name != LabelsBuilder.errorLabel && l.name != LabelsBuilder.errorDetailsLabel && !list.contains { Pipeline.selects($0, l) }
            }
        case .decolorize:
            return .rewrite(LineParsers.decolorize(line))
        case .distinct(let k):
            let key = data.distincts[k].map { labels.get($0) }
            if key.allSatisfy({ $0 == nil }) { return .keep }
            if !memory.seen.insert(key).inserted { return .drop }
        case .lineFormat(let k):
            if let out = LineFormatter.format(data.templates[k], line, timestamp, &labels) { return .rewrite(out) }
        case .labelFormat(let k):
            LineFormatter.formatLabels(data.labelFormats[k], line, timestamp, &labels)
        }
        return .keep
    }
}
