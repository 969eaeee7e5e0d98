import LogModel
@testable import IndexFormat

/// Deterministic tables for the index tests.
enum IndexSample {
    static func chunk(_ i: Int, minTime: Int64? = nil) -> IndexedChunk {
        let t = minTime ?? Int64(i) * 1_000_000_000
        return IndexedChunk(minTime: t, maxTime: t + 999_000_000, minLSN: UInt64(i * 10 + 1), maxLSN: UInt64(i * 10 + 9),
                            entries: 100 + i, rawBytes: 10_000 + i, size: 2_000 + i, checksum: UInt32(0xC0DE_0000 + i), encoding: 2)
    }

    static func labels(_ pairs: [(String, String)]) -> LabelSet { LabelSet(pairs.map { Label($0.0, $0.1) }) }

    /// `n` series over apps a0…a3, pods p0…, levels info/error, two chunks each.
    static func series(_ n: Int) -> [IndexedSeries] {
        (0..<n).map { i in
            IndexedSeries(labels: labels([("app", "a\(i % 4)"), ("pod", "p\(i)"), ("level", i % 3 == 0 ? "error" : "info")]),
                          chunks: [chunk(2 * i), chunk(2 * i + 1)])
        }
    }

    static func table(_ n: Int = 12) -> [UInt8] {
        IndexTableWriter.encode(tenant: "fake", tableName: "index_20000", series: series(n))
    }
}
