/// Go's float texts, so numbers print and parse as Loki's do.
public enum GoFloat {
    /// `strconv.ParseFloat(s, 64)` for the usual forms: decimal, exponent, `Inf`/`NaN` in any case.
    public static func parse(_ s: String) -> Double? {
        // Most values are plain integers of a few digits: those are read here, exactly.
        var digits = 0
        var value: Int64 = 0
        var negative = false
        var simple = true
        for c in s.utf8 {
            if c >= 0x30 && c <= 0x39, digits < 15 {
                value = value * 10 + Int64(c - 0x30)
                digits += 1
            } else if c == 0x2d, digits == 0, !negative {
                negative = true
            } else {
                simple = false
                if c == 0x20 || c == 0x5f { return nil }
            }
        }
        if simple, digits > 0 { return negative ? -Double(value) : Double(value) }
        guard !s.isEmpty else { return nil }
        // Go reads a hexadecimal mantissa only with its `p` exponent (Swift reads `0x10` too).
        if s.utf8.contains(where: { $0 == 0x78 || $0 == 0x58 }), !s.utf8.contains(where: { $0 == 0x70 || $0 == 0x50 }) { return nil }
        return Double(s)
    }

    /// The shortest decimal digits that read back as `v` (finite, non-zero) and the decimal exponent
    /// of the first digit: 1234.5 → ("12345", 3).
    static func digits(_ v: Double) -> (digits: [UInt8], exponent: Int) {
        let text = Array(String(v.magnitude).utf8) // Swift prints the shortest round-trip form
        var mantissa: [UInt8] = []
        var exp = 0
        var pointAt: Int?
        var i = 0
        while i < text.count, text[i] != 0x65 {
            if text[i] == 0x2e { pointAt = mantissa.count } else { mantissa.append(text[i]) }
            i += 1
        }
        if i < text.count { exp = Int(String(decoding: text[(i + 1)...], as: UTF8.self)) ?? 0 }
        let intDigits = pointAt ?? mantissa.count
        // Strip leading zeros (0.05 → "005" with intDigits 1).
        var lead = 0
        while lead < mantissa.count - 1, mantissa[lead] == 0x30 { lead += 1 }
        var d = Array(mantissa[lead...])
        while d.count > 1, d.last == 0x30 { d.removeLast() }
        return (d, intDigits - lead - 1 + exp)
    }

    /// `strconv.FormatFloat(v, 'f', -1, 64)`: no exponent (`100000000000000000000`, `0.00005`).
    public static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let (d, e) = digits(v)
        var s = v < 0 ? "-" : ""
        if e < 0 {
            s += "0." + String(repeating: "0", count: -e - 1) + String(decoding: d, as: UTF8.self)
        } else if d.count <= e + 1 {
            s += String(decoding: d, as: UTF8.self) + String(repeating: "0", count: e + 1 - d.count)
        } else {
            s += String(decoding: d[..<(e + 1)], as: UTF8.self) + "." + String(decoding: d[(e + 1)...], as: UTF8.self)
        }
        return s
    }

    /// Go's `%v` of a float64 (`strconv.FormatFloat(v, 'g', -1, 64)` with Go's exponent range):
    /// `1`, `0.5`, `1e+21`, `1e-05`.
    public static func formatShortest(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let (d, e) = digits(v)
        if e < -4 || e >= 21 {
            var s = v < 0 ? "-" : ""
            s += String(UnicodeScalar(d[0]))
            if d.count > 1 { s += "." + String(decoding: d[1...], as: UTF8.self) }
            s += "e" + (e < 0 ? "-" : "+") + (abs(e) < 10 ? "0" : "") + String(abs(e))
            return s
        }
        return format(v)
    }

    /// How Go's `encoding/json` writes a float64: `'f'` form, or `'e'` form with a bare exponent
    /// (`1e-7`, `1e+21`) below 1e-6 and from 1e21 on.
    public static func formatJSON(_ v: Double) -> String {
        guard v.isFinite, v != 0 else { return format(v) }
        let m = v.magnitude
        guard m < 1e-6 || m >= 1e21 else { return format(v) }
        let (d, e) = digits(v)
        var s = v < 0 ? "-" : ""
        s += String(UnicodeScalar(d[0]))
        if d.count > 1 { s += "." + String(decoding: d[1...], as: UTF8.self) }
        return s + "e" + (e < 0 ? "-" : "+") + String(abs(e))
    }

    /// Go's `%f`: six decimals (`1.000000`).
    public static func formatFixed6(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        let scaled = (v.magnitude * 1_000_000).rounded(.toNearestOrEven)
        guard scaled < 9e18 else { return format(v) + ".000000" }
        let n = Int64(scaled)
        let frac = String(n % 1_000_000)
        return (v < 0 ? "-" : "") + "\(n / 1_000_000)." + String(repeating: "0", count: 6 - frac.count) + frac
    }
}
