import LogModel
import Codecs
import GoTemplate

/// The log half of the grammar: selectors and pipeline stages.
///
///     selector    = "{" matcher ("," matcher)* "}"
///     stage       = lineFilter | "|" (parser | labelFilter | "drop" list | "keep" list
///                   | "decolorize" | "distinct" names | "unwrap" …)
///     lineFilter  = ("|=" | "!=" | "|~" | "!~") STRING ("or" STRING)*
///     labelFilter = orFilter;  orFilter = andFilter ("or" andFilter)*
///     andFilter   = atom (("and" | "," | ε) atom)*
///     atom        = "(" orFilter ")" | IDENT ("=" | "!=" | "=~" | "!~") STRING
///                 | IDENT ("==" | "=" | "!=" | ">" | ">=" | "<" | "<=") (NUMBER | DURATION | BYTES)
extension QueryParser {
    /// A log query where no `unwrap` is allowed.
    mutating func logExpr() throws(ParseError) -> LogQuery {
        try logExpr(inRange: false).query
    }

    mutating func logExpr(inRange: Bool) throws(ParseError) -> (query: LogQuery, unwrap: Unwrap?) {
        let t = peek
        if case .openParen = t.kind {
            advance()
            try enter(t)
            defer { depth -= 1 }
            let inner = try logExpr(inRange: inRange)
            try closeParenNamingNothing()
            return inner
        }
        guard case .openBrace = t.kind else { throw unexpected(t, expecting: "{") }
        let matchers = try selector()
        let s = try stages(inRange: inRange)
        return (LogQuery(matchers: matchers, stages: s.stages), s.unwrap)
    }

    /// Whether the cursor is at the start of a pipeline stage.
    var startsStage: Bool {
        switch peek.kind {
        case .pipeExact, .pipeMatch, .nre, .pipe: true
        case .neq: true
        case .op(let s): s == "|>" || s == "!>"
        default: false
        }
    }

    mutating func stages(inRange: Bool) throws(ParseError) -> (stages: [PipelineStage], unwrap: Unwrap?) {
        var out: [PipelineStage] = []
        while true {
            let f = peek
            switch f.kind {
            case .pipeExact, .neq, .pipeMatch, .nre:
                // `!=` after a metric expression is the comparison, but a log query cannot be followed
                // by one (both sides of a binary operation are metric expressions), so it is a filter.
                out.append(.lineFilter(try lineFilter()))
            case .op(let s) where s == "|>" || s == "!>":
                out.append(.lineFilter(try lineFilter()))
            case .pipe:
                advance()
                let t = peek
                if case .openParen = t.kind {
                    out.append(.labelFilter(try labelFilterOr()))
                    continue
                }
                guard case .identifier(let name) = t.kind else { throw unexpected(t) }
                switch name {
                case "json":
                    advance()
                    out.append(.json(try extractions()))
                case "logfmt":
                    advance()
                    var strict = false, keepEmpty = false
                    while case .op("-") = peek.kind, case .op("-") = peekNext.kind {
                        advance(); advance()
                        let flag = peek
                        if case .identifier("strict") = flag.kind {
                            advance()
                            strict = true
                        } else if case .identifier("keep") = flag.kind, case .op("-") = peekNext.kind {
                            advance(); advance()
                            guard case .identifier("empty") = peek.kind else { throw unexpected(peek, expecting: "empty") }
                            advance()
                            keepEmpty = true
                        } else {
                            throw unexpected(flag, expecting: "strict or keep-empty")
                        }
                    }
                    out.append(.logfmt(strict: strict, keepEmpty: keepEmpty, try extractions()))
                case "regexp":
                    advance()
                    let rt = peek
                    guard case .string(let re) = rt.kind else { throw unexpected(rt, expecting: "STRING") }
                    advance()
                    try Self.checkRegexpParser(re, at: rt)
                    out.append(.regexp(re))
                case "unpack":
                    advance()
                    out.append(.unpack)
                case "decolorize":
                    advance()
                    out.append(.decolorize)
                case "drop", "keep":
                    advance()
                    let list = try selections()
                    out.append(name == "drop" ? .drop(list) : .keep(list))
                case "distinct":
                    advance()
                    var names: [String] = []
                    while case .identifier(let n) = peek.kind {
                        advance()
                        names.append(n)
                        guard case .comma = peek.kind else { break }
                        advance()
                    }
                    if names.isEmpty { throw unexpected(peek, expecting: "IDENTIFIER") }
                    out.append(.distinct(names))
                case "unwrap":
                    guard inRange else {
                        throw ParseError(line: t.line, column: t.column, "syntax error: unexpected unwrap")
                    }
                    advance()
                    return (out, try unwrap())
                case "line_format":
                    advance()
                    let st = peek
                    guard case .string(let text) = st.kind else { throw unexpected(st, expecting: "STRING") }
                    advance()
                    _ = try Self.checkTemplate(text, name: "line", at: st) { "invalid line template: " + $0 }
                    out.append(.lineFormat(text))
                case "label_format":
                    advance()
                    out.append(.labelFormat(try labelFormats()))
                case "pattern":
                    advance()
                    let pt = peek
                    guard case .string(let text) = pt.kind else { throw unexpected(pt, expecting: "STRING") }
                    advance()
                    // Loki reports a bad pattern for the whole query, with this prefix.
                    do { try PatternExpr(text).validateForParser() } catch {
                        throw ParseError(whole: "invalid pattern parser: " + error.description)
                    }
                    out.append(.pattern(text))
                default:
                    out.append(.labelFilter(try labelFilterOr()))
                }
            default:
                return (out, nil)
            }
        }
    }

