import Testing
@testable import LogQL

/// `GoFloat.parse` reads label values as Go's `strconv.ParseFloat` does; plain integers take a
/// fast path that must agree with the general one.
@Suite struct GoFloatTests {
    @Test(arguments: [
        ("0", 0.0), ("7", 7), ("500", 500), ("-42", -42), ("007", 7), ("123456789012345", 123456789012345),
        ("1234567890123456789", 1234567890123456789), ("+5", 5), ("2.5", 2.5), ("-0.25", -0.25), ("1e3", 1000),
        ("0x1p4", 16), ("inf", .infinity), ("-Inf", -.infinity),
    ])
    func readsWhatGoReads(_ text: String, _ value: Double) {
        #expect(GoFloat.parse(text) == value)
    }

    @Test(arguments: ["", "-", "--5", "5-", "1 000", "1_000", "12a", "abc", " 5", "5 ", "-+5", "0-1", "0x10"])
    func refusesWhatGoRefuses(_ text: String) {
        #expect(GoFloat.parse(text) == nil)
    }

    @Test func negativeZeroKeepsItsSign() {
        #expect(GoFloat.parse("-0")?.sign == .minus)
        #expect(GoFloat.parse("0")?.sign == .plus)
    }
}
