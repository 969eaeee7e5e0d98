import LogModel

/// Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`): formatting and parsing with the
/// same elements `time.Format` and `time.Parse` recognise.
public enum GoTimeLayout {
    enum Element: Equatable {
        case literal([UInt8])
        case longMonth, month, numMonth, zeroMonth
        case longWeekDay, weekDay
        case day, underDay, zeroDay, underYearDay, zeroYearDay
        case hour, hour12, zeroHour12
        case minute, zeroMinute, second, zeroSecond
        case longYear, year
        case pm(upper: Bool)
        case tzName
        /// `-0700`-style (`iso`: `Z` for UTC); `colons` and `seconds` pick the shape.
        case offset(iso: Bool, colons: Bool, minutes: Bool, seconds: Bool)
        /// `.000` (fixed) or `.999` (trailing zeros dropped), with `,` or `.`.
        case fraction(digits: Int, fixed: Bool, separator: UInt8)
    }

    static let longMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let longDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Splits a layout into literal runs and elements, the way Go's `nextStdChunk` reads it.
    static func elements(_ layout: String) -> [Element] {
        let b = Array(layout.utf8)
        var out: [Element] = []
        var lit: [UInt8] = []
        func has(_ i: Int, _ s: String) -> Bool {
            let u = Array(s.utf8)
            return i + u.count <= b.count && Array(b[i..<(i + u.count)]) == u
        }
        func isDigit(_ i: Int) -> Bool { i < b.count && b[i] >= 0x30 && b[i] <= 0x39 }
        var i = 0
        while i < b.count {
            var e: Element?
            var n = 0
            switch b[i] {
            case UInt8(ascii: "J"):
                if has(i, "January") { e = .longMonth; n = 7 } else if has(i, "Jan") { e = .month; n = 3 }
            case UInt8(ascii: "M"):
                if has(i, "Monday") { e = .longWeekDay; n = 6 } else if has(i, "Mon") { e = .weekDay; n = 3 } else if has(i, "MST") { e = .tzName; n = 3 }
            case UInt8(ascii: "0"):
                if i + 1 < b.count, b[i + 1] >= 0x31, b[i + 1] <= 0x36 {
                    e = [.zeroMonth, .zeroDay, .zeroHour12, .zeroMinute, .zeroSecond, .year][Int(b[i + 1] - 0x31)]; n = 2
                } else if has(i, "002") { e = .zeroYearDay; n = 3 }
            case UInt8(ascii: "1"):
                if has(i, "15") { e = .hour; n = 2 } else { e = .numMonth; n = 1 }
            case UInt8(ascii: "2"):
                if has(i, "2006") { e = .longYear; n = 4 } else { e = .day; n = 1 }
            case UInt8(ascii: "_"):
                if has(i, "_2006") { lit.append(b[i]); e = .longYear; i += 1; n = 4 } else if has(i, "_2") { e = .underDay; n = 2 } else if has(i, "__2") { e = .underYearDay; n = 3 }
            case UInt8(ascii: "3"): e = .hour12; n = 1
            case UInt8(ascii: "4"): e = .minute; n = 1
            case UInt8(ascii: "5"): e = .second; n = 1
            case UInt8(ascii: "P"): if has(i, "PM") { e = .pm(upper: true); n = 2 }
            case UInt8(ascii: "p"): if has(i, "pm") { e = .pm(upper: false); n = 2 }
            case UInt8(ascii: "-"), UInt8(ascii: "Z"):
                let iso = b[i] == UInt8(ascii: "Z")
                let p = iso ? "Z" : "-"
                if has(i, p + "07:00:00") { e = .offset(iso: iso, colons: true, minutes: true, seconds: true); n = 9 }
                else if has(i, p + "070000") { e = .offset(iso: iso, colons: false, minutes: true, seconds: true); n = 7 }
                else if has(i, p + "07:00") { e = .offset(iso: iso, colons: true, minutes: true, seconds: false); n = 6 }
                else if has(i, p + "0700") { e = .offset(iso: iso, colons: false, minutes: true, seconds: false); n = 5 }
                else if has(i, p + "07") { e = .offset(iso: iso, colons: false, minutes: false, seconds: false); n = 3 }
            case UInt8(ascii: "."), UInt8(ascii: ","):
                if i + 1 < b.count, b[i + 1] == 0x30 || b[i + 1] == 0x39 {
                    var j = i + 1
                    while j < b.count, b[j] == b[i + 1] { j += 1 }
                    if !isDigit(j) { e = .fraction(digits: j - i - 1, fixed: b[i + 1] == 0x30, separator: b[i]); n = j - i }
                }
            default: break
            }
            if let e {
                if !lit.isEmpty { out.append(.literal(lit)); lit = [] }
                out.append(e)
                i += n
            } else {
                lit.append(b[i])
                i += 1
            }
        }
        if !lit.isEmpty { out.append(.literal(lit)) }
        return out
    }

