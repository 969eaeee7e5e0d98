/// Parses the time forms Loki's APIs take: unix seconds (≤ 10 digits), unix nanoseconds (> 10 digits),
/// float seconds, or RFC3339(Nano).
public enum TimeParser {
    /// Any of Loki's accepted time forms, as unix nanoseconds.
    public static func parse(_ s: String) -> Int64? {
        if s.isEmpty { return nil }
        if s.allSatisfy({ $0.isASCII && $0.isNumber }) || (s.first == "-" && s.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) && s.count > 1) {
            guard let v = Int64(s) else { return nil }
            let digits = s.first == "-" ? s.count - 1 : s.count
            if digits <= 10 {
                let (r, o) = v.multipliedReportingOverflow(by: 1_000_000_000)
                return o ? nil : r
            }
            return v
        }
        if let d = Double(s), d.isFinite, s.contains(".") || s.contains("e") || s.contains("E") {
            let ns = d * 1e9
            guard abs(ns) < 9.2e18 else { return nil }
            return Int64(ns.rounded())
        }
        return rfc3339(s)
    }

    /// RFC3339 with optional fractional seconds and a `Z` or `±hh:mm` offset.
    public static func rfc3339(_ s: String) -> Int64? {
        var s = s
        return s.withUTF8 { rfc3339($0) }
    }

    /// `rfc3339(_:)` on the text's UTF-8 bytes (a parser reading a line in place).
    public static func rfc3339(_ u: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        func num(_ n: Int) -> Int64? {
            guard i + n <= u.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = u[i + k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            i += n
            return v
        }
        func lit(_ c: UInt8) -> Bool {
            guard i < u.count, u[i] == c || (c == 0x54 && u[i] == 0x74) || (c == 0x54 && u[i] == 0x20) else { return false }
            i += 1
            return true
        }
        guard let y = num(4), lit(0x2d), let mo = num(2), lit(0x2d), let d = num(2), lit(0x54),
              let h = num(2), lit(0x3a), let mi = num(2), lit(0x3a), let sec = num(2) else { return nil }
        guard (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61 else { return nil }
        var nanos: Int64 = 0
        if i < u.count, u[i] == 0x2e {
            i += 1
            var digits = 0
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 {
                if digits < 9 { nanos = nanos * 10 + Int64(u[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offset: Int64 = 0
        guard i < u.count else { return nil }
        if u[i] == 0x5a || u[i] == 0x7a {
            i += 1
        } else if u[i] == 0x2b || u[i] == 0x2d {
            let sign: Int64 = u[i] == 0x2d ? -1 : 1
            i += 1
            guard let oh = num(2), lit(0x3a), let om = num(2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == u.count else { return nil }
        let days = GoTime.days(year: y, month: Int(mo), day: Int(d))
        let secs = days * 86400 + h * 3600 + mi * 60 + sec - offset
        let (r, o) = secs.multipliedReportingOverflow(by: 1_000_000_000)
        if o { return nil }
        return r + nanos
    }

    /// Prometheus-style durations (`5m`, `1h30m`, `500ms`, `1d`, `1w`, `1y`) or float seconds, as
    /// nanoseconds (query parameters and LogQL).
    public static func duration(_ s: String) -> Int64? {
        parseDuration(s, goForms: false)
    }

    /// A config file's durations: Prometheus-style or float seconds as above, and Go's forms too
    /// (`1.5h`, `-1ns`, `2562047h47m16.854775807s`, the longest), as Loki's config accepts them.
    public static func configDuration(_ s: String) -> Int64? {
        parseDuration(s, goForms: true)
    }

    /// nil when `s` does not parse or does not fit in 64 bits of nanoseconds.
    private static func parseDuration(_ s: String, goForms: Bool) -> Int64? {
        if s.isEmpty { return nil }
        if let d = Double(s), d.isFinite {
            let ns = (d * 1e9).rounded()
            return ns.magnitude < 9.2e18 ? Int64(ns) : nil
        }
        var u = Array(s.utf8)[...]
        var negative = false
        if goForms, let first = u.first, first == 0x2d || first == 0x2b {
            negative = first == 0x2d
            u = u.dropFirst()
            if u.isEmpty { return nil }
        }
        var i = u.startIndex
        var total: Int64 = 0
        while i < u.endIndex {
            var v: Int64 = 0
            let start = i
            while i < u.endIndex, u[i] >= 0x30, u[i] <= 0x39 {
                let (m, o) = v.multipliedReportingOverflow(by: 10)
                if o { return nil }
                v = m + Int64(u[i] - 0x30)
                i += 1
            }
            // A fraction (Go's `1.5h`): up to 18 digits are kept, the rest only checked.
            var fraction: Int64 = 0, scale: Int64 = 1
            let integerDigits = i - start
            if goForms, i < u.endIndex, u[i] == 0x2e {
                i += 1
                let fractionStart = i
                while i < u.endIndex, u[i] >= 0x30, u[i] <= 0x39 {
                    if scale < 1_000_000_000_000_000_000 {
                        fraction = fraction * 10 + Int64(u[i] - 0x30)
                        scale *= 10
                    }
                    i += 1
                }
                guard integerDigits > 0 || i > fractionStart else { return nil }
            } else {
                guard integerDigits > 0 else { return nil }
            }
            guard i < u.endIndex else { return nil }
            let unit: Int64
            if u[i] == 0x6d, i + 1 < u.endIndex, u[i + 1] == 0x73 { unit = 1_000_000; i += 2 }
            else if u[i] == 0x75, i + 1 < u.endIndex, u[i + 1] == 0x73 { unit = 1000; i += 2 }
            else if u[i] == 0x6e, i + 1 < u.endIndex, u[i + 1] == 0x73 { unit = 1; i += 2 }
            else {
                switch u[i] {
                case 0x73: unit = 1_000_000_000
                case 0x6d: unit = 60_000_000_000
                case 0x68: unit = 3_600_000_000_000
                case 0x64: unit = 86_400_000_000_000
                case 0x77: unit = 7 * 86_400_000_000_000
                case 0x79: unit = 365 * 86_400_000_000_000
                default: return nil
                }
                i += 1
            }
            let (m, o) = v.multipliedReportingOverflow(by: unit)
            if o { return nil }
            // The fraction's share of the unit, exact while it fits in 128 bits.
            let part = unit.multipliedFullWidth(by: fraction)
            let (share, _) = scale.dividingFullWidth(part)
            let (withFraction, o2) = m.addingReportingOverflow(share)
            let (sum, o3) = total.addingReportingOverflow(withFraction)
            if o2 || o3 { return nil }
            total = sum
        }
        return negative ? -total : total
    }

    /// Formats nanoseconds as a Go/Prometheus duration string (`1h30m0s`, `168h0m0s`, `500ms`).
    public static func formatDuration(_ ns: Int64) -> String {
        if ns == 0 { return "0s" }
        var out = ""
        var v = ns
        if v < 0 { out = "-"; v = -v }
        if v < 1_000_000_000 {
            if v % 1_000_000 == 0 { return out + "\(v / 1_000_000)ms" }
            if v % 1000 == 0 { return out + "\(v / 1000)µs" }
            return out + "\(v)ns"
        }
        let h = v / 3_600_000_000_000
        let m = v % 3_600_000_000_000 / 60_000_000_000
        let sNs = v % 60_000_000_000
        if h > 0 { out += "\(h)h" }
        if h > 0 || m > 0 { out += "\(m)m" }
        let whole = sNs / 1_000_000_000
        let frac = sNs % 1_000_000_000
        if frac == 0 { out += "\(whole)s" } else {
            var f = String(frac)
            f = String(repeating: "0", count: 9 - f.count) + f
            while f.hasSuffix("0") { f.removeLast() }
            out += "\(whole).\(f)s"
        }
        return out
    }
}
