import Testing
@testable import LogQL

@Suite struct LineFilterMatcherTests {
    func keeps(_ query: String, _ line: String) throws -> Bool {
        try LineFilterMatcher(try QueryParser.parse(#"{a="b"} "# + query).filters).matches(Array(line.utf8))
    }

    @Test func literalAndRegexFiltersFollowLoki() throws {
        #expect(try keeps(#"|= "err""#, "an error here"))
        #expect(try !keeps(#"|= "err""#, "an ERROR here")) // literal filters are case-sensitive
        #expect(try keeps(#"!= "err""#, "all fine"))
        #expect(try !keeps(#"!= "err""#, "an error"))
        #expect(try keeps(#"|~ "(?i)err""#, "an ERROR here"))
        #expect(try keeps(#"|~ "5\\d\\d""#, "status=503 took 3ms")) // unanchored, like Loki
        #expect(try !keeps(#"|~ "^5\\d\\d""#, "status=503"))
        #expect(try keeps(#"!~ "^GET""#, "POST /x"))
        #expect(try !keeps(#"!~ "^GET""#, "GET /x"))
        // Chained filters must all keep the line.
        #expect(try keeps(#"|= "a" |= "b" != "c""#, "ab"))
        #expect(try !keeps(#"|= "a" |= "b" != "c""#, "abc"))
    }

    @Test func orAlternatives() throws {
        #expect(try keeps(#"|= "x" or "y""#, "has y"))
        #expect(try !keeps(#"|= "x" or "y""#, "has z"))
        // A negative filter with alternatives keeps lines matching none of them (Loki: not(a or b)).
        #expect(try keeps(#"!= "x" or "y""#, "has z"))
        #expect(try !keeps(#"!= "x" or "y""#, "has y"))
        #expect(try keeps(#"|~ "^a" or "b$""#, "zzb"))
        #expect(try !keeps(#"!~ "^a" or "b$""#, "zzb"))
    }

    @Test func emptyStringsAndOddBytes() throws {
        // `|= ""` keeps everything (Loki drops the stage); `!= ""` keeps nothing.
        #expect(try keeps(#"|= """#, ""))
        #expect(try keeps(#"|= """#, "anything"))
        #expect(try !keeps(#"!= """#, "anything"))
        #expect(try !keeps(#"!= """#, ""))
        #expect(try LineFilterMatcher(try QueryParser.parse(#"{a="b"} |= """#).filters).keepsEverything)
        // Lines are bytes: invalid UTF-8 and NUL are searched like any others.
        let m = try LineFilterMatcher([LineFilter(.contains, ["\u{0}x"])])
        #expect(m.matches([0xFF, 0x00, 0x78, 0xFE]))
        #expect(!m.matches([0xFF, 0x78]))
        #expect(try keeps(#"|= "é""#, "café"))
        #expect(try !keeps(#"|= "longer than the line""#, "short"))
    }

    /// A block is taken apart only if it may hold a kept line: it must contain one of the first
    /// positive literal stage's alternatives; regexes, negations and mixed stages say nothing.
    @Test func blocksWithoutTheRequiredLiteralAreSkipped() throws {
        func m(_ q: String) throws -> LineFilterMatcher { try LineFilterMatcher(try QueryParser.parse(#"{a="b"} "# + q).filters) }
        func may(_ q: String, _ block: String) throws -> Bool { try Array(block.utf8).withUnsafeBytes { try m(q).mayMatch(block: $0) } }
        #expect(try !may(#"|= "zq""#, "line one\nline two"))
        #expect(try may(#"|= "zq""#, "line zq two"))
        #expect(try may(#"|= "x" or "zq""#, "has zq"))
        #expect(try !may(#"|= "x" or "zq""#, "neither"))
        #expect(try !may(#"!= "a" |= "zq""#, "a b c"))
        // Nothing to require: every block is read.
        #expect(try may(#"|~ "zq""#, "nothing"))
        #expect(try may(#"!= "zq""#, "nothing"))
        #expect(try may(#"|= ip("10.0.0.1")"#, "nothing"))
        #expect(try may("", "nothing"))
    }
}
