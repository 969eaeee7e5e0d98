/// One lexical token of a LogQL query, with where it starts (for line:col errors).
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case openBrace, closeBrace, openParen, closeParen, comma
        /// `=`, `!=`, `=~`, `!~` (label matchers; `!=` and `!~` are also line filters).
        case eq, neq, re, nre
        /// `|=`, `|~` (line filters) and `|` (a pipeline stage follows).
        case pipeExact, pipeMatch, pipe
        case string(String)
        case identifier(String)
        /// Any other character sequence the grammar has no use for yet (numbers, `[5m]`, `>`…).
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
        case .other(let s): s
        case .end: "end of input"
        }
    }
}
