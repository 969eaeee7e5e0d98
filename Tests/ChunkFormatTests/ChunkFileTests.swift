import Codecs
import Foundation
import LogModel
import Testing
import TestSupport
@testable import ChunkFormat

/// Entries and chunks shared by the chunk tests.
enum Sample {
    static func entries(_ n: Int, start: Int64 = 1_700_000_000_000_000_000, seed: UInt64 = 1) -> [LogEntry] {
        var rng = SplitMix(seed)
        return (0..<n).map { i in
            let len = Int(rng.next() % 200)
            let line = Array("line \(i) level=info msg=\"request served\" ".utf8) + (0..<len).map { _ in UInt8(97 + rng.next() % 26) }
            let meta = i % 7 == 0 ? [Label("trace_id", "t\(i)")] : []
            return LogEntry(timestamp: start + Int64(i) * 1_000_000 + Int64(rng.next() % 1000), line: line, metadata: meta)
        }
    }

    static func blocks(_ entries: [LogEntry], perBlock: Int, encoding: ChunkEncoding) -> [ChunkBlock] {
        stride(from: 0, to: entries.count, by: perBlock).map { i in
            var w = BlockWriter()
            for e in entries[i..<min(i + perBlock, entries.count)] { w.append(e) }
            return ChunkBlock(sealing: w, encoding: encoding)
        }
    }

    static func chunk(_ entries: [LogEntry], perBlock: Int = 50, encoding: ChunkEncoding = .lz4) -> [UInt8] {
        let header = ChunkHeader(encoding: encoding, tenant: "fake", labels: #"{app="api", env="prod"}"#, minLSN: 3, maxLSN: 9,
                                 minTime: entries.map(\.timestamp).min() ?? 0, maxTime: entries.map(\.timestamp).max() ?? 0)
        return ChunkFile.encode(header: header, blocks: blocks(entries, perBlock: perBlock, encoding: encoding))
    }

    /// Reads every entry of a chunk, block by block.
    static func readAll(_ r: ChunkReader) throws -> [LogEntry] {
        try r.blocks.indices.flatMap { try r.entries(ofBlock: $0) }
    }
}

@Suite struct ChunkFileTests {
    /// The exact bytes of a one-block, two-entry chunk with no compression (docs/format/chunk.md).
    @Test func pinnedBytes() throws {
        var w = BlockWriter()
        w.append(LogEntry(timestamp: 10, line: Array("ab".utf8)))
        w.append(LogEntry(timestamp: 7, line: Array("c".utf8), metadata: [Label("k", "v")]))
        let block = ChunkBlock(sealing: w, encoding: .none)
        let payload: [UInt8] = [20, 2, 0x61, 0x62, 0, 5, 1, 0x63, 1, 1, 0x6B, 1, 0x76]
        #expect(block.bytes == payload)
        #expect(block.minTime == 7 && block.maxTime == 10 && block.entries == 2)

        let header = ChunkHeader(encoding: .none, tenant: "t", labels: "{a=\"1\"}", minLSN: 1, maxLSN: 2, minTime: 7, maxTime: 10,
                                 entries: 2, rawBytes: 13)
        let file = ChunkFile.encode(header: header, blocks: [block])

        var expected: [UInt8] = Array("SKCK".utf8) + [1, 0, 0, 0]
        let body: [UInt8] = [1, 0x74, 7] + Array("{a=\"1\"}".utf8)
            + [1, 0, 0, 0, 0, 0, 0, 0] + [2, 0, 0, 0, 0, 0, 0, 0] + [7, 0, 0, 0, 0, 0, 0, 0] + [10, 0, 0, 0, 0, 0, 0, 0]
            + [2, 0, 0, 0, 0, 0, 0, 0] + [13, 0, 0, 0, 0, 0, 0, 0]
        expected.appendU32LE(UInt32(body.count))
        expected += body
        expected.appendU32LE(CRC32C.checksum(expected))
        let blockOffset = expected.count
        expected += payload
        let indexOffset = expected.count
        var index: [UInt8] = [1, 0, 0, 0]
        index.appendU64LE(UInt64(blockOffset))
        index.appendU32LE(UInt32(payload.count))
        index.appendU32LE(UInt32(payload.count))
        index.appendU32LE(2)
        index.appendU64LE(7)
        index.appendU64LE(10)
        index.appendU32LE(CRC32C.checksum(payload))
        index.appendU32LE(CRC32C.checksum(index))
        expected += index
        expected.appendU64LE(UInt64(indexOffset))
        expected.appendU32LE(UInt32(index.count))
        expected.appendU32LE(CRC32C.checksum(expected))
        #expect(file == expected)
        #expect(file.count == 12 + body.count + 4 + payload.count + 4 + 40 + 4 + 16)

        let r = try ChunkReader(file)
        #expect(r.header == header)
        #expect(try r.entries(ofBlock: 0) == [LogEntry(timestamp: 10, line: Array("ab".utf8)),
                                              LogEntry(timestamp: 7, line: Array("c".utf8), metadata: [Label("k", "v")])])
        try r.verifyChecksum()
    }

    @Test(arguments: ChunkEncoding.allCases)
    func roundTripsEveryEncoding(_ encoding: ChunkEncoding) throws {
        let entries = Sample.entries(1000)
        let file = Sample.chunk(entries, perBlock: 128, encoding: encoding)
        let r = try ChunkReader(file)
        #expect(r.header.encoding == encoding)
        #expect(r.header.tenant == "fake" && r.header.labels == #"{app="api", env="prod"}"#)
        #expect(r.header.minLSN == 3 && r.header.maxLSN == 9)
        #expect(r.header.entries == 1000 && r.header.rawBytes == r.blocks.reduce(0) { $0 + $1.rawLength })
        #expect(r.blocks.count == 8)
        #expect(r.blocks.map(\.entries).reduce(0, +) == 1000)
        #expect(try Sample.readAll(r) == entries)
        for (i, m) in r.blocks.enumerated() {
            let es = try r.entries(ofBlock: i)
            #expect(m.minTime == es.map(\.timestamp).min() && m.maxTime == es.map(\.timestamp).max())
        }
        try r.verifyChecksum()
        if encoding != .none {
            #expect(file.count < entries.reduce(0) { $0 + $1.line.count })
        }
    }

    @Test func emptyLinesAndExtremeTimestampsRoundTrip() throws {
        let entries = [LogEntry(timestamp: .min, line: []), LogEntry(timestamp: 0, line: []), LogEntry(timestamp: .max, line: [0, 255, 0xC3])]
        let r = try ChunkReader(Sample.chunk(entries, perBlock: 2))
        #expect(try Sample.readAll(r) == entries)
    }

    @Test func chunkWithNoBlocksIsValid() throws {
        let r = try ChunkReader(Sample.chunk([]))
        #expect(r.blocks.isEmpty)
    }

    @Test func encodingNamesFollowLoki() {
        #expect(ChunkEncoding(configName: "lz4") == .lz4)
        #expect(ChunkEncoding(configName: "lz4-256k") == .lz4)
        #expect(ChunkEncoding(configName: "GZIP") == .gzip)
        #expect(ChunkEncoding(configName: "snappy") == .snappy)
        #expect(ChunkEncoding(configName: "none") == ChunkEncoding.none)
        #expect(ChunkEncoding(configName: "zstd") == nil)
    }
}
