/// Go's `time.ParseDuration`: a signed sequence of decimal numbers with units (`1.5h`, `-2m30s`,
/// `250ms`, `10µs`); `0` alone is allowed. Used to read label values in duration filters and
/// `unwrap duration()`.
public enum GoDuration {
    public static func parse(_ text: String) -> Int64? {
        var u = Array(text.utf8)[...]
        var negative = false
        if let c = u.first, c == 0x2d || c == 0x2b {
            negative = c == 0x2d
            u = u.dropFirst()
        }
        if u.elementsEqual("0".utf8) { return 0 }
        guard !u.isEmpty else { return nil }
        var total = 0.0
        while !u.isEmpty {
            var intPart = 0.0, frac = 0.0, scale = 1.0
            var digits = 0
            while let c = u.first, c >= 0x30, c <= 0x39 {
                intPart = intPart * 10 + Double(c - 0x30)
                digits += 1
                u = u.dropFirst()
            }
            if u.first == 0x2e {
                u = u.dropFirst()
                while let c = u.first, c >= 0x30, c <= 0x39 {
                    scale /= 10
                    frac += Double(c - 0x30) * scale
                    digits += 1
                    u = u.dropFirst()
                }
            }
            guard digits > 0 else { return nil }
            var unitEnd = u.startIndex
            while unitEnd < u.endIndex, u[unitEnd] != 0x2e, !(u[unitEnd] >= 0x30 && u[unitEnd] <= 0x39) { unitEnd += 1 }
            let unit = String(decoding: u[u.startIndex..<unitEnd], as: UTF8.self)
            u = u[unitEnd...]
            let ns: Double
            switch unit {
            case "ns": ns = 1
            case "us", "µs", "μs": ns = 1e3
            case "ms": ns = 1e6
            case "s": ns = 1e9
            case "m": ns = 60e9
            case "h": ns = 3600e9
            default: return nil
            }
            total += (intPart + frac) * ns
        }
        guard total <= Double(Int64.max) else { return nil }
        let v = Int64(total.rounded(.towardZero))
        return negative ? -v : v
    }
}
