import Testing
@testable import GoTemplate

struct GoTimeLayoutTests {
    /// 2022-06-27T18:05:24.123456789Z, a Monday.
    let t = TemplateTime(seconds: 1_656_353_124, nanos: 123_456_789)

    @Test(arguments: [
        ("2006-01-02T15:04:05Z07:00", "2022-06-27T18:05:24Z"),
        ("2006-01-02 15:04:05.999999999 -0700 MST", "2022-06-27 18:05:24.123456789 +0000 UTC"),
        ("Mon Jan _2 3:4:5 PM 06", "Mon Jun 27 6:5:24 PM 22"),
        ("Monday, January 2, 2006 .000 ,99", "Monday, June 27, 2022 .123 ,12"),
        ("002 __2 pm -07:00", "178 178 pm +00:00"),
    ])
    func formats(_ c: (String, String)) {
        #expect(GoTimeLayout.format(t, c.0) == c.1)
    }

    @Test func zeroTimeAndOldDatesFormat() {
        #expect(TemplateTime.zero.description == "0001-01-01 00:00:00 +0000 UTC")
        #expect(GoTimeLayout.format(TemplateTime(seconds: -86_400), "2006-01-02 Mon") == "1969-12-31 Wed")
    }

    @Test func parsesWhatItFormats() throws {
        for layout in ["2006-01-02T15:04:05.999999999Z07:00", "02 Jan 06 15:04 -0700", "Jan _2 2006 3:04PM", "2006-002"] {
            let text = GoTimeLayout.format(t.in(offset: 3600, zone: ""), layout)
            let back = try GoTimeLayout.parse(layout, text)
            #expect(GoTimeLayout.format(back, layout) == text, "\(layout)")
        }
        let p = try GoTimeLayout.parse("2006-01-02T15:04:05.999999999Z", "2023-03-10T01:32:40.340485723Z")
        #expect(p.unixNanos == 1_678_411_960_340_485_723)
        let frac = try GoTimeLayout.parse("2006-01-02 15:04:05", "2021-11-02 10:00:00.5")
        #expect(frac.nanos == 500_000_000)
    }

    @Test(arguments: ["2021-13-01", "2021-02-30", "21-01-01", "2021-01-01x", ""])
    func refusesBadText(_ text: String) {
        #expect(throws: GoTimeLayout.ParseFailure.self) { try GoTimeLayout.parse("2006-01-02", text) }
    }
}
