/// Parses a LogQL stream selector, `{name="v", name!="v", name=~"re", name!~"re"}`, into matchers.
/// Errors read like Loki's (`parse error at line 1, col N: …`); a selector whose every matcher also
/// matches the empty value is refused with Loki's message, since it would select every stream.
public enum SelectorParser {
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Parses `input`, which must be exactly one selector (surrounding spaces allowed).
    public static func parse(_ input: String) throws(ParseError) -> [LabelMatcher] {
        var u = Array(input.utf8)
        guard u.count <= LabelParser.maxInputBytes else {
            throw ParseError(message: "parse error : the query is \(u.count) bytes, more than the \(LabelParser.maxInputBytes)-byte maximum")
        }
        u.append(0)
        var i = 0
        func col() -> Int {
            // Column in characters, 1-based, on the current line (Loki reports line:col).
            var start = i
            while start > 0 && u[start - 1] != 0x0a { start -= 1 }
            return String(decoding: u[start..<i], as: UTF8.self).count + 1
        }
        func line() -> Int { u[0..<i].reduce(1) { $0 + ($1 == 0x0a ? 1 : 0) } }
        func fail(_ msg: String) -> ParseError { ParseError(message: "parse error at line \(line()), col \(col()): syntax error: \(msg)") }
        func skipSpace() { while i < u.count - 1, u[i] == 0x20 || u[i] == 0x09 || u[i] == 0x0a || u[i] == 0x0d { i += 1 } }
        func isNameStart(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f }
        func isNameChar(_ c: UInt8) -> Bool { isNameStart(c) || (c >= 0x30 && c <= 0x39) }
        func token() -> String {
            if u[i] == 0 && i == u.count - 1 { return "end of input" }
            var j = i + 1
            while j < u.count - 1, isNameChar(u[j]), isNameChar(u[i]) { j += 1 }
            return String(decoding: u[i..<j], as: UTF8.self)
        }

        skipSpace()
        if u[i] == 0 && i == u.count - 1 { throw ParseError(message: "parse error : syntax error: unexpected end of input, expected {") }
        guard u[i] == 0x7b else { throw fail("unexpected \(token()), expecting {") }
        i += 1
        var matchers: [LabelMatcher] = []
        skipSpace()
        if u[i] == 0x7d { throw fail("unexpected }, expecting IDENTIFIER") }
        while true {
            skipSpace()
            guard isNameStart(u[i]) else { throw fail("unexpected \(token()), expecting IDENTIFIER") }
            let nameStart = i
            while isNameChar(u[i]) { i += 1 }
            let name = String(decoding: u[nameStart..<i], as: UTF8.self)
            skipSpace()
            let op: LabelMatcher.Op
            switch (u[i], i + 1 < u.count ? u[i + 1] : 0) {
            case (0x3d, 0x7e): op = .regex
            case (0x21, 0x3d): op = .notEqual
            case (0x21, 0x7e): op = .notRegex
            case (0x3d, _): op = .equal
            default: throw fail("unexpected \(token()), expecting = or != or =~ or !~")
            }
            i += op.rawValue.utf8.count
            skipSpace()
            guard u[i] == 0x22 || u[i] == 0x60 else { throw fail("unexpected \(token()), expecting STRING") }
            let valueAt = (line(), col())
            let value: String
            do {
                value = try LabelParser.parseQuoted(&u, &i)
            } catch {
                throw ParseError(message: "parse error at line \(valueAt.0), col \(valueAt.1): syntax error: \(error.message.split(separator: ": ").last ?? "bad string")")
            }
            do {
                matchers.append(try LabelMatcher(name, op, value))
            } catch {
                throw ParseError(message: "parse error at line \(valueAt.0), col \(valueAt.1): \(error.description)")
            }
            skipSpace()
            if u[i] == 0x2c { i += 1; continue }
            if u[i] == 0x7d { i += 1; break }
            throw fail("unexpected \(token()), expecting , or }")
        }
        skipSpace()
        guard i == u.count - 1 else { throw fail("unexpected \(token())") }
        if matchers.allSatisfy(\.matchesEmpty) {
            throw ParseError(message: "parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will")
        }
        return matchers
    }
}
