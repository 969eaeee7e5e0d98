/// Prometheus's duration text, as Loki prints a range (`[5m]`, `[1h30m]`, `[1d]`, `[2w]`): years
/// and weeks only when exact, then days, hours, minutes, seconds, milliseconds.
public enum PromDuration {
    public static func format(_ ns: Int64) -> String {
        var ms = ns / 1_000_000
        if ms == 0 { return "0s" }
        var out = ""
        let units: [(String, Int64, Bool)] = [
            ("y", 31_536_000_000, true), ("w", 604_800_000, true), ("d", 86_400_000, false),
            ("h", 3_600_000, false), ("m", 60_000, false), ("s", 1000, false), ("ms", 1, false),
        ]
        for (unit, mult, exact) in units {
            if exact && ms % mult != 0 { continue }
            let v = ms / mult
            if v > 0 {
                out += "\(v)\(unit)"
                ms -= v * mult
            }
        }
        return out
    }
}