    /// `x`, `duration(x)`, `duration_seconds(x)`, `bytes(x)`, then `| label filters`.
    mutating func unwrap() throws(ParseError) -> Unwrap {
        let t = peek
        guard case .identifier(let name) = t.kind else { throw unexpected(t, expecting: "IDENTIFIER") }
        advance()
        var label = name
        var conversion = Unwrap.Conversion.number
        if case .openParen = peek.kind {
            guard let c = Unwrap.Conversion(rawValue: name), c != .number else {
                throw ParseError(line: t.line, column: t.column, "syntax error: unexpected \(name)(: unwrap converts with duration(), duration_seconds() or bytes()")
            }
            advance()
            guard case .identifier(let l) = peek.kind else { throw unexpected(peek, expecting: "IDENTIFIER") }
            advance()
            try expect(.closeParen, ")")
            label = l
            conversion = c
        }
        var post: [LabelFilterExpr] = []
        while case .pipe = peek.kind {
            guard case .identifier = peekNext.kind else { break }
            advance()
            post.append(try labelFilterOr())
        }
        return Unwrap(label: label, conversion: conversion, postFilters: post)
    }

    /// `a="b.c", d="e"` after json or logfmt (possibly none). A bare name `a` extracts field `a`.
    mutating func extractions() throws(ParseError) -> [LabelExtraction] {
        var out: [LabelExtraction] = []
        while case .identifier(let name) = peek.kind {
            advance()
            if case .eq = peek.kind {
                advance()
                guard case .string(let e) = peek.kind else { throw unexpected(peek, expecting: "STRING") }
                advance()
                out.append(LabelExtraction(name: name, expression: e))
            } else {
                out.append(LabelExtraction(name: name, expression: name))
            }
            guard case .comma = peek.kind else { break }
            advance()
        }
        return out
    }

    /// `dst="template", dst=src, …` after label_format; each name at most once, never `__error__`.
    mutating func labelFormats() throws(ParseError) -> [LabelFormat] {
        var out: [LabelFormat] = []
        while true {
            let nt = peek
            guard case .identifier(let name) = nt.kind else { throw unexpected(nt, expecting: "IDENTIFIER") }
            advance()
            try expect(.eq, "=")
            let vt = peek
            switch vt.kind {
            case .identifier(let from):
                advance()
                out.append(LabelFormat(name: name, .rename(from)))
            case .string(let text):
                advance()
                _ = try Self.checkTemplate(text, name: "label", at: vt) { "invalid template for label '\(name)': " + $0 }
                out.append(LabelFormat(name: name, .template(text)))
            default:
                throw unexpected(vt, expecting: "IDENTIFIER or STRING")
            }
            if name == LabelsBuilder.errorLabel {
                throw ParseError(line: nt.line, column: nt.column, "\(name) cannot be formatted")
            }
            if out.dropLast().contains(where: { $0.name == name }) {
                throw ParseError(line: nt.line, column: nt.column, "multiple label name '\(name)' not allowed in a single format operation")
            }
            guard case .comma = peek.kind else { return out }
            advance()
        }
    }

