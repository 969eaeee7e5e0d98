/// One lexical token of a LogQL query, with where it starts (for line:col errors).
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case openBrace, closeBrace, openParen, closeParen, openBracket, closeBracket, comma
        /// `=`, `!=`, `=~`, `!~` (label matchers; `!=` and `!~` are also line filters).
        case eq, neq, re, nre
        /// `|=`, `|~` (line filters) and `|` (a pipeline stage follows).
        case pipeExact, pipeMatch, pipe
        case string(String)
        case identifier(String)
        /// A token starting with a digit: a number (`5`, `0.5`, `1e3`), a duration (`5m`, `1h30m`)
        /// or a byte size (`10KB`); the parser decides which from where it stands.
        case number(String)
        /// An operator: `==`, `>`, `>=`, `<`, `<=`, `+`, `-`, `*`, `/`, `%`, `^`, `|>`, `!>`.
        case op(String)
        /// Any other character sequence (the grammar has no use for it).
        case other(String)
        case end
    }

    public let kind: Kind
    /// Byte offset in the query.
    public let offset: Int
    public let line: Int
    public let column: Int

    /// How a syntax error names the token (goyacc's names for value tokens, the text for symbols).
    public var name: String {
        switch kind {
        case .openBrace: "{"
        case .closeBrace: "}"
        case .openParen: "("
        case .closeParen: ")"
        case .openBracket: "["
        case .closeBracket: "]"
        case .comma: ","
        case .eq: "="
        case .neq: "!="
        case .re: "=~"
        case .nre: "!~"
        case .pipeExact: "|="
        case .pipeMatch: "|~"
        case .pipe: "|"
        case .string: "STRING"
        case .identifier: "IDENTIFIER"
        case .number(let s): s
        case .op(let s): s
        case .other(let s): s
        case .end: "$end"
        }
    }
}
