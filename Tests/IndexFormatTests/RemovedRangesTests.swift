import Codecs
import IndexFormat
import Testing

/// The removed-ranges file: round trip, and every damage refused without trapping.
struct RemovedRangesTests {
    static let sample = RemovedRanges(entries: [
        .init(tenant: "fake", labels: #"{app="api"}"#, minLSN: 1, maxLSN: 9),
        .init(tenant: "team-a", labels: #"{app="web", env="dev"}"#, minLSN: 40, maxLSN: 40),
    ])

    @Test func roundTrip() throws {
        #expect(try RemovedRanges.decode(Self.sample.encode()) == Self.sample)
        #expect(try RemovedRanges.decode(RemovedRanges().encode()) == RemovedRanges())
    }

    @Test func everyTruncationAndByteFlipIsRefused() {
        let bytes = Self.sample.encode()
        for cut in 0..<bytes.count {
            #expect(throws: IndexFormatError.self) { try RemovedRanges.decode(Array(bytes[..<cut])) }
        }
        for i in bytes.indices {
            var b = bytes
            b[i] ^= 0x5A
            #expect(throws: IndexFormatError.self) { try RemovedRanges.decode(b) }
        }
    }

    @Test func backwardsRangeIsRefusedEvenWithAGoodChecksum() {
        var bytes = RemovedRanges(entries: [.init(tenant: "t", labels: "{}", minLSN: 9, maxLSN: 1)]).encode()
        bytes.removeLast(4)
        bytes.appendU32LE(CRC32C.checksum(bytes))
        #expect(throws: IndexFormatError.self) { try RemovedRanges.decode(bytes) }
    }
}