    static func checkTemplate(_ text: String, name: String, at t: Token, _ wrap: (String) -> String) throws(ParseError) -> Template {
        do {
            return try TemplateFunctions.compile(text, name: name)
        } catch {
            throw ParseError(line: t.line, column: t.column, wrap(error.description))
        }
    }

    /// `a, b="x", c=~"y"` after drop or keep.
    mutating func selections() throws(ParseError) -> [LabelSelection] {
        var out: [LabelSelection] = []
        while case .identifier(let name) = peek.kind {
            advance()
            switch peek.kind {
            case .eq, .neq, .re, .nre:
                out.append(.matcher(try matcherValue(name)))
            default:
                out.append(.name(name))
            }
            guard case .comma = peek.kind else { break }
            advance()
        }
        if out.isEmpty { throw unexpected(peek, expecting: "IDENTIFIER") }
        return out
    }

    /// The operator and string of a matcher whose name was just read.
    mutating func matcherValue(_ name: String) throws(ParseError) -> LabelMatcher {
        let op: LabelMatcher.Op
        switch peek.kind {
        case .eq: op = .equal
        case .neq: op = .notEqual
        case .re: op = .regex
        case .nre: op = .notRegex
        default: throw unexpected(peek, expecting: "= or != or =~ or !~")
        }
        advance()
        let valueToken = peek
        guard case .string(let value) = valueToken.kind else { throw unexpected(valueToken, expecting: "STRING") }
        advance()
        do {
            return try LabelMatcher(name, op, value)
        } catch {
            // Loki compiles the matcher anchored and reports the error without a position.
            do { _ = try RE2Regex("^(?:" + value + ")$") } catch { throw ParseError(whole: error.description) }
            throw ParseError(whole: error.description)
        }
    }

    /// A `| regexp` stage's checks; Loki reports a failure for the whole query, prefixed as here.
    static func checkRegexpParser(_ re: String, at t: Token) throws(ParseError) {
        func fail(_ why: String) -> ParseError { ParseError(whole: "invalid regexp parser: " + why) }
        let compiled: RE2Regex
        do { compiled = try RE2Regex(re) } catch {
            throw fail(error.description)
        }
        if compiled.captureNames.allSatisfy({ $0.isEmpty }) { throw fail("at least one named capture must be supplied") }
        var seen = Set<String>()
        for n in compiled.captureNames where !n.isEmpty {
            if !seen.insert(n).inserted { throw fail("duplicate extracted label name '\(n)'") }
            if !LabelReplace.isValidName(n) { throw fail("invalid extracted label name '\(n)'") }
        }
    }

    // MARK: label filters

    mutating func labelFilterOr() throws(ParseError) -> LabelFilterExpr {
        var l = try labelFilterAnd()
        while case .identifier("or") = peek.kind {
            advance()
            l = .or(l, try labelFilterAnd())
        }
        return l
    }

    mutating func labelFilterAnd() throws(ParseError) -> LabelFilterExpr {
        var l = try labelFilterAtom()
        while true {
            switch peek.kind {
            case .identifier("and"), .comma:
                advance()
            case .identifier(let w) where !["or", "offset", "by", "without", "bool", "on", "ignoring", "unless"].contains(w):
                break // `a="x" b="y"`: an implicit and
            case .openParen:
                break
            default:
                return l
            }
            l = .and(l, try labelFilterAtom())
        }
    }

