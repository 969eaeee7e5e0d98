/// A forgiving-nothing JSON reader over a log line's bytes, for the `json` and `unpack` stages:
/// walks objects without building a tree, unescapes strings, hands numbers back as their text.
/// Never traps on any input; a malformed line is reported with what was wrong and where.
struct JSONScanner {
    let b: UnsafeRawBufferPointer
    var i = 0

    init(_ b: UnsafeRawBufferPointer) { self.b = b }

    /// What went wrong and where; the text is put together only when asked for.
    struct Failure: Error {
        let what: String
        let offset: Int

        init(_ what: String, at offset: Int) {
            self.what = what
            self.offset = offset
        }

        var message: String { "\(what) at offset \(offset)" }
    }

    enum Kind { case string, number, bool, null, object, array }

    var atEnd: Bool { i >= b.count }

    mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0a || b[i] == 0x0d { i += 1 }
    }

    func fail(_ what: String) -> Failure { Failure(what, at: i) }

    mutating func expect(_ c: UInt8) throws(Failure) {
        skipSpace()
        guard i < b.count, b[i] == c else { throw fail("expected '\(Character(UnicodeScalar(c)))'") }
        i += 1
    }

    /// The kind of the value at the cursor (after spaces).
    mutating func peekKind() throws(Failure) -> Kind {
        skipSpace()
        guard i < b.count else { throw fail("unexpected end of line") }
        switch b[i] {
        case 0x22: return .string
        case 0x7b: return .object
        case 0x5b: return .array
        case 0x74, 0x66: return .bool
        case 0x6e: return .null
        case 0x2d, 0x30...0x39: return .number
        default: throw fail("unexpected character '\(Character(UnicodeScalar(b[i])))'")
        }
    }

    /// Calls `body` with each key of the object at the cursor, the cursor on the value; `body`
    /// must consume the value.
    mutating func forEachMember(_ body: (inout JSONScanner, String) throws(Failure) -> Void) throws(Failure) {
        try expect(0x7b)
        skipSpace()
        if i < b.count, b[i] == 0x7d {
            i += 1
            return
        }
        while true {
            skipSpace()
            guard i < b.count, b[i] == 0x22 else { throw fail("expected a key") }
            let key = try readString()
            try expect(0x3a)
            try body(&self, key)
            skipSpace()
            guard i < b.count else { throw fail("unexpected end of object") }
            if b[i] == 0x2c {
                i += 1
                continue
            }
            if b[i] == 0x7d {
                i += 1
                return
            }
            throw fail("expected ',' or '}'")
        }
    }

    /// Reads a string value, unescaping it. Invalid UTF-8 is replaced.
    mutating func readString() throws(Failure) -> String {
        try expect(0x22)
        let start = i
        var plain = true
        while i < b.count {
            let c = b[i]
            if c == 0x22 {
                defer { i += 1 }
                if plain { return String(decoding: UnsafeRawBufferPointer(rebasing: b[start..<i]), as: UTF8.self) }
                return try unescape(start, i)
            }
            if c == 0x5c {
                plain = false
                i += 2
                continue
            }
            if c < 0x20 { throw fail("control character in string") }
            i += 1
        }
        throw fail("unterminated string")
    }

    /// Steps over a string value, checking it exactly as `readString` does.
    mutating func skipString() throws(Failure) {
        skipSpace()
        let start = i
        var j = i + 1
        while j < b.count {
            let c = b[j]
            if c == 0x22 {
                i = j + 1
                return
            }
            if c == 0x5c || c < 0x20 { break } // escapes and faults: let readString judge
            j += 1
        }
        i = start
        _ = try readString()
    }

    private func unescape(_ from: Int, _ to: Int) throws(Failure) -> String {
        // One unescaper for both JSON readers (the json stage's walk resolves escapes the same way).
        guard let s = JSONObjectWalk(u: b).unescape(from, to) else { throw Failure("invalid escape sequence", at: from) }
        return s
    }

    /// Reads a number, `true`, `false` or `null` as its text.
    mutating func readScalar() throws(Failure) -> String {
        skipSpace()
        let start = i
        while i < b.count {
            let c = b[i]
            if c == 0x2c || c == 0x7d || c == 0x5d || c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d { break }
            i += 1
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        if Self.isJSONNumber(UnsafeRawBufferPointer(rebasing: b[start..<i])) { return text }
        switch text {
        case "true", "false", "null": return text
        default:
            guard !text.isEmpty, Double(text) != nil, text.first != "+" else { throw Failure("invalid value '\(text)'", at: start) }
            return text
        }
    }

    /// Whether `t` is a number in JSON's grammar (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`): such
    /// text needs no parsing to be known valid.
    static func isJSONNumber(_ t: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = t.count
        func digits() -> Int {
            let from = i
            while i < n, t[i] >= 0x30 && t[i] <= 0x39 { i += 1 }
            return i - from
        }
        if i < n, t[i] == 0x2d { i += 1 }
        guard i < n else { return false }
        if t[i] == 0x30 { i += 1 } else if digits() == 0 { return false }
        if i < n, t[i] == 0x2e {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < n, t[i] == 0x65 || t[i] == 0x45 {
            i += 1
            if i < n, t[i] == 0x2b || t[i] == 0x2d { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == n
    }

    /// Skips the value at the cursor (any kind, nested to any depth within `maxDepth`).
    mutating func skipValue(depth: Int = 0) throws(Failure) {
        guard depth < 512 else { throw fail("nested too deeply") }
        switch try peekKind() {
        case .string: _ = try readString()
        case .object: try forEachMember { (s: inout JSONScanner, _: String) throws(Failure) in try s.skipValue(depth: depth + 1) }
        case .array: try forEachElement { (s: inout JSONScanner) throws(Failure) in try s.skipValue(depth: depth + 1) }
        default: _ = try readScalar()
        }
    }

    /// Calls `body` with the cursor on each element of the array at the cursor; `body` must
    /// consume the element.
    mutating func forEachElement(_ body: (inout JSONScanner) throws(Failure) -> Void) throws(Failure) {
        try expect(0x5b)
        skipSpace()
        if i < b.count, b[i] == 0x5d {
            i += 1
            return
        }
        while true {
            try body(&self)
            skipSpace()
            guard i < b.count else { throw fail("unexpected end of array") }
            if b[i] == 0x2c { i += 1; continue }
            if b[i] == 0x5d { i += 1; return }
            throw fail("expected ',' or ']'")
        }
    }

    /// The raw text of the value at the cursor (for objects and arrays picked by a path).
    mutating func rawValue() throws(Failure) -> String {
        skipSpace()
        let start = i
        try skipValue()
        return String(decoding: UnsafeRawBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
    }
}
