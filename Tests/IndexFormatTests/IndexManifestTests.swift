import Codecs
import Foundation
import Testing
@testable import IndexFormat

@Suite struct IndexManifestTests {
    static func sample() -> IndexManifest {
        IndexManifest(generation: 42, tables: [
            .init(path: "index_20000/fake/0000002a-c0de0001.skix",
                  header: IndexTableHeader(tenant: "fake", tableName: "index_20000", minTime: -1, maxTime: 5, minLSN: 1, maxLSN: 99,
                                           seriesCount: 3, chunkCount: 7, chunkBytes: 7000),
                  size: 1234, checksum: 0xC0DE_0001),
            .init(path: "index_20001/team-a/0000002a-00000002.skix", header: IndexTableHeader(tenant: "team-a", tableName: "index_20001"),
                  size: 10, checksum: 2),
        ])
    }

    @Test func roundTrips() throws {
        #expect(try IndexManifest.decode(Self.sample().encode()) == Self.sample())
        #expect(try IndexManifest.decode(IndexManifest().encode()) == IndexManifest())
    }

    @Test func pathsMustStayInsideTheDirectory() {
        for bad in ["/etc/passwd", "../x.skix", "a/../../b", "a//b", "", "./a"] {
            var m = Self.sample()
            m.tables[0].path = bad
            #expect(throws: IndexFormatError.self, "\(bad)") { try IndexManifest.decode(m.encode()) }
        }
    }

    /// Every format version ever written stays readable (regenerate only when adding a version:
    /// SKALD_WRITE_INDEX_FIXTURES=<dir> swift test --filter IndexManifestTests writes the current ones).
    @Test func version1FixturesStillRead() throws {
        if let dir = ProcessInfo.processInfo.environment["SKALD_WRITE_INDEX_FIXTURES"] {
            try Data(IndexSample.table(12)).write(to: URL(fileURLWithPath: dir + "/table-v1.skix"))
            try Data(Self.sample().encode()).write(to: URL(fileURLWithPath: dir + "/manifest-v1.bin"))
        }
        let tableURL = try #require(Bundle.module.url(forResource: "table-v1", withExtension: "skix", subdirectory: "Fixtures"))
        let t = try IndexTable(Array(try Data(contentsOf: tableURL)))
        #expect(t.version == 1 && t.seriesCount == 12 && t.header.chunkCount == 24)
        #expect(Set(try (0..<12).map { try t.series($0) }.map(\.labels)) == Set(IndexSample.series(12).map(\.labels)))
        let manifestURL = try #require(Bundle.module.url(forResource: "manifest-v1", withExtension: "bin", subdirectory: "Fixtures"))
        #expect(try IndexManifest.decode(Array(try Data(contentsOf: manifestURL))) == Self.sample())
    }
}
