import Testing
@testable import LogModel

@Suite struct GoQuoteTests {
    @Test func quotesLikeGo() {
        #expect(GoQuote.quote(#"a"b\c"#) == #""a\"b\\c""#)
        #expect(GoQuote.quote("\u{07}\u{08}\u{0C}\n\r\t\u{0B}") == #""\a\b\f\n\r\t\v""#)
        #expect(GoQuote.quote("\u{01}\u{7F}") == #""\x01\x7f""#)
        #expect(GoQuote.quote("é 😀 日本") == "\"é 😀 日本\"")
        #expect(GoQuote.quote("\u{A0}\u{200B}\u{E000}") == #""\u00a0\u200b\ue000""#)
        #expect(GoQuote.quote("\u{F0000}") == #""\U000f0000""#)
    }
}
