/// Byte sizes in configuration files, as Loki's and Promtail's flagext reads them: a plain number
/// or one with a unit — `262144`, `64MB`, `64MiB`, `1GB`, `512KB` (units are powers of 1024).
public enum ConfigBytes {
    /// The size, or nil for anything else (an unknown unit, a negative or too big number with a unit: no trap).
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingSpaces
        if let v = Int(t) { return v }
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
                                      ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("TB", 1 << 40),
                                      ("kB", 1 << 10), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("B", 1)]
        for (suffix, mult) in units where t.hasSuffix(suffix) {
            guard let v = Double(String(t.dropLast(suffix.count)).trimmingSpaces), v >= 0, v * Double(mult) < 9e18 else { return nil }
            return Int(v * Double(mult))
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
