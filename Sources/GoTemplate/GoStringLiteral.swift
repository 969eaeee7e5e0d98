/// Go's quoted literals inside actions: `"…"` with escapes, `` `…` `` raw, `'c'` characters.
enum GoStringLiteral {
    /// The value of a double-quoted literal's body (no quotes), or nil when an escape is invalid.
    static func unquote(_ body: Substring) -> String? {
        var out = String.UnicodeScalarView()
        var bytes: [UInt8] = [] // \x and octal escapes are bytes, joined into UTF-8 at the end of a run
        var it = Array(body.unicodeScalars)[...]
        func flushBytes() {
            if !bytes.isEmpty { out.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars); bytes = [] }
        }
        while let c = it.first {
            it = it.dropFirst()
            guard c == "\\" else { flushBytes(); out.append(c); continue }
            guard let e = it.first else { return nil }
            it = it.dropFirst()
            func hex(_ n: Int) -> UInt32? {
                guard it.count >= n else { return nil }
                let digits = String(String.UnicodeScalarView(it.prefix(n)))
                it = it.dropFirst(n)
                return UInt32(digits, radix: 16)
            }
            switch e {
            case "a": flushBytes(); out.append("\u{07}")
            case "b": flushBytes(); out.append("\u{08}")
            case "f": flushBytes(); out.append("\u{0C}")
            case "n": flushBytes(); out.append("\n")
            case "r": flushBytes(); out.append("\r")
            case "t": flushBytes(); out.append("\t")
            case "v": flushBytes(); out.append("\u{0B}")
            case "\\": flushBytes(); out.append("\\")
            case "\"": flushBytes(); out.append("\"")
            case "'": return nil
            case "x":
                guard let v = hex(2) else { return nil }
                bytes.append(UInt8(v))
            case "u", "U":
                guard let v = hex(e == "u" ? 4 : 8), let s = UnicodeScalar(v) else { return nil }
                flushBytes(); out.append(s)
            case "0"..."7":
                guard it.count >= 2 else { return nil }
                let digits = String(e) + String(String.UnicodeScalarView(it.prefix(2)))
                it = it.dropFirst(2)
                guard let v = UInt32(digits, radix: 8), v < 256 else { return nil }
                bytes.append(UInt8(v))
            default: return nil
            }
        }
        flushBytes()
        return String(out)
    }

    /// The character of a `'c'` literal's body.
    static func unquoteChar(_ body: String) -> UnicodeScalar? {
        if body == "\\'" { return "'" }
        if body == "\"" { return "\"" }
        if body.unicodeScalars.count == 1 { return body.unicodeScalars.first }
        guard let s = unquote(Substring(body)), s.unicodeScalars.count == 1 else { return nil }
        return s.unicodeScalars.first
    }
}