    /// `t.Format(layout)`.
    public static func format(_ t: TemplateTime, _ layout: String) -> String {
        let c = t.civil
        var s = ""
        func pad(_ v: Int64, _ width: Int, _ fill: Character = "0") {
            let digits = String(v.magnitude)
            if v < 0 { s += "-" }
            if digits.count < width { s += String(repeating: fill, count: width - digits.count) }
            s += digits
        }
        for e in elements(layout) {
            switch e {
            case .literal(let l): s += String(decoding: l, as: UTF8.self)
            case .longMonth: s += longMonths[c.month - 1]
            case .month: s += String(longMonths[c.month - 1].prefix(3))
            case .numMonth: pad(Int64(c.month), 1)
            case .zeroMonth: pad(Int64(c.month), 2)
            case .longWeekDay: s += longDays[c.weekday]
            case .weekDay: s += String(longDays[c.weekday].prefix(3))
            case .day: pad(Int64(c.day), 1)
            case .underDay: pad(Int64(c.day), 2, " ")
            case .zeroDay: pad(Int64(c.day), 2)
            case .underYearDay: pad(Int64(c.yearDay), 3, " ")
            case .zeroYearDay: pad(Int64(c.yearDay), 3)
            case .hour: pad(Int64(c.hour), 2)
            case .hour12: pad(Int64(c.hour % 12 == 0 ? 12 : c.hour % 12), 1)
            case .zeroHour12: pad(Int64(c.hour % 12 == 0 ? 12 : c.hour % 12), 2)
            case .minute: pad(Int64(c.minute), 1)
            case .zeroMinute: pad(Int64(c.minute), 2)
            case .second: pad(Int64(c.second), 1)
            case .zeroSecond: pad(Int64(c.second), 2)
            case .longYear: pad(c.year, 4)
            case .year: pad((c.year % 100 + 100) % 100, 2)
            case .pm(let upper): s += c.hour >= 12 ? (upper ? "PM" : "pm") : (upper ? "AM" : "am")
            case .tzName:
                if !t.zone.isEmpty { s += t.zone } else { s += offsetText(t.offset, colons: false, minutes: t.offset % 3600 != 0, seconds: false) }
            case .offset(let iso, let colons, let minutes, let seconds):
                if iso && t.offset == 0 { s += "Z" } else { s += offsetText(t.offset, colons: colons, minutes: minutes, seconds: seconds) }
            case .fraction(let digits, let fixed, let sep):
                var frac = String(t.nanos)
                frac = String(repeating: "0", count: 9 - frac.count) + frac
                var d = String(frac.prefix(digits))
                if !fixed { while d.last == "0" { d.removeLast() } }
                if !d.isEmpty { s += String(UnicodeScalar(sep)) + d }
            }
        }
        return s
    }

