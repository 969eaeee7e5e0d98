/// Parses a stream's label string as Promtail sends it: `{a="b", c="d"}` (Prometheus series syntax,
/// optionally preceded by a metric name, which Loki ignores). Values are double-quoted, back-quoted
/// or single-quoted strings with Go escapes. Errors read like Loki's: `1:<col>: parse error: …`.
public enum LabelParser {
    /// Upper bound on the label string we even try to parse, far above any valid series
    /// (30 names × (1024 + 2048) bytes ≈ 92 KiB) so a hostile 100 MB label string fails fast.
    public static let maxInputBytes = 256 * 1024

    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func parse(_ input: String) throws(ParseError) -> LabelSet {
        var u = Array(input.utf8)
        if u.count > maxInputBytes {
            throw ParseError(message: "label string of \(u.count) bytes exceeds the \(maxInputBytes)-byte maximum")
        }
        u.append(0) // sentinel
        var i = 0
        func fail(_ msg: String) -> ParseError { ParseError(message: "1:\(i + 1): parse error: \(msg)") }
        func skipSpace() { while i < u.count - 1, u[i] == 0x20 || u[i] == 0x09 || u[i] == 0x0a || u[i] == 0x0d { i += 1 } }
        func isNameStart(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f }
        func isNameChar(_ c: UInt8) -> Bool { isNameStart(c) || (c >= 0x30 && c <= 0x39) }
        func describe(_ c: UInt8) -> String { c == 0 ? "end of input" : "\"\(String(decoding: [c], as: UTF8.self))\"" }

        skipSpace()
        // Optional metric name before the braces (accepted, ignored, as Loki does for streams).
        if isNameStart(u[i]) || u[i] == 0x3a {
            while isNameChar(u[i]) || u[i] == 0x3a { i += 1 }
            skipSpace()
        }
        guard u[i] == 0x7b else { throw fail("unexpected \(describe(u[i])), expected \"{\"") }
        i += 1
        var labels: [Label] = []
        skipSpace()
        if u[i] == 0x7d {
            i += 1
        } else {
            while true {
                skipSpace()
                guard isNameStart(u[i]) else {
                    throw fail("unexpected \(describe(u[i])) in label set, expected identifier")
                }
                let nameStart = i
                while isNameChar(u[i]) { i += 1 }
                let name = String(decoding: u[nameStart..<i], as: UTF8.self)
                skipSpace()
                guard u[i] == 0x3d else {
                    throw fail("unexpected \(describe(u[i])) in label matching, expected label matching operator \"=\"")
                }
                i += 1
                if u[i] == 0x7e || u[i] == 0x3d {
                    throw fail("unexpected character after \"=\": stream labels take only \"=\"")
                }
                skipSpace()
                let value = try parseQuoted(&u, &i)
                labels.append(Label(name, value))
                skipSpace()
                if u[i] == 0x2c {
                    i += 1
                    skipSpace()
                    if u[i] == 0x7d { i += 1; break } // trailing comma allowed
                    continue
                }
                if u[i] == 0x7d { i += 1; break }
                throw fail("unexpected \(describe(u[i])) in label set, expected \",\" or \"}\"")
            }
        }
        skipSpace()
        guard i == u.count - 1 else { throw fail("unexpected \(describe(u[i])) after the label set") }
        return LabelSet(labels)
    }

    /// Reads a quoted string at `u[i]` (the array ends with a 0 sentinel); leaves `i` after the closing quote.
    public static func parseQuoted(_ u: inout [UInt8], _ i: inout Int) throws(ParseError) -> String {
        let quote = u[i]
        guard quote == 0x22 || quote == 0x27 || quote == 0x60 else {
            throw ParseError(message: "1:\(i + 1): parse error: unexpected character, expected a quoted label value")
        }
        i += 1
        var out: [UInt8] = []
        while true {
            let c = u[i]
            if c == 0 && i == u.count - 1 { throw ParseError(message: "1:\(i + 1): parse error: unterminated quoted string") }
            if c == quote { i += 1; break }
            if c == 0x0a && quote != 0x60 { throw ParseError(message: "1:\(i + 1): parse error: unterminated quoted string") }
            if c == 0x5c && quote != 0x60 {
                i += 1
                let e = u[i]
                switch e {
                case 0x6e: out.append(0x0a)
                case 0x74: out.append(0x09)
                case 0x72: out.append(0x0d)
                case 0x61: out.append(0x07)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0c)
                case 0x76: out.append(0x0b)
                case 0x5c, 0x22, 0x27: out.append(e)
                case 0x78, 0x75, 0x55:
                    let digits = e == 0x78 ? 2 : e == 0x75 ? 4 : 8
                    var v: UInt32 = 0
                    for _ in 0..<digits {
                        i += 1
                        guard let h = hexValue(u[i]) else {
                            throw ParseError(message: "1:\(i + 1): parse error: invalid escape sequence in quoted string")
                        }
                        v = v << 4 | UInt32(h)
                    }
                    if e == 0x78 {
                        out.append(UInt8(v))
                    } else {
                        guard let scalar = Unicode.Scalar(v) else {
                            throw ParseError(message: "1:\(i + 1): parse error: invalid Unicode code point in quoted string")
                        }
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    }
                default:
                    throw ParseError(message: "1:\(i + 1): parse error: unknown escape sequence in quoted string")
                }
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
