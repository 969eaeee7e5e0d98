/// Splits a template into text and action tokens, as Go's `text/template/parse` lexer does:
/// `{{` `}}` delimiters, `{{- ` and ` -}}` trimming the whitespace beside them, `{{/* */}}` comments.
struct TemplateLexer {
    enum Kind: Equatable {
        case text(String)
        case leftDelim, rightDelim
        case identifier(String)
        /// `.name` (a chain `.a.b` is two tokens, the second not spaced).
        case field(String)
        case dot
        case variable(String)
        case string(String)
        case number(String)
        case pipe, leftParen, rightParen, declare, assign, comma
        case end
    }

    struct Token {
        var kind: Kind
        var position: Int
        /// Whether whitespace came before it inside the action (chains `(x).a` must be unspaced).
        var spaced: Bool
    }

    let name: String
    let src: [UInt8]

    func error(_ position: Int, _ message: String) -> TemplateError {
        TemplateError(description: "template: \(name):\(TemplateError.line(of: position, in: src)): \(message)")
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d }
    static func isIdent(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b == 0x5f || b >= 0x80
    }

    func tokens() throws(TemplateError) -> [Token] {
        var out: [Token] = []
        var i = 0
        var trimNext = false
        while i < src.count {
            // Text up to the next `{{`.
            var j = i
            while j + 1 < src.count, !(src[j] == 0x7b && src[j + 1] == 0x7b) { j += 1 }
            if j + 1 >= src.count { j = src.count }
            var text = Array(src[i..<j])
            if trimNext { while let f = text.first, Self.isSpace(f) { text.removeFirst() } }
            trimNext = false
            let delimAt = j
            guard j < src.count else {
                if !text.isEmpty { out.append(Token(kind: .text(String(decoding: text, as: UTF8.self)), position: i, spaced: false)) }
                break
            }
            var k = j + 2
            if k + 1 < src.count, src[k] == 0x2d, Self.isSpace(src[k + 1]) {
                while let l = text.last, Self.isSpace(l) { text.removeLast() }
                k += 2
            }
            if !text.isEmpty { out.append(Token(kind: .text(String(decoding: text, as: UTF8.self)), position: i, spaced: false)) }
            // A comment: `{{/* … */}}`, nothing else inside.
            if k + 1 < src.count, src[k] == 0x2f, src[k + 1] == 0x2a {
                var e = k + 2
                while e + 1 < src.count, !(src[e] == 0x2a && src[e + 1] == 0x2f) { e += 1 }
                guard e + 1 < src.count else { throw error(delimAt, "unclosed comment") }
                e += 2
                if e + 3 < src.count, Self.isSpace(src[e]), src[e + 1] == 0x2d, src[e + 2] == 0x7d, src[e + 3] == 0x7d {
                    trimNext = true
                    e += 4
                } else if e + 1 < src.count, src[e] == 0x7d, src[e + 1] == 0x7d {
                    e += 2
                } else {
                    throw error(delimAt, "comment ends before closing delimiter")
                }
                i = e
                continue
            }
            out.append(Token(kind: .leftDelim, position: delimAt, spaced: false))
            i = try action(from: k, into: &out, trimNext: &trimNext)
        }
        out.append(Token(kind: .end, position: src.count, spaced: false))
        return out
    }

