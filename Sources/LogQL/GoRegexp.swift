import Codecs

/// Go's `regexp` operations that walk every match — `ReplaceAllString` (with `$1`/`${name}`
/// expansion), `ReplaceAllLiteralString`, `FindAllStringIndex` — over an RE2 pattern, with Go's
/// rules for empty matches (never right after a previous match; always advance a character).
struct GoRegexp: Sendable {
    let regex: RE2Regex
    let names: [String]

    init(_ pattern: String) throws(RE2Regex.CompileError) {
        regex = try RE2Regex(pattern)
        names = regex.captureNames
    }

    /// Every match's groups (0 = whole match), in order.
    func matches(_ s: String, limit: Int = .max) -> [[Range<Int>?]] {
        var out: [[Range<Int>?]] = []
        let bytes = Array(s.utf8)
        bytes.withUnsafeBytes { b in
            var pos = 0
            var prevEnd = -1
            while pos <= b.count, out.count < limit, let m = regex.match(b, from: pos, groups: names.count), let whole = m[0] {
                var accept = true
                if whole.upperBound == pos {
                    if whole.lowerBound == prevEnd { accept = false }
                    pos += Self.runeWidth(b, at: pos)
                } else {
                    pos = whole.upperBound
                }
                prevEnd = whole.upperBound
                if accept { out.append(m) }
            }
        }
        return out
    }

    /// `re.ReplaceAllString(src, repl)` (`literal`: `ReplaceAllLiteralString`).
    func replaceAll(_ src: String, _ repl: String, literal: Bool) -> String {
        let b = Array(src.utf8)
        var out: [UInt8] = []
        var last = 0
        for m in matches(src) {
            guard let whole = m[0] else { continue }
            out.append(contentsOf: b[last..<whole.lowerBound])
            out.append(contentsOf: literal ? Array(repl.utf8) : expand(repl, m, in: b))
            last = whole.upperBound
        }
        out.append(contentsOf: b[last...])
        return String(decoding: out, as: UTF8.self)
    }

    /// Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}` (a name is the longest run of letters,
    /// digits and `_`, so `$1x` is the group "1x"), `$$` for `$`; unknown groups expand to nothing.
    func expand(_ template: String, _ m: [Range<Int>?], in src: [UInt8]) -> [UInt8] {
        let t = Array(template.utf8)
        var out: [UInt8] = []
        var i = 0
        func isName(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7a) || c == 0x5f }
        while i < t.count {
            guard t[i] == 0x24, i + 1 < t.count else { out.append(t[i]); i += 1; continue }
            if t[i + 1] == 0x24 { out.append(0x24); i += 2; continue }
            var name: [UInt8] = []
            var j = i + 1
            if t[j] == 0x7b {
                var e = j + 1
                while e < t.count, isName(t[e]) { e += 1 }
                guard e < t.count, t[e] == 0x7d, e > j + 1 else { out.append(t[i]); i += 1; continue }
                name = Array(t[(j + 1)..<e])
                j = e + 1
            } else {
                var e = j
                while e < t.count, isName(t[e]) { e += 1 }
                guard e > j else { out.append(t[i]); i += 1; continue }
                name = Array(t[j..<e])
                j = e
            }
            let n = String(decoding: name, as: UTF8.self)
            var group: Int?
            if let k = Int(n), n.allSatisfy(\.isNumber) { group = k } else if let k = names.firstIndex(of: n) { group = k + 1 }
            if let g = group, g < m.count, let r = m[g] { out.append(contentsOf: src[r]) }
            i = j
        }
        return out
    }

    static func runeWidth(_ b: UnsafeRawBufferPointer, at i: Int) -> Int {
        guard i < b.count else { return 1 }
        let c = b[i]
        let w = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1
        return min(w, b.count - i)
    }
}
