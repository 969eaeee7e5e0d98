import Foundation
import GoTemplate
import LogModel

/// `timestamp`: sets the entry's time from an extracted value, parsed with `format` (a Go layout,
/// one of Go's named layouts, or `Unix`, `UnixMs`, `UnixUs`, `UnixNs`), then each of
/// `fallback_formats`; `location` is the zone for times written without one. On failure,
/// `action_on_failure: fudge` (the default) gives the entry the last good time of its stream plus
/// 1 ns (keeping order) and `skip` leaves the time as it was.
struct TimestampStage: Stage {
    enum Format: Sendable {
        case unix, unixMs, unixUs, unixNs
        case layout(String)
    }

    let source: String
    let formats: [Format]
    let zone: TimeZone?
    let fudge: Bool
    /// The last good time per stream (labels), for fudging.
    var last: [LabelMap: Int64] = [:]

    static let named: [String: String] = [
        "ANSIC": "Mon Jan _2 15:04:05 2006", "UnixDate": "Mon Jan _2 15:04:05 MST 2006", "RubyDate": "Mon Jan 02 15:04:05 -0700 2006",
        "RFC822": "02 Jan 06 15:04 MST", "RFC822Z": "02 Jan 06 15:04 -0700", "RFC850": "Monday, 02-Jan-06 15:04:05 MST",
        "RFC1123": "Mon, 02 Jan 2006 15:04:05 MST", "RFC1123Z": "Mon, 02 Jan 2006 15:04:05 -0700",
        "RFC3339": "2006-01-02T15:04:05Z07:00", "RFC3339Nano": "2006-01-02T15:04:05.999999999Z07:00", "Kitchen": "3:04PM",
        "Stamp": "Jan _2 15:04:05", "StampMilli": "Jan _2 15:04:05.000", "StampMicro": "Jan _2 15:04:05.000000",
        "StampNano": "Jan _2 15:04:05.000000000",
    ]

    init(_ settings: StageSettings) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "timestamp")
        guard let source = try r.string("source"), !source.isEmpty else { throw StageError("line \(settings.line): the timestamp stage needs a source") }
        guard let format = try r.string("format"), !format.isEmpty else { throw StageError("line \(settings.line): the timestamp stage needs a format") }
        self.source = source
        formats = ([format] + (try r.strings("fallback_formats") ?? [])).map(Self.format)
        if let loc = try r.string("location") {
            guard let z = TimeZone(identifier: loc) else {
                throw StageError("line \(settings.line): timestamp.location \"\(loc)\" is not a time zone name like Europe/Berlin or UTC")
            }
            zone = z
        } else {
            zone = nil
        }
        switch try r.string("action_on_failure") ?? "fudge" {
        case "fudge": fudge = true
        case "skip": fudge = false
        case let other: throw StageError("line \(settings.line): timestamp.action_on_failure must be fudge or skip, got \"\(other)\"")
        }
        try r.finish()
    }

    static func format(_ s: String) -> Format {
        switch s {
        case "Unix": .unix
        case "UnixMs": .unixMs
        case "UnixUs": .unixUs
        case "UnixNs": .unixNs
        default: .layout(named[s] ?? s)
        }
    }

    func parse(_ text: String, _ f: Format) -> Int64? {
        switch f {
        case .unix:
            // Seconds, optionally with up to 9 fraction digits read as written (no float rounding).
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, let secs = Int64(parts[0]), !secs.multipliedReportingOverflow(by: 1_000_000_000).overflow else { return nil }
            var nanos: Int64 = 0
            if parts.count == 2 {
                let frac = parts[1]
                guard !frac.isEmpty, frac.count <= 9, frac.allSatisfy(\.isASCII), let f = Int64(frac) else { return nil }
                nanos = f * Int64(pow(10, Double(9 - frac.count)))
            }
            return secs * 1_000_000_000 + (secs < 0 ? -nanos : nanos)
        case .unixMs: return Int64(text).flatMap { $0.multipliedReportingOverflow(by: 1_000_000).overflow ? nil : $0 * 1_000_000 }
        case .unixUs: return Int64(text).flatMap { $0.multipliedReportingOverflow(by: 1000).overflow ? nil : $0 * 1000 }
        case .unixNs: return Int64(text)
        case .layout(let layout):
            let offset = zone.map { $0.secondsFromGMT() } ?? 0
            guard var t = try? GoTimeLayout.parse(layout, text, offset: offset, zone: zone?.identifier ?? "UTC") else { return nil }
            if let zone, t.offset == offset {
                // The zone's offset at that time, not now (daylight saving).
                let at = Date(timeIntervalSince1970: TimeInterval(t.seconds))
                let real = zone.secondsFromGMT(for: at)
                t.seconds -= Int64(real - offset)
            }
            if !layout.contains("2006") && !layout.contains("06") {
                // No year in the layout: this year, as Promtail does.
                let year = Calendar(identifier: .gregorian).component(.year, from: Date())
                var c = DateComponents()
                c.year = year - 1
                let shifted = Calendar(identifier: .gregorian).date(byAdding: c, to: Date(timeIntervalSince1970: TimeInterval(t.seconds)))
                if let s = shifted { t.seconds = Int64(s.timeIntervalSince1970) }
            }
            return t.seconds * 1_000_000_000 + Int64(t.nanos)
        }
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        guard let text = e.extracted[source] else { return .keep }
        for f in formats {
            if let ns = parse(text, f) {
                e.timestamp = ns
                if fudge { last[e.labels] = ns }
                return .keep
            }
        }
        if fudge, let prev = last[e.labels] {
            e.timestamp = prev + 1
            last[e.labels] = prev + 1
        }
        return .keep
    }
}
