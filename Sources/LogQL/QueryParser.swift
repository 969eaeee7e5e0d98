import LogModel
import Codecs

/// Recursive-descent parser for LogQL: log queries (a stream selector and its pipeline) and metric
/// queries (range and vector aggregations, binary operations, literals, `vector()`). Errors carry
/// the line and column of the token that broke the grammar, worded like Loki's.
///
///     query     = expr
///     expr      = unary (binop modifiers unary)*          -- by precedence: or < and unless <
///                                                            comparisons < + - < * / % < ^ (right)
///     unary     = ("-" | "+") unary | primary
///     primary   = NUMBER | "(" expr ")" | logExpr | rangeAgg | vectorAgg | "vector" "(" NUMBER ")"
///     logExpr   = selector stage*
///     rangeAgg  = RANGEOP "(" [NUMBER ","] logRange ")" [grouping]
///     logRange  = logExpr [unwrap] range [offset] | selector range [offset] stage* [unwrap]
///     vectorAgg = VECOP [grouping] "(" [NUMBER ","] expr ")" [grouping]
///
/// The pipeline stages are in `QueryParser+Pipeline.swift`.
public struct QueryParser {
    let tokens: [Token]
    var k = 0
    /// Nesting of parentheses and sub-expressions (bounded: recursion must not exhaust the stack).
    var depth = 0
    public static let maxDepth = 256
    /// Binary operations in one query (each adds a level to the evaluated tree).
    var binaryOperations = 0
    public static let maxBinaryOperations = 1024
    /// Label filter conditions in one query (each `and`/`or` adds a level to a tree every line walks).
    var labelFilterTerms = 0
    public static let maxLabelFilterTerms = 512

    /// Parses either kind of query.
    public static func parseQuery(_ query: String) throws(ParseError) -> Query {
        var p = QueryParser(tokens: try Lexer.tokens(query))
        guard p.peek.kind != .end else { throw ParseError(whole: "syntax error: unexpected $end") }
        let node = try p.expr(minPrecedence: 1)
        guard p.peek.kind == .end else { throw p.unexpected(p.peek) }
        switch node {
        case .log(let q): return .log(q)
        case .metric(let m): return .metric(m)
        }
    }

    /// Parses a log query (a metric query is refused, as Loki refuses one where logs are expected).
    public static func parse(_ query: String) throws(ParseError) -> LogQuery {
        switch try parseQuery(query) {
        case .log(let q): return q
        case .metric: throw ParseError(whole: "only log queries are accepted here: the query is a metric query")
        }
    }

    init(tokens: [Token]) { self.tokens = tokens }

    var peek: Token { tokens[k] }
    var peekNext: Token { tokens[min(k + 1, tokens.count - 1)] }
    @discardableResult
    mutating func advance() -> Token {
        defer { if k < tokens.count - 1 { k += 1 } }
        return tokens[k]
    }

    func unexpected(_ t: Token, expecting: String? = nil) -> ParseError {
        ParseError(line: t.line, column: t.column, "syntax error: unexpected \(yaccName(t))" + (expecting.map { ", expecting \($0)" } ?? ""))
    }

    /// Words Loki's lexer makes tokens of, named in its errors by their text.
    static let keywords: Set<String> = [
        "by", "without", "bool", "label_replace", "offset", "on", "ignoring", "group_left", "group_right", "or", "and", "unless",
        "json", "regexp", "logfmt", "unpack", "pattern", "label_format", "line_format", "ip", "decolorize", "drop", "unwrap",
    ]
    /// Functions, named in Loki's errors in capitals when a `(` follows (its lexer's function tokens).
    static let functions: Set<String> = [
        "rate", "rate_counter", "count_over_time", "bytes_rate", "bytes_over_time", "avg_over_time", "sum_over_time", "min_over_time",
        "max_over_time", "stdvar_over_time", "stddev_over_time", "quantile_over_time", "first_over_time", "last_over_time",
        "absent_over_time", "vector", "sum", "avg", "max", "min", "count", "stddev", "stdvar", "bottomk", "topk", "sort", "sort_desc",
    ]

