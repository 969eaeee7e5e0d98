import LogModel

/// An instant with the zone it is shown in: Go's `time.Time` as a template value, as templates format and parse it.
/// Seconds and nanoseconds apart, so Go's zero time (year 1, what a failed `toDate` gives) fits.
public struct TemplateTime: Sendable, Equatable {
    /// Seconds since 1970-01-01 UTC.
    public var seconds: Int64
    /// 0..<1e9.
    public var nanos: Int32
    /// The zone's offset east of UTC, in seconds, and its abbreviation (`UTC`, `CET`, or "" for a bare offset).
    public var offset: Int
    public var zone: String

    public init(seconds: Int64, nanos: Int32 = 0, offset: Int = 0, zone: String = "UTC") {
        self.seconds = seconds
        self.nanos = nanos
        self.offset = offset
        self.zone = zone
    }

    /// An instant from Unix nanoseconds, in UTC (Skald's `time.Local`).
    public init(unixNanos: Int64) {
        var s = unixNanos / 1_000_000_000
        var n = unixNanos % 1_000_000_000
        if n < 0 { n += 1_000_000_000; s -= 1 }
        self.init(seconds: s, nanos: Int32(n))
    }

    /// Go's zero `time.Time`: January 1, year 1, 00:00:00 UTC.
    public static let zero = TemplateTime(seconds: -62_135_596_800)

    /// Unix nanoseconds (clamped to Int64's range: years 1678…2262).
    public var unixNanos: Int64 {
        let (m, o) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if o { return seconds < 0 ? .min : .max }
        let (r, o2) = m.addingReportingOverflow(Int64(nanos))
        return o2 ? .max : r
    }

    /// Unix milliseconds.
    public var unixMillis: Int64 { seconds * 1000 + Int64(nanos) / 1_000_000 }

    /// The same instant shown in another zone.
    public func `in`(offset: Int, zone: String) -> TemplateTime {
        TemplateTime(seconds: seconds, nanos: nanos, offset: offset, zone: zone)
    }

    /// The wall clock in this time's zone.
    var civil: Civil { Civil(seconds + Int64(offset)) }

    /// Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
    public var description: String { GoTimeLayout.format(self, "2006-01-02 15:04:05.999999999 -0700 MST") }
}

/// A wall-clock reading: date and time of day in the proleptic Gregorian calendar.
struct Civil {
    var year: Int64, month: Int, day: Int, hour: Int, minute: Int, second: Int
    /// 0 = Sunday.
    var weekday: Int
    /// 1…366.
    var yearDay: Int

    init(_ local: Int64) {
        var days = local / 86_400
        var rem = local % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        hour = Int(rem / 3600); minute = Int(rem % 3600 / 60); second = Int(rem % 60)
        var wd = (days + 4) % 7 // 1970-01-01 was a Thursday
        if wd < 0 { wd += 7 }
        weekday = Int(wd)
        (year, month, day) = GoTime.civil(days)
        yearDay = Civil.daysBefore(month: month, year: year) + day
    }

    static func isLeap(_ y: Int64) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    static func daysBefore(month: Int, year: Int64) -> Int {
        let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        return cumulative[month - 1] + (month > 2 && isLeap(year) ? 1 : 0)
    }

    static func daysIn(month: Int, year: Int64) -> Int {
        [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
