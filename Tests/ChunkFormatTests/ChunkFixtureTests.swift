import Foundation
import LogModel
import Testing
@testable import ChunkFormat

/// Every chunk version ever written stays readable: a file written by each version is kept in
/// Fixtures/ and must decode to the same entries forever. (Regenerate only when adding a version:
/// SKALD_WRITE_CHUNK_FIXTURE=<path> swift test --filter ChunkFixtureTests writes the current one.)
@Suite struct ChunkFixtureTests {
    static let fixtureEntries = Sample.entries(300, seed: 7)

    @Test func version1LZ4FixtureStillReads() throws {
        if let out = ProcessInfo.processInfo.environment["SKALD_WRITE_CHUNK_FIXTURE"] {
            try Data(Sample.chunk(Self.fixtureEntries, perBlock: 100, encoding: .lz4)).write(to: URL(fileURLWithPath: out))
        }
        let url = try #require(Bundle.module.url(forResource: "chunk-v1-lz4", withExtension: "bin", subdirectory: "Fixtures"))
        let r = try ChunkReader(Array(try Data(contentsOf: url)))
        #expect(r.version == 1)
        #expect(r.header.encoding == .lz4 && r.header.tenant == "fake" && r.header.maxLSN == 9)
        #expect(r.blocks.count == 3)
        #expect(r.header.entries == 300)
        try r.verifyChecksum()
        #expect(try Sample.readAll(r) == Self.fixtureEntries)
    }
}
