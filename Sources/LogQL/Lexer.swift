import LogModel

/// Splits a LogQL query into tokens. Strings are Go string literals, as in Loki: double-quoted with
/// Go's escapes, or backtick-quoted and raw (newlines allowed). `#` starts a comment to the end of
/// the line. Columns count characters, 1-based, on the token's line.
public struct Lexer {
    /// The query's bytes followed by a 0 sentinel.
    private var u: [UInt8]
    private var i = 0

    /// The longest query accepted (Loki has no such limit; a multi-megabyte query is an attack).
    public static let maxQueryBytes = 128 * 1024

    public init(_ query: String) throws(ParseError) {
        u = Array(query.utf8)
        guard u.count <= Self.maxQueryBytes else {
            throw ParseError(whole: "the query is \(u.count) bytes, more than the \(Self.maxQueryBytes)-byte maximum")
        }
        u.append(0)
    }

    /// All tokens, ending with `.end`.
    public static func tokens(_ query: String) throws(ParseError) -> [Token] {
        var lexer = try Lexer(query)
        var out: [Token] = []
        while true {
            let t = try lexer.next()
            out.append(t)
            if t.kind == .end { return out }
        }
    }

    private var atEnd: Bool { i == u.count - 1 }

    /// The line and column of `mark` (tokens come in order, so positions are counted forward from
    /// the previous one: linear in the query, however many tokens).
    private var mark = 0, markLine = 1, markColumn = 1

    private mutating func position(_ offset: Int) -> (line: Int, column: Int) {
        if offset < mark { (mark, markLine, markColumn) = (0, 1, 1) }
        while mark < offset {
            let b = u[mark]
            if b == 0x0a {
                markLine += 1
                markColumn = 1
            } else if b & 0xC0 != 0x80 {
                markColumn += 1 // a character starts here (not a UTF-8 continuation byte)
            }
            mark += 1
        }
        return (markLine, markColumn)
    }

    private mutating func token(_ kind: Token.Kind, at offset: Int) -> Token {
        let p = position(offset)
        return Token(kind: kind, offset: offset, line: p.line, column: p.column)
    }

    static func isNameStart(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f }
    static func isNameChar(_ c: UInt8) -> Bool { isNameStart(c) || (c >= 0x30 && c <= 0x39) }
    /// Whether a number's text so far has a letter (then an `e` is a unit's, not an exponent).
    static func hasUnitLetter(_ s: ArraySlice<UInt8>) -> Bool {
        s.contains(where: isNameStart)
    }
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d }
    /// Characters that end an `other` token.
    static func isSymbol(_ c: UInt8) -> Bool {
        [0x7b, 0x7d, 0x28, 0x29, 0x5b, 0x5d, 0x2c, 0x3d, 0x21, 0x7c, 0x22, 0x60, 0x23,
         0x3e, 0x3c, 0x2b, 0x2d, 0x2a, 0x2f, 0x25, 0x5e].contains(c)
    }

    public mutating func next() throws(ParseError) -> Token {
        while true {
            while !atEnd && Self.isSpace(u[i]) { i += 1 }
            guard !atEnd, u[i] == 0x23 else { break } // `#` comment
            while !atEnd && u[i] != 0x0a { i += 1 }
        }
        let start = i
        if atEnd { return token(.end, at: start) }
        let c = u[i], d = u[i + 1]
        func symbol(_ kind: Token.Kind, _ length: Int) -> Token {
            i += length
            return token(kind, at: start)
        }
        switch c {
        case 0x7b: return symbol(.openBrace, 1)
        case 0x7d: return symbol(.closeBrace, 1)
        case 0x28: return symbol(.openParen, 1)
        case 0x29: return symbol(.closeParen, 1)
        case 0x5b: return symbol(.openBracket, 1)
        case 0x5d: return symbol(.closeBracket, 1)
        case 0x2c: return symbol(.comma, 1)
        case 0x3d: return d == 0x7e ? symbol(.re, 2) : d == 0x3d ? symbol(.op("=="), 2) : symbol(.eq, 1)
        case 0x21:
            if d == 0x3d { return symbol(.neq, 2) }
            if d == 0x7e { return symbol(.nre, 2) }
            if d == 0x3e { return symbol(.op("!>"), 2) }
            return symbol(.other("!"), 1)
        case 0x7c:
            if d == 0x3d { return symbol(.pipeExact, 2) }
            if d == 0x7e { return symbol(.pipeMatch, 2) }
            if d == 0x3e { return symbol(.op("|>"), 2) }
            return symbol(.pipe, 1)
        case 0x3e: return d == 0x3d ? symbol(.op(">="), 2) : symbol(.op(">"), 1)
        case 0x3c: return d == 0x3d ? symbol(.op("<="), 2) : symbol(.op("<"), 1)
        case 0x2b, 0x2d, 0x2a, 0x2f, 0x25, 0x5e: return symbol(.op(String(UnicodeScalar(c))), 1)
        case 0x30...0x39:
            // A number, duration or byte size: digits, `.`, letters (units, exponents), and a sign
            // right after an exponent (`1e-3`).
            i += 1
            while true {
                let b = u[i]
                if (b >= 0x30 && b <= 0x39) || b == 0x2e || Self.isNameStart(b) || b >= 0x80 { i += 1; continue }
                if (b == 0x2b || b == 0x2d), u[i - 1] == 0x65 || u[i - 1] == 0x45, !Self.hasUnitLetter(u[start..<(i - 1)]) { i += 1; continue }
                break
            }
            return token(.number(String(decoding: u[start..<i], as: UTF8.self)), at: start)
        case 0x22, 0x60:
            do {
                let s = try LabelParser.parseQuoted(&u, &i)
                return token(.string(s), at: start)
            } catch {
                let p = position(start)
                let what = error.message.split(separator: ": ").last.map(String.init) ?? "bad string"
                // Loki's lexer (Go's text/scanner) words an open string this way.
                if what.hasPrefix("unterminated") { throw ParseError(line: p.line, column: p.column, "literal not terminated") }
                throw ParseError(line: p.line, column: p.column, "syntax error: \(what)")
            }
        default:
            if Self.isNameStart(c) {
                while Self.isNameChar(u[i]) { i += 1 }
                return token(.identifier(String(decoding: u[start..<i], as: UTF8.self)), at: start)
            }
            i += 1
            while !atEnd && !Self.isSpace(u[i]) && !Self.isSymbol(u[i]) && !Self.isNameStart(u[i]) { i += 1 }
            return token(.other(String(decoding: u[start..<i], as: UTF8.self)), at: start)
        }
    }
}
