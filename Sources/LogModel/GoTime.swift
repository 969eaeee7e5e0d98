/// Formats nanosecond unix timestamps the way Go does, because Loki's error texts embed Go's
/// `time.Time.String()` and `time.RFC3339`; clients and tests compare those texts.
public enum GoTime {
    /// The civil date of a count of days since 1970-01-01.
    public static func civil(_ days: Int64) -> (year: Int64, month: Int, day: Int) {
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, Int(m), Int(d))
    }

    /// Days since 1970-01-01 of a civil date.
    public static func days(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    struct Parts {
        var year: Int64, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanos: Int64
    }

    static func parts(_ ns: Int64) -> Parts {
        var secs = ns / 1_000_000_000
        var nanos = ns % 1_000_000_000
        if nanos < 0 { nanos += 1_000_000_000; secs -= 1 }
        var days = secs / 86400
        var rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let c = civil(days)
        return Parts(year: c.year, month: c.month, day: c.day, hour: Int(rem / 3600),
                     minute: Int(rem % 3600 / 60), second: Int(rem % 60), nanos: nanos)
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func fraction(_ nanos: Int64) -> String {
        guard nanos != 0 else { return "" }
        var s = pad(nanos, 9)
        while s.hasSuffix("0") { s.removeLast() }
        return "." + s
    }

    static func date(_ p: Parts) -> String {
        "\(pad(p.year, 4))-\(pad(Int64(p.month), 2))-\(pad(Int64(p.day), 2))"
    }

    static func clock(_ p: Parts) -> String {
        "\(pad(Int64(p.hour), 2)):\(pad(Int64(p.minute), 2)):\(pad(Int64(p.second), 2))"
    }

    /// Go's `time.Unix(0, ns).UTC().String()`: `2006-01-02 15:04:05.999999999 +0000 UTC`.
    public static func string(_ ns: Int64) -> String {
        let p = parts(ns)
        return "\(date(p)) \(clock(p))\(fraction(p.nanos)) +0000 UTC"
    }

    /// Go's `time.RFC3339` in UTC: `2006-01-02T15:04:05Z` (seconds precision).
    public static func rfc3339(_ ns: Int64) -> String {
        let p = parts(ns)
        return "\(date(p))T\(clock(p))Z"
    }

    /// Go's `time.RFC3339Nano` in UTC: `2006-01-02T15:04:05.999999999Z`.
    public static func rfc3339Nano(_ ns: Int64) -> String {
        let p = parts(ns)
        return "\(date(p))T\(clock(p))\(fraction(p.nanos))Z"
    }
}
