import ChunkFormat
import CheckpointFormat
import Codecs
import Foundation
import Testing

@Suite struct CheckpointCodecTests {
    @Test func roundTripsEveryChunk() throws {
        let bytes = CheckpointSample.file(5)
        var got: [CheckpointChunk] = []
        let scan = try CheckpointReader.read(bytes) { got.append($0) }
        #expect(scan.isComplete && scan.damage.isEmpty)
        #expect(scan.prefix == CheckpointPrefix(lsn: 1234, createdUnixNano: 1_700_000_000_000_000_000))
        #expect(scan.end == CheckpointEnd(chunks: 10, lowestLSN: 1))
        let want = CheckpointSample.chunks(5)
        #expect(got.count == want.count)
        for (g, w) in zip(got, want) {
            #expect(g.isOpen == w.isOpen)
            #expect(g.header == w.header)
            #expect(g.blocks.map(\.bytes) == w.blocks.map(\.bytes))
            #expect(g.blocks.map(\.checksum) == w.blocks.map(\.checksum))
        }
        #expect(try CheckpointReader.end(fromTail: Array(bytes.suffix(CheckpointLayout.endFrameSize))) == scan.end)
    }

    @Test func anEmptyCheckpointIsValid() throws {
        let bytes = CheckpointCodec.encodePrefix(CheckpointPrefix(lsn: 7, createdUnixNano: 0)) + CheckpointCodec.encodeEnd(CheckpointEnd(chunks: 0, lowestLSN: .max))
        let scan = try CheckpointReader.read(bytes) { _ in Issue.record("no chunks expected") }
        #expect(scan.isComplete && scan.chunks == 0)
    }

    /// The prefix and end frame, byte for byte (change docs/format/checkpoint.md, the version and these together).
    @Test func pinsThePrefixAndEndBytes() {
        let prefix = CheckpointCodec.encodePrefix(CheckpointPrefix(lsn: 0x0102_0304_0506_0708, createdUnixNano: 0x1122_3344_5566_7788))
        #expect(Array(prefix[0..<24]) == Array("SKCP".utf8) + [1, 0, 0, 0] + [8, 7, 6, 5, 4, 3, 2, 1] + [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
        #expect(prefix.count == CheckpointLayout.prefixSize)
        #expect(Array(prefix[24..<28]) == le32(CRC32C.checksum(Array(prefix[0..<24]))))
        let end = CheckpointCodec.encodeEnd(CheckpointEnd(chunks: 2, lowestLSN: 9))
        let payload: [UInt8] = [2, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0]
        #expect(end == [16, 0, 0, 0, 0xFF] + le32(CRC32C.checksum([0xFF] + payload)) + payload)
    }

    @Test func namesCarryTheLSN() {
        #expect(CheckpointLayout.fileName(lsn: 0xabc) == "checkpoint-0000000000000abc.skcp")
        #expect(CheckpointLayout.lsn(ofFileName: "checkpoint-0000000000000abc.skcp") == 0xabc)
        for bad in ["checkpoint-0000000000000abc.skcp.tmp", "checkpoint-abc.skcp", "checkpoint-000000000000zabc.skcp", "00000001", "checkpoint-0000000000000abc.skcp.corrupt"] {
            #expect(CheckpointLayout.lsn(ofFileName: bad) == nil, "\(bad)")
        }
    }

    /// Every format version ever written stays readable (regenerate only when adding a version:
    /// SKALD_WRITE_CHECKPOINT_FIXTURES=<dir> swift test --filter CheckpointCodecTests writes the current one).
    @Test func version1FixtureStillReads() throws {
        if let dir = ProcessInfo.processInfo.environment["SKALD_WRITE_CHECKPOINT_FIXTURES"] {
            try Data(CheckpointSample.file(3)).write(to: URL(fileURLWithPath: dir + "/checkpoint-v1.skcp"))
        }
        let url = try #require(Bundle.module.url(forResource: "checkpoint-v1", withExtension: "skcp", subdirectory: "Fixtures"))
        var got: [CheckpointChunk] = []
        let scan = try CheckpointReader.read(Array(try Data(contentsOf: url))) { got.append($0) }
        #expect(scan.isComplete && scan.prefix.lsn == 1234)
        #expect(got.map(\.header) == CheckpointSample.chunks(3).map(\.header))
        let entries = try got.flatMap { c in try c.blocks.flatMap { try BlockReader.entries(try $0.raw(encoding: c.header.encoding), count: $0.entries) } }
        #expect(entries.count == 3 * 9)
    }

    private func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
}
