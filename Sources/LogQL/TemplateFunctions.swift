public import GoTemplate
import Synchronization

/// The functions Loki 2.8 gives `line_format` and `label_format` templates: its own (`ToUpper`,
/// `regexReplaceAll`, `bytes`, `__line__`…), the Sprig subset it imports (with Sprig's loose number
/// conversions and decimal float arithmetic), and Loki 2.9's `alignLeft`/`alignRight`.
public enum TemplateFunctions {
    public static let all: [String: TemplateFunction] = {
        var t: [String: TemplateFunction] = [:]
        t.merge(strings) { a, _ in a }
        t.merge(math) { a, _ in a }
        t.merge(time) { a, _ in a }
        t.merge(encoding) { a, _ in a }
        return t
    }()

    typealias F = TemplateFunction

    /// A `line_format` (`name` "line") or `label_format` ("label") template with these functions.
    static func compile(_ text: String, name: String) throws(TemplateError) -> Template {
        try Template(name: name, text: text, functions: all)
    }

    /// A `(string…) -> string` function.
    static func text(_ n: Int, _ f: @escaping @Sendable ([String]) -> String) -> F {
        F(Array(repeating: .string, count: n)) { a, _ in .string(f(a.map(\.stringValue))) }
    }

    static let strings: [String: F] = [
        "ToLower": text(1) { $0[0].lowercased() },
        "ToUpper": text(1) { $0[0].uppercased() },
        "lower": text(1) { $0[0].lowercased() },
        "upper": text(1) { $0[0].uppercased() },
        "title": text(1) { title($0[0]) },
        "Replace": F([.string, .string, .string, .int]) { a, _ in
            .string(replace(a[0].stringValue, a[1].stringValue, a[2].stringValue, count: Int(a[3].intValue)))
        },
        "replace": text(3) { replace($0[2], $0[0], $0[1], count: -1) },
        "Trim": text(2) { trim($0[0], cutset: $0[1], left: true, right: true) },
        "TrimLeft": text(2) { trim($0[0], cutset: $0[1], left: true, right: false) },
        "TrimRight": text(2) { trim($0[0], cutset: $0[1], left: false, right: true) },
        "trimAll": text(2) { trim($0[1], cutset: $0[0], left: true, right: true) },
        "TrimPrefix": text(2) { $0[0].hasPrefix($0[1]) ? String($0[0].utf8.dropFirst($0[1].utf8.count))! : $0[0] },
        "TrimSuffix": text(2) { $0[0].hasSuffix($0[1]) ? String($0[0].utf8.dropLast($0[1].utf8.count))! : $0[0] },
        "trimPrefix": text(2) { $0[1].hasPrefix($0[0]) ? String($0[1].utf8.dropFirst($0[0].utf8.count))! : $0[1] },
        "trimSuffix": text(2) { $0[1].hasSuffix($0[0]) ? String($0[1].utf8.dropLast($0[0].utf8.count))! : $0[1] },
        "TrimSpace": text(1) { trimSpace($0[0]) },
        "trim": text(1) { trimSpace($0[0]) },
        "contains": F([.string, .string]) { a, _ in .bool(a[0].stringValue.isEmpty || a[1].stringValue.utf8.firstRange(of: a[0].stringValue.utf8) != nil) },
        "hasPrefix": F([.string, .string]) { a, _ in .bool(a[1].stringValue.utf8.starts(with: a[0].stringValue.utf8)) },
        "hasSuffix": F([.string, .string]) { a, _ in .bool(a[1].stringValue.utf8.reversed().starts(with: a[0].stringValue.utf8.reversed())) },
        "repeat": F([.int, .string]) { a, _ throws(TemplateError) in
            let n = a[0].intValue, s = a[1].stringValue
            guard n >= 0 else { throw TemplateError("strings: negative Repeat count") }
            guard n * Int64(max(1, s.utf8.count)) <= maxOutput else { throw TemplateError("repeat would make more than \(maxOutput) bytes") }
            return .string(String(repeating: s, count: Int(n)))
        },
        "indent": F([.int, .string]) { a, _ in .string(indent(Int(a[0].intValue), a[1].stringValue)) },
        "nindent": F([.int, .string]) { a, _ in .string("\n" + indent(Int(a[0].intValue), a[1].stringValue)) },
        "trunc": F([.int, .string]) { a, _ in .string(trunc(Int(a[0].intValue), a[1].stringValue)) },
        "substr": F([.int, .int, .string]) { a, _ in .string(substring(Int(a[0].intValue), Int(a[1].intValue), a[2].stringValue)) },
        "alignLeft": F([.int, .string]) { a, _ in .string(align(Int(a[0].intValue), a[1].stringValue, left: true)) },
        "alignRight": F([.int, .string]) { a, _ in .string(align(Int(a[0].intValue), a[1].stringValue, left: false)) },
        "regexReplaceAll": F([.string, .string, .string]) { a, _ throws(TemplateError) in
            .string(try regexp(a[0].stringValue).replaceAll(a[1].stringValue, a[2].stringValue, literal: false))
        },
        "regexReplaceAllLiteral": F([.string, .string, .string]) { a, _ throws(TemplateError) in
            .string(try regexp(a[0].stringValue).replaceAll(a[1].stringValue, a[2].stringValue, literal: true))
        },
        "count": F([.string, .string]) { a, _ throws(TemplateError) in
            .int(Int64(try regexp(a[0].stringValue).matches(a[1].stringValue).count))
        },
        "default": F([.any], variadic: .any) { a, _ in
            a.count < 2 || isEmpty(a[1]) ? a[0] : a[1]
        },
        "__line__": F([]) { _, record in .string(record.line) },
    ]

