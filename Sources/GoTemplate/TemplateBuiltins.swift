import LogModel

/// Go's predefined template functions (`and` and `or` are evaluated lazily by the executor).
enum TemplateBuiltins {
    static let names: Set<String> = Set(table.keys).union(["and", "or"])

    static let table: [String: TemplateFunction] = [
        "not": TemplateFunction([.any]) { a, _ in .bool(!a[0].isTrue) },
        "len": TemplateFunction([.any]) { a, _ throws(TemplateError) in
            switch a[0] {
            case .string(let s): return .int(Int64(s.utf8.count))
            case .labels(let m): return .int(Int64(m.count))
            case .map(let m): return .int(Int64(m.count))
            case .list(let l): return .int(Int64(l.count))
            default: throw TemplateError("len of type \(a[0].typeName)")
            }
        },
        "index": TemplateFunction([.any], variadic: .any) { a, _ throws(TemplateError) in
            var v = a[0]
            for k in a.dropFirst() {
                switch (v, k) {
                case (.labels(let m), .string(let key)): v = .string(m[key] ?? "")
                case (.map(let m), .string(let key)): v = m[key] ?? .missing
                case (.list(let l), .int(let i)):
                    guard i >= 0, i < l.count else { throw TemplateError("error calling index: index out of range: \(i)") }
                    v = l[Int(i)]
                case (.string(let s), .int(let i)):
                    let u = Array(s.utf8)
                    guard i >= 0, i < u.count else { throw TemplateError("error calling index: index out of range: \(i)") }
                    v = .int(Int64(u[Int(i)]))
                case (.missing, _): throw TemplateError("index of untyped nil")
                default: throw TemplateError("can't index item of type \(v.typeName)")
                }
            }
            return v
        },
        "slice": TemplateFunction([.any], variadic: .int) { a, _ throws(TemplateError) in
            let bounds = a.dropFirst().map { v -> Int in if case .int(let i) = v { Int(i) } else { 0 } }
            guard bounds.count <= 2 else { throw TemplateError("too many slice indexes: \(bounds.count)") }
            func cut<T>(_ x: [T]) throws(TemplateError) -> ArraySlice<T> {
                let lo = bounds.first ?? 0, hi = bounds.count > 1 ? bounds[1] : x.count
                guard lo >= 0, hi <= x.count, lo <= hi else { throw TemplateError("index out of range: \(lo):\(hi)") }
                return x[lo..<hi]
            }
            switch a[0] {
            case .string(let s): return .string(String(decoding: try cut(Array(s.utf8)), as: UTF8.self))
            case .list(let l): return .list(Array(try cut(l)))
            default: throw TemplateError("can't slice item of type \(a[0].typeName)")
            }
        },
        "print": TemplateFunction([], variadic: .any) { a, _ in .string(GoFormat.sprint(a)) },
        "println": TemplateFunction([], variadic: .any) { a, _ in .string(GoFormat.sprintln(a)) },
        "printf": TemplateFunction([.string], variadic: .any) { a, _ in
            guard case .string(let f) = a[0] else { return .string("") }
            return .string(GoFormat.sprintf(f, Array(a.dropFirst())))
        },
        "eq": TemplateFunction([.any], variadic: .any) { a, _ throws(TemplateError) in
            guard a.count > 1 else { throw TemplateError("missing argument for comparison") }
            for b in a.dropFirst() where try compare(a[0], b) == 0 { return .bool(true) }
            return .bool(false)
        },
        "ne": TemplateFunction([.any, .any]) { a, _ throws(TemplateError) in .bool(try compare(a[0], a[1]) != 0) },
        "lt": TemplateFunction([.any, .any]) { a, _ throws(TemplateError) in .bool(try compare(a[0], a[1], ordered: true) < 0) },
        "le": TemplateFunction([.any, .any]) { a, _ throws(TemplateError) in .bool(try compare(a[0], a[1], ordered: true) <= 0) },
        "gt": TemplateFunction([.any, .any]) { a, _ throws(TemplateError) in .bool(try compare(a[0], a[1], ordered: true) > 0) },
        "ge": TemplateFunction([.any, .any]) { a, _ throws(TemplateError) in .bool(try compare(a[0], a[1], ordered: true) >= 0) },
        "html": TemplateFunction([], variadic: .any) { a, _ in .string(escapeHTML(text(a))) },
        "js": TemplateFunction([], variadic: .any) { a, _ in .string(escapeJS(text(a))) },
        "urlquery": TemplateFunction([], variadic: .any) { a, _ in .string(GoURL.queryEscape(text(a))) },
    ]

    /// The text the escaping functions work on: one string as is, else `fmt.Sprint`.
    static func text(_ a: [TemplateValue]) -> String {
        if a.count == 1, case .string(let s) = a[0] { return s }
        return GoFormat.sprint(a)
    }

    /// -1, 0, 1; errors like Go's for values of different kinds or kinds with no order.
    static func compare(_ x: TemplateValue, _ y: TemplateValue, ordered: Bool = false) throws(TemplateError) -> Int {
        switch (x, y) {
        case (.string(let a), .string(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        case (.int(let a), .int(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        case (.float(let a), .float(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        case (.bool(let a), .bool(let b)):
            if ordered { throw TemplateError("invalid type for comparison") }
            return a == b ? 0 : 1
        case (.time(let a), .time(let b)):
            if ordered { throw TemplateError("invalid type for comparison") }
            return a.seconds == b.seconds && a.nanos == b.nanos ? 0 : 1
        case (.missing, .missing):
            if ordered { throw TemplateError("invalid type for comparison") }
            return 0
        case (.missing, _), (_, .missing):
            if ordered { throw TemplateError("invalid type for comparison") }
            return 1
        case (.labels, _), (.map, _), (.list, _), (_, .labels), (_, .map), (_, .list):
            throw TemplateError(ordered ? "invalid type for comparison" : "non-comparable type \(x.printed): \(x.typeName)")
        default: throw TemplateError("incompatible types for comparison")
        }
    }

    static func escapeHTML(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\0": out += "\u{FFFD}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func escapeJS(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if c.value < 0x20 {
                    let h = String(c.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }
}

/// Go's `net/url` escaping, as `urlquery`, `urlencode` and `urldecode` use it.
public enum GoURL {
    /// `url.QueryEscape`: unreserved bytes kept, space as `+`, everything else `%XX`.
    public static func queryEscape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 0x41...0x5a, 0x61...0x7a, 0x30...0x39, 0x2d, 0x5f, 0x2e, 0x7e: out.unicodeScalars.append(UnicodeScalar(b))
            case 0x20: out += "+"
            default:
                let h = String(b, radix: 16, uppercase: true)
                out += "%" + (h.count == 1 ? "0" + h : h)
            }
        }
        return out
    }

    /// `url.QueryUnescape`: `+` is a space; a bad `%` escape is an error.
    public static func queryUnescape(_ s: String) throws(TemplateError) -> String {
        let u = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: b - 0x30
            case 0x41...0x46: b - 0x41 + 10
            case 0x61...0x66: b - 0x61 + 10
            default: nil
            }
        }
        while i < u.count {
            switch u[i] {
            case 0x25:
                guard i + 2 < u.count, let h = hex(u[i + 1]), let l = hex(u[i + 2]) else {
                    let bad = String(decoding: u[i..<min(i + 3, u.count)], as: UTF8.self)
                    throw TemplateError("invalid URL escape \(GoQuote.quote(bad))")
                }
                out.append(h << 4 | l)
                i += 3
            case 0x2b: out.append(0x20); i += 1
            default: out.append(u[i]); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
