/// Byte sizes as Loki reads and prints them (the go-humanize rules): `512`, `10KB` (1000s),
/// `2MiB` (1024s), `1.5 GB`; units in any case, `B` optional (`10k`, `3Mi`).
public enum ByteSize {
    public static func parse(_ text: String) -> UInt64? {
        let u = Array(text.utf8)
        var i = 0
        while i < u.count, (u[i] >= 0x30 && u[i] <= 0x39) || u[i] == 0x2e { i += 1 }
        guard i > 0, let number = Double(String(decoding: u[..<i], as: UTF8.self)) else { return nil }
        while i < u.count, u[i] == 0x20 { i += 1 }
        let unit = String(decoding: u[i...], as: UTF8.self).lowercased()
        let multiplier: Double
        switch unit {
        case "", "b": multiplier = 1
        case "k", "kb": multiplier = 1e3
        case "ki", "kib": multiplier = 1024
        case "m", "mb": multiplier = 1e6
        case "mi", "mib": multiplier = 1_048_576
        case "g", "gb": multiplier = 1e9
        case "gi", "gib": multiplier = 1_073_741_824
        case "t", "tb": multiplier = 1e12
        case "ti", "tib": multiplier = 1_099_511_627_776
        case "p", "pb": multiplier = 1e15
        case "pi", "pib": multiplier = 1_125_899_906_842_624
        case "e", "eb": multiplier = 1e18
        case "ei", "eib": multiplier = 1_152_921_504_606_846_976
        default: return nil
        }
        let v = number * multiplier
        guard v < 18_446_744_073_709_551_615 else { return nil }
        return UInt64(v)
    }

    /// go-humanize's `Bytes` with the space removed, as Loki prints a bytes filter: `1.0kB`, `20MB`, `9B`.
    public static func format(_ v: UInt64) -> String {
        if v < 10 { return "\(v)B" }
        let sizes = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var e = 0
        var power = 1.0
        while e < sizes.count - 1, Double(v) >= power * 1000 {
            e += 1
            power *= 1000
        }
        let scaled = (Double(v) / power * 10 + 0.5).rounded(.down) / 10
        if scaled < 10 {
            let tenths = Int((scaled * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)" + sizes[e]
        }
        return String(Int(scaled.rounded(.toNearestOrEven))) + sizes[e]
    }
}
