import LogModel
import Codecs

/// Recursive-descent parser for LogQL. This build parses log queries made of a stream selector and
/// line filters; every other construct is refused with a message naming it and where it is.
///
///     query      = logExpr
///     logExpr    = selector lineFilter* | "(" logExpr ")"
///     selector   = "{" matcher ("," matcher)* "}"
///     matcher    = IDENTIFIER ("=" | "!=" | "=~" | "!~") STRING
///     lineFilter = ("|=" | "!=" | "|~" | "!~") STRING ("or" STRING)*
public struct QueryParser {
    private let tokens: [Token]
    private var k = 0
    /// Open parentheses around the current expression (bounded: recursion must not exhaust the stack).
    private var depth = 0
    public static let maxDepth = 256

    public static func parse(_ query: String) throws(ParseError) -> LogQuery {
        var p = QueryParser(tokens: try Lexer.tokens(query))
        guard p.peek.kind != .end else { throw ParseError(whole: "syntax error: unexpected end of input") }
        let q = try p.logExpr()
        guard p.peek.kind == .end else { throw p.unexpected(p.peek) }
        return q
    }

    init(tokens: [Token]) { self.tokens = tokens }

    private var peek: Token { tokens[k] }
    private mutating func advance() -> Token {
        defer { if k < tokens.count - 1 { k += 1 } }
        return tokens[k]
    }

    private func unexpected(_ t: Token, expecting: String? = nil) -> ParseError {
        ParseError(line: t.line, column: t.column, "syntax error: unexpected \(t.name)" + (expecting.map { ", expecting \($0)" } ?? ""))
    }

    private func unsupported(_ t: Token, _ what: String) -> ParseError {
        ParseError(line: t.line, column: t.column, "\(what) is not supported by this build yet: it answers stream selectors with line filters (|= != |~ !~)")
    }

    mutating func logExpr() throws(ParseError) -> LogQuery {
        let t = peek
        switch t.kind {
        case .openParen:
            _ = advance()
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else {
                throw ParseError(line: t.line, column: t.column, "syntax error: parentheses nested deeper than \(Self.maxDepth) levels")
            }
            let inner = try logExpr()
            guard case .closeParen = peek.kind else { throw unexpected(peek, expecting: ")") }
            _ = advance()
            return inner
        case .openBrace:
            let matchers = try selector()
            var filters: [LineFilter] = []
            while true {
                let f = peek
                switch f.kind {
                case .pipeExact, .neq, .pipeMatch, .nre:
                    filters.append(try lineFilter())
                case .pipe:
                    _ = advance()
                    if case .identifier(let name) = peek.kind { throw unsupported(f, "the `| \(name)` stage") }
                    throw unsupported(f, "this pipeline stage")
                case .other(let s) where s.hasPrefix(">") || s.hasPrefix("["):
                    throw unsupported(f, s.hasPrefix("[") ? "a range (metric queries)" : "a pattern filter")
                default:
                    return LogQuery(matchers: matchers, filters: filters)
                }
            }
        case .identifier(let name):
            throw unsupported(t, "`\(name)` (metric queries)")
        default:
            throw unexpected(t, expecting: "{")
        }
    }

    mutating func selector() throws(ParseError) -> [LabelMatcher] {
        _ = advance() // {
        var matchers: [LabelMatcher] = []
        if case .closeBrace = peek.kind { throw unexpected(peek, expecting: "IDENTIFIER") }
        while true {
            guard case .identifier(let name) = peek.kind else { throw unexpected(peek, expecting: "IDENTIFIER") }
            _ = advance()
            let op: LabelMatcher.Op
            switch peek.kind {
            case .eq: op = .equal
            case .neq: op = .notEqual
            case .re: op = .regex
            case .nre: op = .notRegex
            default: throw unexpected(peek, expecting: "= or != or =~ or !~")
            }
            _ = advance()
            let valueToken = peek
            guard case .string(let value) = valueToken.kind else { throw unexpected(valueToken, expecting: "STRING") }
            _ = advance()
            do {
                matchers.append(try LabelMatcher(name, op, value))
            } catch {
                throw ParseError(line: valueToken.line, column: valueToken.column, error.description)
            }
            switch peek.kind {
            case .comma: _ = advance()
            case .closeBrace:
                _ = advance()
                if matchers.allSatisfy(\.matchesEmpty) {
                    throw ParseError(whole: "queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will")
                }
                return matchers
            default: throw unexpected(peek, expecting: ", or }")
            }
        }
    }

    mutating func lineFilter() throws(ParseError) -> LineFilter {
        let opToken = advance()
        let op: LineFilter.Op = switch opToken.kind {
        case .pipeExact: .contains
        case .neq: .notContains
        case .pipeMatch: .matches
        default: .notMatches
        }
        var values: [String] = []
        while true {
            let v = peek
            guard case .string(let s) = v.kind else {
                if case .identifier(let name) = v.kind, name == "ip" || name == "pattern" { throw unsupported(v, "`\(name)(…)` in a line filter") }
                throw unexpected(v, expecting: "STRING")
            }
            _ = advance()
            if op.isRegex {
                do { _ = try RE2Regex(s) } catch {
                    throw ParseError(line: v.line, column: v.column, error.description)
                }
            }
            values.append(s)
            guard case .identifier("or") = peek.kind else { break }
            _ = advance()
        }
        return LineFilter(op, values)
    }
}
