import LogModel

extension GoFormat {
    /// `fmt.Sprintf(format, args...)`, with Go's in-band error texts (`%!d(string=x)`,
    /// `%!v(MISSING)`, `%!(EXTRA int=1)`).
    public static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        let f = Array(format.unicodeScalars)
        var out = ""
        var argIndex = 0
        var i = 0
        while i < f.count {
            let c = f[i]
            if c != "%" { out.unicodeScalars.append(c); i += 1; continue }
            i += 1
            var spec = Spec()
            flags: while i < f.count {
                switch f[i] {
                case "-": spec.minus = true
                case "+": spec.plus = true
                case " ": spec.space = true
                case "0": spec.zero = true
                case "#": spec.sharp = true
                default: break flags
                }
                i += 1
            }
            func number() -> Int? {
                var n: Int?
                while i < f.count, let d = f[i].properties.numericType != nil ? Int(String(f[i])) : nil {
                    n = (n ?? 0) * 10 + d
                    i += 1
                }
                return n
            }
            spec.width = number()
            if i < f.count, f[i] == "." {
                i += 1
                spec.precision = number() ?? 0
            }
            guard i < f.count else { out += "%!(NOVERB)"; break }
            let verb = Character(f[i])
            i += 1
            if verb == "%" { out += "%"; continue }
            guard argIndex < args.count else { out += "%!" + String(verb) + "(MISSING)"; continue }
            let arg = args[argIndex]
            argIndex += 1
            // A bad verb's text carries the value padded inside it (Go prints it with `%v` and the same flags).
            out += render(arg, verb, spec).map { spec.pad($0, verb: verb, numeric: arg.isNumber) } ?? bad(verb, arg, spec)
        }
        if argIndex < args.count {
            out += "%!(EXTRA " + args[argIndex...].map { $0.typeName + "=" + value($0) }.joined(separator: ", ") + ")"
        }
        return out
    }

    struct Spec {
        var minus = false, plus = false, space = false, zero = false, sharp = false
        var width: Int?
        var precision: Int?

        func pad(_ s: String, verb: Character, numeric: Bool) -> String {
            guard let w = width, s.count < w else { return s }
            let fill = w - s.count
            if minus { return s + String(repeating: " ", count: fill) }
            // Go (to 1.22, which Loki 2.8 is built with) pads strings with zeros too; a number's sign stays in front.
            if zero, let first = s.first {
                if numeric && (first == "-" || first == "+") { return String(first) + String(repeating: "0", count: fill) + s.dropFirst() }
                return String(repeating: "0", count: fill) + s
            }
            return String(repeating: " ", count: fill) + s
        }
    }

    static func bad(_ verb: Character, _ v: TemplateValue, _ spec: Spec = Spec()) -> String {
        if case .missing = v { return "%!" + String(verb) + "(<nil>)" }
        return "%!" + String(verb) + "(" + v.typeName + "=" + spec.pad(render(v, "v", spec) ?? "", verb: "v", numeric: v.isNumber) + ")"
    }

    /// `v` formatted by `verb`, nil when the verb does not apply to it.
    static func render(_ v: TemplateValue, _ verb: Character, _ spec: Spec) -> String? {
        func signed(_ s: String) -> String {
            if s.hasPrefix("-") { return s }
            return spec.plus ? "+" + s : spec.space ? " " + s : s
        }
        switch (verb, v) {
        case ("v", .string(let s)), ("s", .string(let s)):
            return spec.precision.map { String(s.prefix($0)) } ?? s
        case ("v", .int(let n)), ("d", .int(let n)): return signed(String(n))
        case ("v", .float(let x)): return signed(float(x, verb: "g", precision: spec.precision))
        case ("v", _), ("s", .time), ("s", .list), ("s", .map), ("s", .labels):
            if case .missing = v { return "<nil>" }
            return value(v)
        case ("t", .bool(let b)): return b ? "true" : "false"
        case ("e", .float(let x)), ("E", .float(let x)), ("f", .float(let x)), ("F", .float(let x)):
            return signed(float(x, verb: verb, precision: spec.precision ?? 6))
        case ("g", .float(let x)), ("G", .float(let x)): return signed(float(x, verb: "g", precision: spec.precision))
        case ("q", .string(let s)): return GoQuote.quote(s)
        case ("x", .int(let n)), ("X", .int(let n)):
            var s = String(n.magnitude, radix: 16, uppercase: verb == "X")
            if spec.sharp { s = (verb == "X" ? "0X" : "0x") + s }
            return (n < 0 ? "-" : "") + s
        case ("x", .string(let s)), ("X", .string(let s)):
            return s.utf8.map { b in
                let h = String(b, radix: 16, uppercase: verb == "X")
                return h.count == 1 ? "0" + h : h
            }.joined()
        case ("o", .int(let n)): return (n < 0 ? "-" : "") + String(n.magnitude, radix: 8)
        case ("b", .int(let n)): return (n < 0 ? "-" : "") + String(n.magnitude, radix: 2)
        case ("c", .int(let n)): return UnicodeScalar(UInt32(truncatingIfNeeded: n)).map { String(Character($0)) } ?? "\u{FFFD}"
        case ("q", .int(let n)):
            return "'" + (UnicodeScalar(UInt32(truncatingIfNeeded: n)).map { String(Character($0)) } ?? "\u{FFFD}") + "'"
        default: return nil
        }
    }
}

extension TemplateValue {
    var isNumber: Bool {
        switch self {
        case .int, .float: true
        default: false
        }
    }
}