    mutating func labelFilterAtom() throws(ParseError) -> LabelFilterExpr {
        let t = peek
        if case .openParen = t.kind {
            advance()
            try enter(t)
            defer { depth -= 1 }
            let inner = try labelFilterOr()
            try expect(.closeParen, ")")
            return inner
        }
        guard case .identifier(let name) = t.kind else { throw unexpected(t, expecting: "IDENTIFIER") }
        labelFilterTerms += 1
        guard labelFilterTerms <= Self.maxLabelFilterTerms else {
            throw ParseError(line: t.line, column: t.column, "syntax error: label filters combine at most \(Self.maxLabelFilterTerms) conditions per query: use a regex matcher (x=~\"a|b|c\") for many values")
        }
        advance()
        let opToken = peek
        let comparison: LabelFilterExpr.Comparison
        switch opToken.kind {
        case .eq, .neq, .re, .nre:
            if case .string = peekNext.kind { return .string(try matcherValue(name)) }
            if case .identifier("ip") = peekNext.kind, opToken.kind == .eq || opToken.kind == .neq {
                advance()
                return .ip(name, negated: opToken.kind == .neq, try ipCall())
            }
            comparison = opToken.kind == .neq ? .notEqual : .equal
            guard opToken.kind == .eq || opToken.kind == .neq else { throw unexpected(peekNext, expecting: "STRING") }
        case .op(let s):
            guard let c = LabelFilterExpr.Comparison(rawValue: s) else { throw unexpected(opToken, expecting: "a comparison") }
            comparison = c
        default:
            throw unexpected(opToken, expecting: "= or != or =~ or !~ or a comparison")
        }
        advance()
        var negative = false
        if case .op("-") = peek.kind {
            advance()
            negative = true
        }
        let vt = peek
        guard case .number(let text) = vt.kind else { throw unexpected(vt, expecting: "BYTES or NUMBER or DURATION") }
        advance()
        if let v = GoFloat.parse(text) { return .number(name, comparison, negative ? -v : v) }
        if let d = GoDuration.parse(text) { return .duration(name, comparison, negative ? -d : d) }
        if !negative, let b = ByteSize.parse(text) { return .bytes(name, comparison, b) }
        throw ParseError(line: vt.line, column: vt.column, "syntax error: unexpected \(text), expecting a number, a duration (250ms) or a size (10KB)")
    }

    // MARK: selector and line filters

    static let emptyCompatible = "queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will"

    mutating func selector() throws(ParseError) -> [LabelMatcher] {
        advance() // {
        var matchers: [LabelMatcher] = []
        if case .closeBrace = peek.kind {
            // `{}` parses in Loki; it is the empty-matcher check that refuses it.
            advance()
            throw ParseError(whole: Self.emptyCompatible)
        }
        while true {
            guard case .identifier(let name) = peek.kind else { throw unexpected(peek, expecting: "IDENTIFIER") }
            advance()
            matchers.append(try matcherValue(name))
            switch peek.kind {
            case .comma: advance()
            case .closeBrace:
                advance()
                if matchers.allSatisfy(\.matchesEmpty) { throw ParseError(whole: Self.emptyCompatible) }
                return matchers
            default: throw unexpected(peek, expecting: "} or ,")
            }
        }
    }

    mutating func lineFilter() throws(ParseError) -> LineFilter {
        let opToken = advance()
        let op: LineFilter.Op = switch opToken.kind {
        case .pipeExact: .contains
        case .neq: .notContains
        case .pipeMatch: .matches
        case .op("|>"): .pattern
        case .op("!>"): .notPattern
        default: .notMatches
        }
        var values: [String] = []
        var ip: Bool?
        while true {
            let v = peek
            let s: String
            if case .identifier("ip") = v.kind {
                guard op == .contains || op == .notContains else {
                    throw ParseError(line: v.line, column: v.column, "ip: invalid operation: ip() filters lines with |= or != only")
                }
                guard ip != false else { throw unexpected(v, expecting: "STRING") }
                s = try ipCall().pattern
                ip = true
            } else {
                guard case .string(let text) = v.kind, ip != true else {
                    // Loki's grammar: the first value of |= and != may be a string or ip(…).
                    let first = ip == nil && (op == .contains || op == .notContains)
                    throw unexpected(v, expecting: ip == true ? "ip" : first ? "STRING or ip" : "STRING")
                }
                advance()
                s = text
                ip = false
            }
            if op.isPattern {
                do { try PatternExpr(s).validateForFilter() } catch {
                    throw ParseError(line: v.line, column: v.column, error.description)
                }
            }
            if op.isRegex {
                do { _ = try RE2Regex(s) } catch {
                    throw ParseError(line: v.line, column: v.column, error.description)
                }
            }
            values.append(s)
            // A log query cannot be a side of a binary `or`, so `or` here always continues the filter.
            guard case .identifier("or") = peek.kind else { break }
            advance()
        }
        return LineFilter(op, values, ip: ip == true)
    }

    /// `ip("pattern")`, the cursor on `ip`, compiled (a bad pattern is a parse error).
    mutating func ipCall() throws(ParseError) -> IPFilter {
        advance()
        try expect(.openParen, "(")
        let pt = peek
        guard case .string(let pattern) = pt.kind else { throw unexpected(pt, expecting: "STRING") }
        advance()
        try expect(.closeParen, ")")
        do { return try IPFilter(pattern) } catch {
            throw ParseError(line: pt.line, column: pt.column, error.description)
        }
    }
}
