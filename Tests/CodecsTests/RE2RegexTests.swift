import Codecs
import Testing

@Suite struct RE2RegexTests {
    @Test func wholeAndPartialMatches() throws {
        let re = try RE2Regex("api|web-[0-9]+")
        #expect(re.matchesWhole("api"))
        #expect(re.matchesWhole("web-12"))
        #expect(!re.matchesWhole("api-gateway"))
        #expect(!re.matchesWhole(""))
        #expect(partial(re, "the web-7 pod"))
        #expect(!partial(re, "nothing here"))
    }

    @Test func goSyntaxFeatures() throws {
        #expect(try RE2Regex("(?i)ERROR").matchesWhole("error"))
        #expect(try RE2Regex(#"\d{3}\s\w+"#).matchesWhole("404 missing"))
        #expect(try RE2Regex("[[:alpha:]]+").matchesWhole("abc"))
        #expect(try RE2Regex("(?P<code>[0-9]+)").matchesWhole("500"))
        #expect(try RE2Regex("é+").matchesWhole("éé"))
        #expect(try RE2Regex(".*").matchesWhole(""))
    }

    /// Backreferences and lookarounds are not RE2 syntax: they are refused with a reason, as Go refuses them.
    @Test func badPatternsAreRefusedWithTheReason() {
        for bad in ["(a", "a)", "[z-a]", #"(a)\1"#, "(?=a)", "a{1001}", "*"] {
            #expect(throws: RE2Regex.CompileError.self) { try RE2Regex(bad) }
        }
        // Go's wording: Loki users see the same message Loki would print.
        let expected = [
            ("(a", "error parsing regexp: missing closing ): `(a`"),
            ("a)", "error parsing regexp: unexpected ): `a)`"),
            ("[z-a]", "error parsing regexp: invalid character class range: `z-a`"),
            ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
            ("*", "error parsing regexp: missing argument to repetition operator: `*`"),
            (#"\x{zz}"#, "error parsing regexp: invalid escape sequence: `\\x{z`"),
        ]
        for (pattern, message) in expected {
            do {
                _ = try RE2Regex(pattern)
                Issue.record("accepted \(pattern)")
            } catch {
                #expect(error.description == message)
            }
        }
    }

    /// Linear time: the classic catastrophic-backtracking pattern answers at once.
    @Test func noCatastrophicBacktracking() throws {
        let re = try RE2Regex("(a+)+$")
        let input = String(repeating: "a", count: 50_000) + "b"
        #expect(!re.matchesWhole(input))
        #expect(!partial(re, input + "!"))
    }

    @Test func bytesThatAreNotUTF8DoNotTrap() throws {
        let re = try RE2Regex("a.b")
        let bytes: [UInt8] = [0x61, 0xFF, 0x62]
        _ = bytes.withUnsafeBytes { re.matchesPart($0) }
        #expect([UInt8]().withUnsafeBytes { try! RE2Regex("^$").matchesPart($0) })
    }

    func partial(_ re: RE2Regex, _ s: String) -> Bool {
        Array(s.utf8).withUnsafeBytes { re.matchesPart($0) }
    }
}
