import Testing
@testable import Agent

@Suite struct LineTranscoderTests {
    @Test func decodesSingleByteAndMultiByteCharsets() throws {
        #expect(try LineTranscoder.make(nil) == nil)
        #expect(try LineTranscoder.make("UTF-8") == nil)
        let latin1 = try #require(try LineTranscoder.make("ISO-8859-1"))
        #expect(latin1.decode([0x63, 0x61, 0x66, 0xE9]) == "café")
        let cp1252 = try #require(try LineTranscoder.make("windows-1252"))
        #expect(cp1252.decode([0x80, 0x20, 0x93, 0x71, 0x94]) == "€ \u{201C}q\u{201D}")
        let sjis = try #require(try LineTranscoder.make("Shift_JIS"))
        #expect(sjis.decode([0x93, 0xFA, 0x96, 0x7B]) == "日本")
        // An undefined byte becomes U+FFFD and decoding goes on.
        #expect(cp1252.decode([0x61, 0x81, 0x62]) == "a\u{FFFD}b")
        #expect(sjis.decode([0x93]) == "\u{FFFD}", "a truncated character")
        #expect(latin1.decode([]) == "")
    }

    @Test func refusesWhatLinesCannotBeSplitIn() {
        #expect(throws: AgentConfigError.self) { try LineTranscoder.make("UTF-16LE") }
        #expect(throws: AgentConfigError.self) { try LineTranscoder.make("no-such-charset") }
        #expect(throws: AgentConfigError.self) { try AgentConfigLoader.parse("scrape_configs: [{job_name: a, encoding: UTF-16}]") }
    }
}
