/// Go's `fmt` for template values: `Print`'s `%v`, `Sprint`, `Sprintln` and `Sprintf` with the
/// verbs templates use (`%v %s %d %f %e %g %q %x %X %t %c %%`, flags `- + 0 space #`, width and precision).
public enum GoFormat {
    /// `%v` of one value; nil (inside a collection) is `<nil>`.
    public static func value(_ v: TemplateValue) -> String {
        switch v {
        case .missing: "<nil>"
        case .string(let s): s
        case .int(let i): String(i)
        case .float(let f): float(f, verb: "g", precision: nil)
        case .bool(let b): b ? "true" : "false"
        case .time(let t): t.description
        case .labels(let m): "map[" + m.keys.sorted().map { $0 + ":" + m[$0]! }.joined(separator: " ") + "]"
        case .map(let m): "map[" + m.keys.sorted().map { $0 + ":" + value(m[$0]!) }.joined(separator: " ") + "]"
        case .list(let l): "[" + l.map(value).joined(separator: " ") + "]"
        }
    }

    /// `fmt.Sprint`: a space between two operands when neither is a string.
    public static func sprint(_ args: [TemplateValue]) -> String {
        var s = ""
        for (k, a) in args.enumerated() {
            if k > 0, !a.isString, !args[k - 1].isString { s += " " }
            s += value(a)
        }
        return s
    }

    /// `fmt.Sprintln`: spaces between all operands, and a newline.
    public static func sprintln(_ args: [TemplateValue]) -> String {
        args.map(value).joined(separator: " ") + "\n"
    }

    /// A float in Go's `%e`, `%f` or `%g` (precision nil: the shortest that reads back).
    static func float(_ f: Double, verb: Character, precision: Int?) -> String {
        if f.isNaN { return "NaN" }
        if f.isInfinite { return f > 0 ? "+Inf" : "-Inf" }
        let sign = f.sign == .minus ? "-" : ""
        let (digits, exp) = decimalDigits(f.magnitude, verb: verb, precision: precision)
        switch verb {
        case "e", "E":
            return sign + exponent(digits, exp, fractionDigits: precision, upper: verb == "E")
        case "f", "F":
            return sign + fixed(digits, exp, fractionDigits: precision)
        default: // g
            var eprec = precision.map { $0 == 0 ? 1 : $0 } ?? 6
            if precision != nil, eprec > digits.count, digits.count >= exp + 1 { eprec = digits.count }
            if exp < -4 || exp >= eprec { return sign + exponent(digits, exp, fractionDigits: nil, upper: false) }
            return sign + fixed(digits, exp, fractionDigits: nil)
        }
    }

    /// `d.ddde±XX` from significant digits (`fractionDigits` nil: as many as there are).
    private static func exponent(_ digits: String, _ exp: Int, fractionDigits: Int?, upper: Bool) -> String {
        var s = String(digits.first ?? "0")
        let rest = String(digits.dropFirst())
        let wanted = fractionDigits ?? rest.count
        if wanted > 0 { s += "." + rest + String(repeating: "0", count: max(0, wanted - rest.count)) }
        return s + (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + (abs(exp) < 10 ? "0" : "") + String(abs(exp))
    }

    /// The significant digits of `f` (no leading or trailing zeros) and the exponent of the first:
    /// shortest when `precision` is nil, else rounded to what the verb shows.
    private static func decimalDigits(_ f: Double, verb: Character, precision: Int?) -> (String, Int) {
        if f == 0 { return ("", 0) }
        if let p = precision {
            // Round through the shortest form's exact decimal (good to 17 significant digits).
            let (d, e) = shortest(f)
            let keep: Int = switch verb {
            case "e", "E": p + 1
            case "f", "F": e + 1 + p
            default: p == 0 ? 1 : p
            }
            return roundDigits(d, e, keep)
        }
        return shortest(f)
    }

    static func shortest(_ f: Double) -> (String, Int) {
        let text = String(f) // Swift prints the shortest round-trip form
        var mantissa = "", exp = 0, point: Int?
        let parts = text.split(separator: "e", maxSplits: 1)
        if parts.count == 2 { exp = Int(parts[1]) ?? 0 }
        for c in parts[0] {
            if c == "." { point = mantissa.count } else { mantissa.append(c) }
        }
        let intDigits = point ?? mantissa.count
        let lead = mantissa.prefix { $0 == "0" }.count
        var d = String(mantissa.dropFirst(lead))
        while d.last == "0" { d.removeLast() }
        return (d, intDigits - lead - 1 + exp)
    }

    private static func roundDigits(_ d: String, _ e: Int, _ keep: Int) -> (String, Int) {
        if keep < 0 { return ("", e) }
        if d.count <= keep { return (d, e) }
        var digits = Array(d.utf8.map { Int($0) - 48 })
        let next = digits[keep]
        let tail = digits[(keep + 1)...].contains { $0 != 0 }
        digits = Array(digits[..<keep])
        var up = next > 5 || (next == 5 && (tail || (digits.last.map { $0 % 2 == 1 } ?? false)))
        var exp = e
        var k = digits.count - 1
        while up && k >= 0 {
            digits[k] += 1
            if digits[k] == 10 { digits[k] = 0; k -= 1 } else { up = false }
        }
        if up { digits.insert(1, at: 0); exp += 1 }
        while digits.last == 0 { digits.removeLast() }
        return (String(digits.map { Character(UnicodeScalar(UInt8($0 + 48))) }), exp)
    }

    private static func fixed(_ d: String, _ e: Int, fractionDigits: Int?) -> String {
        var intPart: String, frac: String
        if d.isEmpty {
            intPart = "0"; frac = ""
        } else if e < 0 {
            intPart = "0"; frac = String(repeating: "0", count: -e - 1) + d
        } else if d.count <= e + 1 {
            intPart = d + String(repeating: "0", count: e + 1 - d.count); frac = ""
        } else {
            intPart = String(d.prefix(e + 1)); frac = String(d.dropFirst(e + 1))
        }
        if let p = fractionDigits {
            if frac.count < p { frac += String(repeating: "0", count: p - frac.count) }
            frac = String(frac.prefix(p))
        }
        return frac.isEmpty ? intPart : intPart + "." + frac
    }
}

extension TemplateValue {
    var isString: Bool { if case .string = self { true } else { false } }
}