    /// Output a single function may build (`repeat`), so a template cannot exhaust memory.
    static let maxOutput: Int64 = 16 << 20

    /// Compiled patterns of `regexReplaceAll`, `regexReplaceAllLiteral` and `count`, which templates
    /// call once per line, nearly always with the same literal pattern. Guards the dictionary.
    static let compiled = Mutex<[String: GoRegexp]>([:])
    /// Patterns kept at most (a template naming a pattern per line must not grow memory).
    static let maxCompiled = 256

    static func regexp(_ pattern: String) throws(TemplateError) -> GoRegexp {
        if let known = compiled.withLock({ $0[pattern] }) { return known }
        let re: GoRegexp
        do { re = try GoRegexp(pattern) } catch { throw TemplateError(error.description) }
        compiled.withLock { cache in
            if cache.count >= maxCompiled { cache.removeAll(keepingCapacity: true) }
            cache[pattern] = re
        }
        return re
    }

    /// Go's `strings.Replace(s, old, new, n)` (n < 0: all; empty `old` inserts between runes).
    static func replace(_ s: String, _ old: String, _ new: String, count n: Int) -> String {
        if n == 0 || old == new { return s }
        if old.isEmpty {
            var out = ""
            var done = 0
            for ch in s.unicodeScalars {
                if n < 0 || done < n { out += new; done += 1 }
                out.unicodeScalars.append(ch)
            }
            if n < 0 || done < n { out += new }
            return out
        }
        let b = Array(s.utf8), o = Array(old.utf8)
        var out: [UInt8] = []
        var i = 0, done = 0
        while i < b.count {
            if (n < 0 || done < n), i + o.count <= b.count, b[i..<(i + o.count)].elementsEqual(o) {
                out.append(contentsOf: new.utf8)
                i += o.count
                done += 1
            } else {
                out.append(b[i]); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func trim(_ s: String, cutset: String, left: Bool, right: Bool) -> String {
        let cut = Set(cutset.unicodeScalars)
        var u = Substring(s).unicodeScalars[...]
        if left { while let f = u.first, cut.contains(f) { u = u.dropFirst() } }
        if right { while let l = u.last, cut.contains(l) { u = u.dropLast() } }
        return String(String.UnicodeScalarView(u))
    }

    static func trimSpace(_ s: String) -> String {
        var u = Substring(s).unicodeScalars[...]
        while let f = u.first, f.properties.isWhitespace { u = u.dropFirst() }
        while let l = u.last, l.properties.isWhitespace { u = u.dropLast() }
        return String(String.UnicodeScalarView(u))
    }

    /// Go's `strings.Title`: the first letter of each word upper-cased (words split at anything but
    /// ASCII letters, digits and `_`, other letters and digits).
    static func title(_ s: String) -> String {
        var out = ""
        var prev: UnicodeScalar = " "
        for c in s.unicodeScalars {
            let separator: Bool = if prev.isASCII {
                !(prev.properties.isAlphabetic || ("0"..."9").contains(prev) || prev == "_")
            } else {
                prev.properties.isWhitespace
            }
            if separator { out += String(c).uppercased() } else { out.unicodeScalars.append(c) }
            prev = c
        }
        return out
    }

    static func indent(_ n: Int, _ s: String) -> String {
        let pad = String(repeating: " ", count: max(0, min(n, 4096)))
        return pad + replace(s, "\n", "\n" + pad, count: -1)
    }

    static func trunc(_ c: Int, _ s: String) -> String {
        let r = Array(s.unicodeScalars)
        if c < 0 && r.count + c > 0 { return String(String.UnicodeScalarView(r[(r.count + c)...])) }
        if c >= 0 && r.count > c { return String(String.UnicodeScalarView(r[..<c])) }
        return s
    }

    /// Sprig's `substr` on runes, out-of-range bounds clamped (Loki's later fix of Sprig's panic).
    static func substring(_ start: Int, _ end: Int, _ s: String) -> String {
        let r = Array(s.unicodeScalars)
        let e = min(end, r.count), st = min(start, r.count)
        if st < 0 { return e < 0 ? "" : String(String.UnicodeScalarView(r[..<e])) }
        if e < 0 { return String(String.UnicodeScalarView(r[st...])) }
        if st > e { return "" }
        return String(String.UnicodeScalarView(r[st..<e]))
    }

    static func align(_ count: Int, _ s: String, left: Bool) -> String {
        let r = Array(s.unicodeScalars)
        if count < 0 || count == r.count { return s }
        let pad = count - r.count
        if pad > 0 { return left ? s + String(repeating: " ", count: pad) : String(repeating: " ", count: pad) + s }
        return String(String.UnicodeScalarView(left ? r[..<count] : r[(r.count - count)...]))
    }

    /// Sprig's `empty`: nil, zero numbers, false, and empty strings and collections.
    static func isEmpty(_ v: TemplateValue) -> Bool {
        switch v {
        case .time: false
        default: !v.isTrue
        }
    }
}

extension TemplateValue {
    /// The string of a value the executor has type-checked as a string.
    var stringValue: String { if case .string(let s) = self { s } else { "" } }
    var intValue: Int64 { if case .int(let i) = self { i } else { 0 } }
    var floatValue: Double { if case .float(let f) = self { f } else { 0 } }
}
