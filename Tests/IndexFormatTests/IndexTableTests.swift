import Codecs
import LogModel
import Testing
@testable import IndexFormat

@Suite struct IndexTableTests {
    @Test func roundTripsSeriesChunksAndHeader() throws {
        let input = IndexSample.series(12)
        let t = try IndexTable(IndexSample.table(12))
        #expect(t.version == 1)
        #expect(t.header.tenant == "fake" && t.header.tableName == "index_20000")
        #expect(t.header.seriesCount == 12 && t.header.chunkCount == 24)
        #expect(t.header.chunkBytes == (0..<24).reduce(0) { $0 + 2_000 + $1 })
        #expect(t.header.minTime == 0 && t.header.maxTime == 23 * 1_000_000_000 + 999_000_000)
        #expect(t.header.minLSN == 1 && t.header.maxLSN == 239)
        let back = try (0..<UInt32(t.seriesCount)).map { try t.series($0) }
        #expect(Set(back.map(\.labels)) == Set(input.map(\.labels)))
        for s in input {
            #expect(back.first { $0.labels == s.labels }?.chunks == s.chunks)
        }
        #expect(t.labelNames == ["app", "level", "pod"])
        #expect(t.labelValues("app") == ["a0", "a1", "a2", "a3"])
        #expect(t.labelValues("level") == ["error", "info"])
        #expect(t.labelValues("missing") == [])
    }

    @Test func lookupsByEveryMatcherKind() throws {
        let t = try IndexTable(IndexSample.table(12))
        func pods(_ ms: [LabelMatcher]) throws -> [String] {
            try t.seriesIDs(matching: ms).map { try t.labels(of: $0)["pod"]! }.sorted()
        }
        #expect(try pods([.equal("app", "a1")]) == ["p1", "p5", "p9"])
        #expect(try pods([.equal("app", "a1"), .equal("level", "error")]) == ["p9"])
        #expect(try pods([LabelMatcher("pod", .regex, "p1.*")]) == ["p1", "p10", "p11"])
        #expect(try pods([.equal("app", "a0"), LabelMatcher("level", .notEqual, "error")]) == ["p4", "p8"])
        #expect(try pods([LabelMatcher("app", .regex, "a[01]"), LabelMatcher("pod", .notRegex, "p[0-4]")]) == ["p5", "p8", "p9"])
        // A label no series has: `=` selects nothing; `!=` keeps everything.
        #expect(try pods([.equal("team", "x")]) == [])
        #expect(try pods([.equal("app", "a2"), LabelMatcher("team", .notEqual, "x")]) == ["p10", "p2", "p6"])
        #expect(try pods([.equal("app", "a2"), .equal("team", "")]) == ["p10", "p2", "p6"])
        #expect(try pods([]).count == 12)
    }

    @Test func mergesDuplicateSeriesAndChunks() throws {
        let a = IndexSample.series(3)
        var b = IndexSample.series(3)
        b[0].chunks.append(IndexSample.chunk(99))
        let t = try IndexTable(IndexTableWriter.encode(tenant: "fake", tableName: "index_1", series: a + b))
        #expect(t.seriesCount == 3)
        #expect(t.header.chunkCount == 7)
        let first = try (0..<3).map { try t.series($0) }.first { $0.labels == a[0].labels }!
        #expect(first.chunks == a[0].chunks + [IndexSample.chunk(99)])
    }

    /// A table lists each chunk once by its object key (min, max, checksum), however many copies
    /// and in whatever order the merged inputs hold it; the table then opens.
    @Test func eachObjectKeyIsListedOnce() throws {
        let a = IndexSample.chunk(5)
        var b = a
        b.minLSN += 1 // the same key: cannot be a different file
        let labels = IndexSample.series(1)[0].labels
        let input = [IndexedSeries(labels: labels, chunks: [a, b, a, IndexSample.chunk(7), b, a, IndexSample.chunk(1)]),
                     IndexedSeries(labels: labels, chunks: [IndexSample.chunk(7), IndexSample.chunk(1)])]
        let t = try IndexTable(IndexTableWriter.encode(tenant: "fake", tableName: "index_1", series: input))
        let got = try t.series(0).chunks
        #expect(got.map(\.checksum) == [IndexSample.chunk(1), a, IndexSample.chunk(7)].map(\.checksum))
        #expect(t.header.chunkCount == 3)
        #expect(t.header.chunkBytes == got.reduce(0) { $0 + $1.size })
        #expect(t.header.minLSN == IndexSample.chunk(1).minLSN && t.header.maxLSN == IndexSample.chunk(7).maxLSN)
    }

    @Test func emptyTableAndOddValues() throws {
        let empty = try IndexTable(IndexTableWriter.encode(tenant: "t", tableName: "index_0", series: []))
        #expect(empty.seriesCount == 0 && empty.header.chunkCount == 0 && empty.labelNames.isEmpty)
        #expect(empty.seriesIDs(matching: [.equal("a", "b")]).isEmpty)
        let odd = IndexedSeries(labels: IndexSample.labels([("a", ""), ("b", "é\"\n\\"), ("c", String(repeating: "x", count: 5000))]),
                                chunks: [IndexSample.chunk(1, minTime: -5)])
        let t = try IndexTable(IndexTableWriter.encode(tenant: "t", tableName: "index_0", series: [odd]))
        #expect(try t.series(0) == odd)
        #expect(t.header.minTime == -5)
    }

    /// The exact bytes of a tiny table: a change to the encoder that is not a new version fails here.
    @Test func pinnedBytes() {
        let s = IndexedSeries(labels: IndexSample.labels([("app", "api")]),
                              chunks: [IndexedChunk(minTime: 1, maxTime: 2, minLSN: 3, maxLSN: 4, entries: 5, rawBytes: 6, size: 7, checksum: 8, encoding: 2)])
        let bytes = IndexTableWriter.encode(tenant: "t", tableName: "ix_1", series: [s])
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        #expect(hex == [
            "534b495801000000", // SKIX, version 1, reserved
            "0174", "04", "69785f31", // tenant "t", table name "ix_1"
            "0100000000000000", "0200000000000000", "0300000000000000", "0400000000000000", "01", "01", "07", // times, LSNs, 1 series, 1 chunk of 7 bytes
            "02", "03617069", "03617070", // symbols: "api", "app"
            "01", "01", "0100", "01", // 1 series: 1 label (app=api), 1 chunk
            "0100000000000000", "0200000000000000", "0300000000000000", "0400000000000000", "05", "06", "07", "08000000", "02",
            "0100000000000000", // offset of series 0 in its section
            "01", "01", "01", "00", "01", "00", // postings: app → api → [0]
            "0800000000000000", "2a00000000000000", // toc: header at 8, 42 bytes
            "3200000000000000", "0900000000000000", // symbols
            "3b00000000000000", "3500000000000000", // series
            "7000000000000000", "0600000000000000", // postings
            "7600000000000000", // toc offset
        ].joined() + String(format: "%08x", CRC32C.checksum(Array(bytes.dropLast(4))).byteSwapped))
    }
}