    /// A token as Loki's (goyacc) parser names it in a syntax error.
    func yaccName(_ t: Token) -> String {
        guard case .identifier(let word) = t.kind else { return t.name }
        if Self.keywords.contains(word) { return word }
        if Self.functions.contains(word), let i = tokens.firstIndex(where: { $0.line == t.line && $0.column == t.column }),
           i + 1 < tokens.count, case .openParen = tokens[i + 1].kind {
            return word.uppercased()
        }
        return "IDENTIFIER"
    }

    /// Takes a `)` whose absence Loki reports without naming an expected token (after a
    /// parenthesised expression, where an operator could follow as well).
    mutating func closeParenNamingNothing() throws(ParseError) {
        guard case .closeParen = peek.kind else { throw unexpected(peek) }
        advance()
    }

    mutating func expect(_ kind: Token.Kind, _ name: String) throws(ParseError) {
        guard peek.kind == kind else { throw unexpected(peek, expecting: name) }
        advance()
    }

    mutating func enter(_ t: Token) throws(ParseError) {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw ParseError(line: t.line, column: t.column, "syntax error: expression nested deeper than \(Self.maxDepth) levels")
        }
    }

    /// A parsed sub-expression: a log query or a metric expression.
    enum Node {
        case log(LogQuery)
        case metric(MetricExpr)
    }

    // MARK: binary operations

    /// The binary operator at the cursor, if any.
    func binaryOp() -> BinaryOperation.Op? {
        switch peek.kind {
        case .op(let s): BinaryOperation.Op(rawValue: s)
        case .neq: .notEqual
        case .identifier("or"): .or
        case .identifier("and"): .and
        case .identifier("unless"): .unless
        default: nil
        }
    }

    mutating func expr(minPrecedence: Int) throws(ParseError) -> Node {
        var lhs = try unary()
        while let op = binaryOp(), op.precedence >= minPrecedence {
            let opToken = advance()
            binaryOperations += 1
            guard binaryOperations <= Self.maxBinaryOperations else {
                throw ParseError(line: opToken.line, column: opToken.column, "syntax error: more than \(Self.maxBinaryOperations) binary operations")
            }
            let (returnBool, matching, cardinality, include) = try modifiers(op, opToken)
            // `^` is right-associative: its right side may hold another `^`.
            let rhs = try expr(minPrecedence: op == .power ? op.precedence : op.precedence + 1)
            guard case .metric(let l) = lhs, case .metric(let r) = rhs else {
                throw ParseError(line: opToken.line, column: opToken.column,
                                 "syntax error: unexpected \(opToken.name): both sides of a binary operation must be metric expressions, not log queries")
            }
            lhs = .metric(try Self.binary(op, l, r, returnBool: returnBool, matching: matching, cardinality: cardinality, include: include, at: opToken))
        }
        return lhs
    }

    /// `bool`, `on (…)`/`ignoring (…)`, `group_left (…)`/`group_right (…)` after an operator.
    mutating func modifiers(_ op: BinaryOperation.Op, _ opToken: Token) throws(ParseError)
        -> (Bool, BinaryOperation.Matching?, BinaryOperation.Cardinality, [String]) {
        var returnBool = false
        if case .identifier("bool") = peek.kind {
            guard op.isComparison else { throw ParseError(line: peek.line, column: peek.column, "bool modifier can only be used on comparison operators") }
            advance()
            returnBool = true
        }
        var matching: BinaryOperation.Matching?
        var cardinality = BinaryOperation.Cardinality.oneToOne
        var include: [String] = []
        if case .identifier(let w) = peek.kind, w == "on" || w == "ignoring" {
            advance()
            matching = BinaryOperation.Matching(on: w == "on", labels: try labelList())
            if case .identifier(let g) = peek.kind, g == "group_left" || g == "group_right" {
                let gt = advance()
                if op.isSet { throw ParseError(line: gt.line, column: gt.column, "no grouping allowed for \"\(op.rawValue)\" operation") }
                cardinality = g == "group_left" ? .manyToOne : .oneToMany
                if case .openParen = peek.kind { include = try labelList() }
            }
        }
        return (returnBool, matching, cardinality, include)
    }

    /// Builds a binary operation, folding two literals into one as Loki does.
    static func binary(_ op: BinaryOperation.Op, _ l: MetricExpr, _ r: MetricExpr, returnBool: Bool,
                       matching: BinaryOperation.Matching?, cardinality: BinaryOperation.Cardinality,
                       include: [String], at t: Token) throws(ParseError) -> MetricExpr {
        if op.isSet {
            if case .literal(let v) = l { throw ParseError(whole: "unexpected literal for left leg of logical/set binary operation (\(op.rawValue)): \(GoFloat.formatFixed6(v))") }
            if case .literal(let v) = r { throw ParseError(whole: "unexpected literal for right leg of logical/set binary operation (\(op.rawValue)): \(GoFloat.formatFixed6(v))") }
        }
        if case .literal(let a) = l, case .literal(let b) = r {
            return .literal(SampleMath.apply(op, a, b, filter: false) ?? 0)
        }
        return .binary(BinaryOperation(op: op, lhs: l, rhs: r, returnBool: returnBool, matching: matching,
                                       cardinality: cardinality, include: include))
    }

    // MARK: primaries

    mutating func unary() throws(ParseError) -> Node {
        if case .op(let s) = peek.kind, s == "-" || s == "+" {
            let t = advance()
            try enter(t)
            defer { depth -= 1 }
            // Loki's grammar signs numbers only.
            guard case .number = peek.kind else { throw unexpected(peek, expecting: "NUMBER") }
            let inner = try unary()
            guard case .metric(.literal(let v)) = inner else { throw unexpected(t) }
            return .metric(.literal(s == "-" ? -v : v))
        }
        return try primary()
    }

    mutating func primary() throws(ParseError) -> Node {
        let t = peek
        switch t.kind {
        case .number(let text):
            advance()
            guard let v = GoFloat.parse(text) else { throw ParseError(line: t.line, column: t.column, "syntax error: unexpected \(text), expecting a number") }
            return .metric(.literal(v))
        case .openParen:
            advance()
            try enter(t)
            defer { depth -= 1 }
            let inner = try expr(minPrecedence: 1)
            try closeParenNamingNothing()
            return inner
        case .openBrace:
            return .log(try logExpr())
        case .identifier(let name):
            if let op = RangeAggregation.Op(rawValue: name) { return .metric(try rangeAggregation(op)) }
            if let op = VectorAggregation.Op(rawValue: name) { return .metric(try vectorAggregation(op)) }
            if name == "vector" {
                advance()
                try expect(.openParen, "(")
                let v = try signedNumber()
                try expect(.closeParen, ")")
                return .metric(.constant(v))
            }
            if name == "label_replace" { return .metric(.labelReplace(try labelReplace())) }
            throw unexpected(t)
        default:
            // Many tokens may start an expression: Loki's parser names none of them.
            throw unexpected(t)
        }
    }

    /// `label_replace(expr, "dst", "replacement", "src", "regex")`, the cursor on its name.
    mutating func labelReplace() throws(ParseError) -> LabelReplace {
        let t = advance()
        try expect(.openParen, "(")
        try enter(t)
        defer { depth -= 1 }
        let innerToken = peek
        guard case .metric(let inner) = try expr(minPrecedence: 1) else {
            throw ParseError(line: innerToken.line, column: innerToken.column,
                             "syntax error: label_replace needs a metric expression, not a log query: wrap the log query in a range aggregation, like count_over_time({…}[5m])")
        }
        var args: [(String, Token)] = []
        for _ in 0..<4 {
            try expect(.comma, ",")
            let st = peek
            guard case .string(let s) = st.kind else { throw unexpected(st, expecting: "STRING") }
            advance()
            args.append((s, st))
        }
        try expect(.closeParen, ")")
        let dst = args[0]
        do { _ = try RE2Regex(LabelReplace.anchored(args[3].0)) } catch {
            throw ParseError(line: args[3].1.line, column: args[3].1.column, error.description)
        }
        return LabelReplace(inner: inner, destination: dst.0, replacement: args[1].0, source: args[2].0, regex: args[3].0)
    }

    mutating func signedNumber() throws(ParseError) -> Double {
        var sign = 1.0
        if case .op(let s) = peek.kind, s == "-" || s == "+" {
            advance()
            if s == "-" { sign = -1 }
        }
        let t = peek
        guard case .number(let text) = t.kind, let v = GoFloat.parse(text) else { throw unexpected(t) }
        advance()
        return sign * v
    }

    /// `(a, b, c)` (possibly empty).
    mutating func labelList() throws(ParseError) -> [String] {
        try expect(.openParen, "(")
        var names: [String] = []
        if case .closeParen = peek.kind {
            advance()
            return names
        }
        while true {
            guard case .identifier(let n) = peek.kind else { throw unexpected(peek, expecting: "IDENTIFIER") }
            advance()
            names.append(n)
            if case .comma = peek.kind { advance(); continue }
            try expect(.closeParen, ")")
            return names
        }
    }

    mutating func grouping() throws(ParseError) -> Grouping? {
        guard case .identifier(let w) = peek.kind, w == "by" || w == "without" else { return nil }
        advance()
        return Grouping(labels: try labelList(), without: w == "without")
    }

    // MARK: aggregations

    mutating func rangeAggregation(_ op: RangeAggregation.Op) throws(ParseError) -> MetricExpr {
        let opToken = advance()
        try expect(.openParen, "(")
        var parameter: Double?
        if case .number = peek.kind {
            parameter = try signedNumber()
            try expect(.comma, ",")
        }
        let range = try logRange()
        try expect(.closeParen, ")")
        let grouping = try grouping()
        if op == .quantileOverTime && parameter == nil {
            throw ParseError(line: opToken.line, column: opToken.column, "syntax error: quantile_over_time needs a parameter: quantile_over_time(0.99, {…} | unwrap x [5m])")
        }
        if op != .quantileOverTime && parameter != nil {
            throw ParseError(line: opToken.line, column: opToken.column, "syntax error: \(op.rawValue) takes no parameter")
        }
        let agg = RangeAggregation(op: op, range: range, parameter: parameter, grouping: grouping)
        try Self.validate(agg)
        return .range(agg)
    }

    /// Loki's rules on which range aggregations take `unwrap` and grouping.
    static func validate(_ a: RangeAggregation) throws(ParseError) {
        let unwrapped: Set<RangeAggregation.Op> = [.avgOverTime, .sumOverTime, .maxOverTime, .minOverTime, .stddevOverTime,
                                                    .stdvarOverTime, .quantileOverTime, .rate, .rateCounter, .absentOverTime,
                                                    .firstOverTime, .lastOverTime]
        let plain: Set<RangeAggregation.Op> = [.bytesOverTime, .bytesRate, .countOverTime, .rate, .absentOverTime]
        let groupable: Set<RangeAggregation.Op> = [.avgOverTime, .stddevOverTime, .stdvarOverTime, .quantileOverTime,
                                                   .maxOverTime, .minOverTime, .firstOverTime, .lastOverTime]
        if a.grouping != nil && !groupable.contains(a.op) {
            throw ParseError(whole: "grouping not allowed for \(a.op.rawValue) aggregation")
        }
        if a.range.unwrap != nil {
            if !unwrapped.contains(a.op) { throw ParseError(whole: "invalid aggregation \(a.op.rawValue) with unwrap") }
        } else if !plain.contains(a.op) {
            throw ParseError(whole: "invalid aggregation \(a.op.rawValue) without unwrap")
        }
    }

    mutating func vectorAggregation(_ op: VectorAggregation.Op) throws(ParseError) -> MetricExpr {
        let opToken = advance()
        var grouping = try grouping()
        try expect(.openParen, "(")
        var parameter: Int?
        if op == .topk || op == .bottomk {
            let t = peek
            guard case .number(let text) = t.kind else { throw unexpected(t) }
            advance()
            guard let k = Int(text) else {
                throw ParseError(line: t.line, column: t.column, "syntax error: invalid parameter \(op.rawValue)(\(text),: it must be a whole number")
            }
            // Loki's check, worded as Loki words it.
            guard k > 0 else { throw ParseError(whole: "invalid parameter (must be greater than 0) \(op.rawValue)(\(text)") }
            parameter = k
            try expect(.comma, ",")
        }
        try enter(opToken)
        defer { depth -= 1 }
        let innerToken = peek
        let inner = try expr(minPrecedence: 1)
        try closeParenNamingNothing()
        let groupingToken = peek
        if let after = try self.grouping() {
            if grouping != nil { throw unexpected(groupingToken) }
            grouping = after
        }
        guard case .metric(let m) = inner else {
            throw ParseError(line: innerToken.line, column: innerToken.column,
                             "syntax error: \(op.rawValue) aggregates a metric expression, not a log query: wrap the log query in a range aggregation, like count_over_time({…}[5m])")
        }
        return .vector(VectorAggregation(op: op, inner: m, parameter: parameter, grouping: grouping ?? Grouping(labels: [], without: false)))
    }

    // MARK: log ranges

    /// `{…} | stages | unwrap x [5m] offset 1h`, or the older `{…}[5m] | stages`.
    mutating func logRange() throws(ParseError) -> LogRange {
        let t = peek
        if case .openParen = t.kind {
            advance()
            try enter(t)
            defer { depth -= 1 }
            // `({…} | stages)[5m]` or `({…} | stages [5m])`.
            let q = try logExpr(inRange: true)
            if case .closeParen = peek.kind {
                advance()
                return try rangeSuffix(q.query, unwrap: q.unwrap)
            }
            let r = try rangeSuffix(q.query, unwrap: q.unwrap)
            try expect(.closeParen, ")")
            return r
        }
        guard case .openBrace = t.kind else { throw unexpected(t, expecting: "{") }
        let q = try logExpr(inRange: true)
        return try rangeSuffix(q.query, unwrap: q.unwrap)
    }

    /// `[5m] offset 1h`, then the older form's pipeline after the range.
    mutating func rangeSuffix(_ q: LogQuery, unwrap: Unwrap?) throws(ParseError) -> LogRange {
        let open = peek
        // (A pipeline stage could follow as well: Loki's parser names no expected token here.)
        guard case .openBracket = open.kind else { throw unexpected(open) }
        advance()
        let dt = peek
        guard case .number(let text) = dt.kind, let range = TimeParser.duration(text), range > 0 else {
            // Loki's lexer rejects a bad range itself, at line 0 and the 0-based column.
            if case .number(let text) = dt.kind { throw ParseError(line: 0, column: dt.column - 1, "not a valid duration string: \(GoQuote.quote(text))") }
            throw ParseError(line: dt.line, column: dt.column, "syntax error: unexpected \(dt.name), expecting a duration like 5m")
        }
        advance()
        try expect(.closeBracket, "]")
        var offset: Int64 = 0
        if case .identifier("offset") = peek.kind {
            advance()
            let ot = peek
            guard case .number(let o) = ot.kind, let d = TimeParser.duration(o) else { throw unexpected(ot, expecting: "a duration") }
            advance()
            offset = d
        }
        // The older form: `{…}[5m] | json | unwrap x`.
        if unwrap == nil, q.stages.isEmpty, startsStage {
            let more = try stages(inRange: true)
            return LogRange(log: LogQuery(matchers: q.matchers, stages: more.stages), range: range, offset: offset, unwrap: more.unwrap)
        }
        return LogRange(log: q, range: range, offset: offset, unwrap: unwrap)
    }
}
