import LogModel
import Testing

@Suite struct ConfigBytesTests {
    @Test func unitsAndBadInput() {
        #expect(ConfigBytes.parse("262144") == 262_144)
        #expect(ConfigBytes.parse(" 64MB ") == 64 << 20)
        #expect(ConfigBytes.parse("1.5KiB") == 1536)
        #expect(ConfigBytes.parse("512KB") == 512 << 10)
        #expect(ConfigBytes.parse("1e30GB") == nil, "too big to count: nil, not a trap")
        #expect(ConfigBytes.parse("-1MB") == nil)
        #expect(ConfigBytes.parse("10 parsecs") == nil)
        #expect(ConfigBytes.parse("") == nil)
    }
}
