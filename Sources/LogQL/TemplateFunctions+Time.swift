import Foundation
import LogModel
public import GoTemplate

/// Time and unit functions. Skald's `time.Local` is UTC (a server's logs should not change with
/// the host's zone), so `date`, `toDate` and `now` work in UTC, as Loki does in its container.
extension TemplateFunctions {
    static let time: [String: F] = [
        "date": F([.string, .any]) { a, _ in
            let t: TemplateTime = switch a[1] {
            case .time(let t): t.in(offset: 0, zone: "UTC")
            case .int(let s): TemplateTime(seconds: s)
            default: now()
            }
            return .string(GoTimeLayout.format(t, a[0].stringValue))
        },
        "toDate": F([.string, .string]) { a, _ in
            .time((try? GoTimeLayout.parse(a[0].stringValue, a[1].stringValue)) ?? .zero)
        },
        "toDateInZone": F([.string, .string, .string]) { a, _ in
            .time(parse(a[0].stringValue, a[2].stringValue, zone: a[1].stringValue))
        },
        "now": F([]) { _, _ in .time(now()) },
        "unixEpoch": F([.time]) { a, _ in .string(String(a[0].timeValue.seconds)) },
        "unixEpochMillis": F([.time]) { a, _ in .string(String(a[0].timeValue.unixMillis)) },
        "unixEpochNanos": F([.time]) { a, _ in .string(String(a[0].timeValue.unixNanos)) },
        "__timestamp__": F([]) { _, record in .time(TemplateTime(unixNanos: record.timestampNanos)) },
        "bytes": F([.string]) { a, _ throws(TemplateError) in
            guard let b = ByteSize.parse(a[0].stringValue) else { throw TemplateError("unhandled size name: \(GoQuote.quote(a[0].stringValue))") }
            return .float(Double(b))
        },
        "duration": F([.string]) { a, _ throws(TemplateError) in .float(try seconds(a[0].stringValue)) },
        "duration_seconds": F([.string]) { a, _ throws(TemplateError) in .float(try seconds(a[0].stringValue)) },
    ]

    static func seconds(_ s: String) throws(TemplateError) -> Double {
        guard let ns = GoDuration.parse(s) else { throw TemplateError("time: invalid duration \(GoQuote.quote(s))") }
        return Double(ns) / 1e9
    }

    static func now() -> TemplateTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return TemplateTime(seconds: Int64(ts.tv_sec), nanos: Int32(ts.tv_nsec))
    }

    /// `time.ParseInLocation` in a named zone (an unknown zone is UTC, as Loki falls back); a
    /// text that does not parse is Go's zero time.
    static func parse(_ layout: String, _ text: String, zone name: String) -> TemplateTime {
        guard let tz = name == "UTC" || name.isEmpty ? nil : TimeZone(identifier: name) else {
            return (try? GoTimeLayout.parse(layout, text)) ?? .zero
        }
        // The zone's offset depends on the instant: read as UTC, then correct twice (DST edges).
        // A text that carries its own offset keeps it (the zone given as the default is not used).
        let unzoned = "\u{0}unzoned"
        guard var t = try? GoTimeLayout.parse(layout, text, offset: 0, zone: unzoned) else { return .zero }
        guard t.zone == unzoned else { return t }
        let wall = t.seconds
        var offset = tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wall)))
        offset = tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wall - Int64(offset))))
        t.seconds = wall - Int64(offset)
        t.offset = offset
        t.zone = tz.abbreviation(for: Date(timeIntervalSince1970: Double(t.seconds))) ?? name
        return t
    }
}

extension TemplateValue {
    var timeValue: TemplateTime { if case .time(let t) = self { t } else { .zero } }
}