    /// Lexes one action's inside; returns the index after its `}}`.
    private func action(from start: Int, into out: inout [Token], trimNext: inout Bool) throws(TemplateError) -> Int {
        var i = start
        var spaced = false
        var parens = 0
        while true {
            guard i < src.count else { throw error(start, "unclosed action") }
            let b = src[i]
            if Self.isSpace(b) {
                // ` -}}` closes and trims.
                if i + 3 < src.count, src[i + 1] == 0x2d, src[i + 2] == 0x7d, src[i + 3] == 0x7d {
                    out.append(Token(kind: .rightDelim, position: i, spaced: true))
                    trimNext = true
                    return i + 4
                }
                spaced = true
                i += 1
                continue
            }
            if b == 0x7d, i + 1 < src.count, src[i + 1] == 0x7d {
                if parens > 0 { throw error(i, "unclosed left paren") }
                out.append(Token(kind: .rightDelim, position: i, spaced: spaced))
                return i + 2
            }
            let at = i
            var kind: Kind
            switch b {
            case 0x7c: kind = .pipe; i += 1
            case 0x28: kind = .leftParen; parens += 1; i += 1
            case 0x29:
                parens -= 1
                if parens < 0 { throw error(at, "unexpected right paren") }
                kind = .rightParen; i += 1
            case 0x2c: kind = .comma; i += 1
            case 0x3a:
                guard i + 1 < src.count, src[i + 1] == 0x3d else { throw error(at, "expected :=") }
                kind = .declare; i += 2
            case 0x3d: kind = .assign; i += 1
            case 0x22, 0x60:
                var e = i + 1
                while e < src.count, src[e] != b {
                    if b == 0x22 {
                        if src[e] == 0x5c { e += 1 }
                        if e < src.count, src[e] == 0x0a { throw error(at, "unterminated quoted string") }
                    }
                    e += 1
                }
                guard e < src.count else { throw error(at, b == 0x22 ? "unterminated quoted string" : "unterminated raw quoted string") }
                let body = String(decoding: src[(i + 1)..<e], as: UTF8.self)
                if b == 0x22 {
                    guard let s = GoStringLiteral.unquote(Substring(body)) else { throw error(at, "invalid syntax in string \"\(body)\"") }
                    kind = .string(s)
                } else {
                    kind = .string(body)
                }
                i = e + 1
            case 0x27:
                var e = i + 1
                while e < src.count, src[e] != 0x27 {
                    if src[e] == 0x5c { e += 1 }
                    e += 1
                }
                guard e < src.count else { throw error(at, "unterminated character constant") }
                kind = .number(String(decoding: src[i...e], as: UTF8.self))
                i = e + 1
            case 0x24:
                var e = i + 1
                while e < src.count, Self.isIdent(src[e]) { e += 1 }
                kind = .variable(String(decoding: src[i..<e], as: UTF8.self))
                i = e
            case 0x2e:
                if i + 1 < src.count, src[i + 1] >= 0x30, src[i + 1] <= 0x39 {
                    (kind, i) = number(at: i)
                } else {
                    var e = i + 1
                    while e < src.count, Self.isIdent(src[e]) { e += 1 }
                    kind = e == i + 1 ? .dot : .field(String(decoding: src[(i + 1)..<e], as: UTF8.self))
                    i = e
                }
            case 0x30...0x39, 0x2b, 0x2d:
                if (b == 0x2b || b == 0x2d) && !(i + 1 < src.count && (src[i + 1] >= 0x30 && src[i + 1] <= 0x39 || src[i + 1] == 0x2e)) {
                    throw error(at, "bad character U+\(String(b, radix: 16, uppercase: true).leftPadded(4)) '\(Character(UnicodeScalar(b)))'")
                }
                (kind, i) = number(at: i)
            default:
                guard Self.isIdent(b) else {
                    throw error(at, "unexpected \"\(Character(UnicodeScalar(b)))\" in command")
                }
                var e = i
                while e < src.count, Self.isIdent(src[e]) { e += 1 }
                kind = .identifier(String(decoding: src[i..<e], as: UTF8.self))
                i = e
            }
            out.append(Token(kind: kind, position: at, spaced: spaced))
            spaced = false
        }
    }

    private func number(at start: Int) -> (Kind, Int) {
        var e = start
        if src[e] == 0x2b || src[e] == 0x2d { e += 1 }
        while e < src.count {
            let b = src[e]
            let isExpSign = (b == 0x2b || b == 0x2d) && e > start && (src[e - 1] | 0x20 == 0x65 || src[e - 1] | 0x20 == 0x70)
            guard Self.isIdent(b) || b == 0x2e || isExpSign else { break }
            e += 1
        }
        return (.number(String(decoding: src[start..<e], as: UTF8.self)), e)
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
