public import GoTemplate

/// JSON text to a template value, as Go's `encoding/json` decodes into `interface{}`: objects are
/// maps, arrays lists, numbers float64, null nil. Nil for anything that is not one JSON value.
enum TemplateJSON {
    /// Nesting beyond this is refused (bounded recursion).
    static let maxDepth = 512

    static func parse(_ s: String) -> TemplateValue? {
        let b = Array(s.utf8)
        var i = 0
        guard let v = value(b, &i, depth: 0) else { return nil }
        skip(b, &i)
        return i == b.count ? v : nil
    }

    static func skip(_ b: [UInt8], _ i: inout Int) {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0a || b[i] == 0x0d { i += 1 }
    }

    static func value(_ b: [UInt8], _ i: inout Int, depth: Int) -> TemplateValue? {
        guard depth < maxDepth else { return nil }
        skip(b, &i)
        guard i < b.count else { return nil }
        switch b[i] {
        case 0x7b:
            i += 1
            var m: [String: TemplateValue] = [:]
            skip(b, &i)
            if i < b.count, b[i] == 0x7d { i += 1; return .map(m) }
            while true {
                skip(b, &i)
                guard i < b.count, b[i] == 0x22, let k = string(b, &i) else { return nil }
                skip(b, &i)
                guard i < b.count, b[i] == 0x3a else { return nil }
                i += 1
                guard let v = value(b, &i, depth: depth + 1) else { return nil }
                m[k] = v
                skip(b, &i)
                guard i < b.count else { return nil }
                if b[i] == 0x2c { i += 1; continue }
                if b[i] == 0x7d { i += 1; return .map(m) }
                return nil
            }
        case 0x5b:
            i += 1
            var l: [TemplateValue] = []
            skip(b, &i)
            if i < b.count, b[i] == 0x5d { i += 1; return .list(l) }
            while true {
                guard let v = value(b, &i, depth: depth + 1) else { return nil }
                l.append(v)
                skip(b, &i)
                guard i < b.count else { return nil }
                if b[i] == 0x2c { i += 1; continue }
                if b[i] == 0x5d { i += 1; return .list(l) }
                return nil
            }
        case 0x22: return string(b, &i).map { .string($0) }
        case 0x74: return word(b, &i, "true") ? .bool(true) : nil
        case 0x66: return word(b, &i, "false") ? .bool(false) : nil
        case 0x6e: return word(b, &i, "null") ? .missing : nil
        default:
            let start = i
            while i < b.count, (b[i] >= 0x30 && b[i] <= 0x39) || b[i] == 0x2d || b[i] == 0x2b || b[i] == 0x2e || b[i] | 0x20 == 0x65 { i += 1 }
            let text = String(decoding: b[start..<i], as: UTF8.self)
            guard i > start, Array(text.utf8).withUnsafeBytes({ JSONScanner.isJSONNumber($0) }), let f = Double(text) else { return nil }
            return .float(f)
        }
    }

    static func word(_ b: [UInt8], _ i: inout Int, _ w: String) -> Bool {
        let u = Array(w.utf8)
        guard i + u.count <= b.count, Array(b[i..<(i + u.count)]) == u else { return false }
        i += u.count
        return true
    }

    static func string(_ b: [UInt8], _ i: inout Int) -> String? {
        i += 1
        var out: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == 0x22 { i += 1; return String(decoding: out, as: UTF8.self) }
            if c < 0x20 { return nil }
            if c != 0x5c { out.append(c); i += 1; continue }
            guard i + 1 < b.count else { return nil }
            let e = b[i + 1]
            i += 2
            switch e {
            case 0x22, 0x5c, 0x2f: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0c)
            case 0x6e: out.append(0x0a)
            case 0x72: out.append(0x0d)
            case 0x74: out.append(0x09)
            case 0x75:
                guard i + 4 <= b.count, var v = UInt32(String(decoding: b[i..<(i + 4)], as: UTF8.self), radix: 16) else { return nil }
                i += 4
                if v >= 0xd800, v < 0xdc00, i + 6 <= b.count, b[i] == 0x5c, b[i + 1] == 0x75,
                   let lo = UInt32(String(decoding: b[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16), lo >= 0xdc00, lo < 0xe000 {
                    v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00)
                    i += 6
                }
                out.append(contentsOf: String(Character(UnicodeScalar(v) ?? "\u{FFFD}")).utf8)
            default: return nil
            }
        }
        return nil
    }
}
