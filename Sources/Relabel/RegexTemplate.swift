/// A replacement template in Go's `Regexp.Expand` syntax, as Prometheus relabeling uses it:
/// `$1`, `${1}`, `$name`, `${name}` insert a capture (empty when it took no part or does not exist),
/// `$$` is a literal `$`, and a `$` not followed by a valid reference stays as it is. A name is the
/// longest run of letters, digits and `_`, so `$1x` refers to a group named `1x` (empty) — write
/// `${1}x`. Parsed once, expanded per match.
struct RegexTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case group(Int)
        case named(String)
    }

    let parts: [Part]

    init(_ template: String) {
        var parts: [Part] = []
        var text = ""
        let s = Array(template.unicodeScalars)
        var i = 0
        func isNameScalar(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c.properties.isAlphabetic || c.properties.numericType == .decimal
        }
        while i < s.count {
            guard s[i] == "$" else {
                text.unicodeScalars.append(s[i])
                i += 1
                continue
            }
            if i + 1 < s.count && s[i + 1] == "$" {
                text += "$"
                i += 2
                continue
            }
            var j = i + 1
            let brace = j < s.count && s[j] == "{"
            if brace { j += 1 }
            let nameStart = j
            while j < s.count, isNameScalar(s[j]) { j += 1 }
            let name = String(String.UnicodeScalarView(s[nameStart..<j]))
            if name.isEmpty || (brace && (j >= s.count || s[j] != "}")) {
                // Malformed: the `$` is kept as text, and what follows is read as text too.
                text += "$"
                i += 1
                continue
            }
            if brace { j += 1 }
            if !text.isEmpty { parts.append(.text(text)); text = "" }
            if name.unicodeScalars.allSatisfy({ $0.value >= 48 && $0.value <= 57 }), !(name.hasPrefix("0") && name.count > 1) {
                // Go caps group numbers: a number too big to be a group inserts nothing (and
                // a leading zero makes it a name, which no group can have).
                parts.append(.group(name.count > 8 ? Int.max : Int(name)!))
            } else {
                parts.append(.named(name))
            }
            i = j
        }
        if !text.isEmpty { parts.append(.text(text)) }
        self.parts = parts
    }

    /// Whether the template is plain text (no reference).
    var isLiteral: Bool { parts.allSatisfy { if case .text = $0 { true } else { false } } }

    /// The template with `groups` (element 0 the whole match, then each group; nil for a group that
    /// took no part) of `source` inserted; `names` are the regex's group names ("" when unnamed),
    /// for group 1 on.
    func expand(_ source: [UInt8], groups: [Range<Int>?], names: [String]) -> String {
        var out = ""
        for p in parts {
            switch p {
            case .text(let t): out += t
            case .group(let n):
                if n < groups.count, let r = groups[n] { out += String(decoding: source[r], as: UTF8.self) }
            case .named(let name):
                if let i = names.firstIndex(of: name), i + 1 < groups.count, let r = groups[i + 1] {
                    out += String(decoding: source[r], as: UTF8.self)
                }
            }
        }
        return out
    }
}