    static func offsetText(_ offset: Int, colons: Bool, minutes: Bool, seconds: Bool) -> String {
        let a = abs(offset)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var s = (offset < 0 ? "-" : "+") + two(a / 3600)
        if minutes { s += (colons ? ":" : "") + two(a / 60 % 60) }
        if seconds { s += (colons ? ":" : "") + two(a % 60) }
        return s
    }

    /// What went wrong reading a time; worded like Go's `time.ParseError`.
    public struct ParseFailure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `time.ParseInLocation(layout, text, zone)`: a time without an offset is read in `zone`.
    public static func parse(_ layout: String, _ text: String, offset defaultOffset: Int = 0, zone defaultZone: String = "UTC") throws(ParseFailure) -> TemplateTime {
        let v = Array(text.utf8)
        var i = 0
        var year: Int64 = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos: Int32 = 0
        var pm: Bool?
        var yearDay: Int?
        var offset: Int?
        var zone = ""
        func fail() -> ParseFailure {
            ParseFailure(description: "parsing time \(GoQuote.quote(text)) as \(GoQuote.quote(layout)): cannot parse \(GoQuote.quote(String(decoding: v[min(i, v.count)...], as: UTF8.self))) as \(GoQuote.quote(layout))")
        }
        func number(_ minDigits: Int, _ maxDigits: Int) throws(ParseFailure) -> Int {
            var n = 0, k = 0
            while k < maxDigits, i < v.count, v[i] >= 0x30, v[i] <= 0x39 { n = n * 10 + Int(v[i] - 0x30); i += 1; k += 1 }
            if k < minDigits { throw fail() }
            return n
        }
        func word(_ names: [String], prefix: Int?) throws(ParseFailure) -> Int {
            for (k, name) in names.enumerated() {
                let w = Array((prefix.map { String(name.prefix($0)) } ?? name).utf8)
                if i + w.count <= v.count, String(decoding: v[i..<(i + w.count)], as: UTF8.self).lowercased() == String(decoding: w, as: UTF8.self).lowercased() {
                    i += w.count
                    return k
                }
            }
            throw fail()
        }
        let es = elements(layout)
        for (idx, e) in es.enumerated() {
            switch e {
            case .literal(let l):
                guard i + l.count <= v.count, Array(v[i..<(i + l.count)]) == l else { throw fail() }
                i += l.count
            case .longMonth: month = try word(longMonths, prefix: nil) + 1
            case .month: month = try word(longMonths, prefix: 3) + 1
            case .numMonth: month = try number(1, 2)
            case .zeroMonth: month = try number(2, 2)
            case .longWeekDay: _ = try word(longDays, prefix: nil)
            case .weekDay: _ = try word(longDays, prefix: 3)
            case .day, .zeroDay: day = try number(e == .day ? 1 : 2, 2)
            case .underDay:
                if i < v.count, v[i] == 0x20 { i += 1 }
                day = try number(1, 2)
            case .underYearDay:
                while i < v.count, v[i] == 0x20 { i += 1 }
                yearDay = try number(1, 3)
            case .zeroYearDay: yearDay = try number(3, 3)
            case .hour: hour = try number(1, 2)
            case .hour12, .zeroHour12: hour = try number(e == .hour12 ? 1 : 2, 2)
            case .minute, .zeroMinute: minute = try number(e == .minute ? 1 : 2, 2)
            case .second, .zeroSecond:
                second = try number(e == .second ? 1 : 2, 2)
                // Go reads a fraction after seconds even when the layout has none (unless one follows).
                let fractionNext: Bool = if idx + 1 < es.count, case .fraction = es[idx + 1] { true } else { false }
                if !fractionNext, i + 1 < v.count, v[i] == 0x2e || v[i] == 0x2c, v[i + 1] >= 0x30, v[i + 1] <= 0x39 {
                    i += 1
                    nanos = readFraction(v, &i)
                }
            case .longYear:
                let neg = i < v.count && v[i] == 0x2d
                if neg { i += 1 }
                year = Int64(try number(4, 4)) * (neg ? -1 : 1)
            case .year:
                let y = try number(2, 2)
                year = Int64(y >= 69 ? 1900 + y : 2000 + y)
            case .pm(let upper):
                guard i + 2 <= v.count else { throw fail() }
                let w = String(decoding: v[i..<(i + 2)], as: UTF8.self)
                if w == (upper ? "PM" : "pm") { pm = true } else if w == (upper ? "AM" : "am") { pm = false } else { throw fail() }
                i += 2
            case .tzName:
                var j = i
                while j < v.count, (v[j] >= 0x41 && v[j] <= 0x5a) { j += 1 }
                guard j - i >= 3 else { throw fail() }
                zone = String(decoding: v[i..<j], as: UTF8.self)
                if zone == "UTC" || zone == "GMT" { offset = 0 }
                i = j
            case .offset(let iso, let colons, let minutes, let seconds):
                if iso, i < v.count, v[i] == UInt8(ascii: "Z") { i += 1; offset = 0; zone = "UTC"; continue }
                guard i < v.count, v[i] == 0x2b || v[i] == 0x2d else { throw fail() }
                let sign = v[i] == 0x2d ? -1 : 1
                i += 1
                var o = try number(2, 2) * 3600
                if minutes {
                    if colons { guard i < v.count, v[i] == 0x3a else { throw fail() }; i += 1 }
                    o += try number(2, 2) * 60
                }
                if seconds {
                    if colons { guard i < v.count, v[i] == 0x3a else { throw fail() }; i += 1 }
                    o += try number(2, 2)
                }
                offset = sign * o
                zone = ""
            case .fraction(let digits, let fixed, _):
                guard i < v.count, v[i] == 0x2e || v[i] == 0x2c else {
                    if fixed { throw fail() }
                    continue
                }
                i += 1
                let start = i
                nanos = readFraction(v, &i)
                if fixed && i - start != digits { throw fail() }
            }
        }
        guard i == v.count else {
            throw ParseFailure(description: "parsing time \(GoQuote.quote(text)): extra text: \(GoQuote.quote(String(decoding: v[i...], as: UTF8.self)))")
        }
        if let pm {
            if hour > 12 { throw ParseFailure(description: "parsing time \(GoQuote.quote(text)): hour out of range") }
            if pm && hour < 12 { hour += 12 } else if !pm && hour == 12 { hour = 0 }
        }
        if let yd = yearDay {
            var m = 12
            while m > 1 && Civil.daysBefore(month: m, year: year) >= yd { m -= 1 }
            month = m
            day = yd - Civil.daysBefore(month: m, year: year)
        }
        guard (1...12).contains(month) else { throw ParseFailure(description: "parsing time \(GoQuote.quote(text)): month out of range") }
        guard day >= 1, day <= Civil.daysIn(month: month, year: year) else { throw ParseFailure(description: "parsing time \(GoQuote.quote(text)): day out of range") }
        guard hour < 24, minute < 60, second < 60 else { throw ParseFailure(description: "parsing time \(GoQuote.quote(text)): hour, minute or second out of range") }
        let local = GoTime.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let off = offset ?? defaultOffset
        let name = offset == nil ? defaultZone : (zone.isEmpty && off == 0 && offset != nil ? "UTC" : zone)
        return TemplateTime(seconds: local - Int64(off), nanos: nanos, offset: off, zone: name)
    }

    private static func readFraction(_ v: [UInt8], _ i: inout Int) -> Int32 {
        var n: Int32 = 0, k = 0
        while i < v.count, v[i] >= 0x30, v[i] <= 0x39 {
            if k < 9 { n = n * 10 + Int32(v[i] - 0x30); k += 1 }
            i += 1
        }
        while k < 9 { n *= 10; k += 1 }
        return n
    }
}
