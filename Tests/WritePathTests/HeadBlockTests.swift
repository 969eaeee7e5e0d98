import ChunkFormat
import LogModel
import Testing
import TestSupport
@testable import WritePath

/// A head block that received entries out of order is sealed by copying in-order runs as they lie;
/// these tests hold it to the plain way (every entry re-encoded in timestamp order).
struct HeadBlockTests {
    /// The reference: every entry encoded afresh, in the block's (timestamp-sorted) entry order.
    static func entryByEntry(_ b: HeadBlock) -> BlockWriter {
        var w = BlockWriter()
        b.writer.bytes.withUnsafeBytes { a in
            for e in b.entries {
                w.append(timestamp: e.timestamp, line: UnsafeRawBufferPointer(rebasing: a[Int(e.offset)..<Int(e.offset + e.length)]),
                         metadata: e.metadata >= 0 ? b.metadata[Int(e.metadata)] : [])
            }
        }
        return w
    }

    static func insert(_ b: inout HeadBlock, _ t: Int64, _ line: String, _ meta: [Label]? = nil) {
        var l = Array(line.utf8)
        _ = l.withUnsafeMutableBytes { b.insert(timestamp: t, line: UnsafeRawBufferPointer($0), metadata: meta) }
    }

    static func check(_ b: HeadBlock) throws {
        let sorted = b.sortedPayload()
        let plain = entryByEntry(b)
        let same = sorted.bytes == plain.bytes // (compared apart so a failure does not print both payloads)
        #expect(same, "sorted payload differs from the entry-by-entry one (\(sorted.bytes.count) vs \(plain.bytes.count) bytes)")
        #expect(sorted.entries == plain.entries && sorted.minTime == plain.minTime && sorted.maxTime == plain.maxTime)
        let read = try BlockReader.entries(sorted.bytes, count: sorted.entries)
        #expect(read.map(\.timestamp) == read.map(\.timestamp).sorted())
        #expect(read.count == b.count)
    }

    @Test func runsArrivingInTheWrongOrderSealLikeEntryByEntry() throws {
        var b = HeadBlock()
        // Three pushes' shares of one stream, the middle one first, then the last, then the first.
        for t in Int64(200)..<Int64(260) { Self.insert(&b, t * 1000, "mid \(t) " + String(repeating: "m", count: Int(t % 7))) }
        for t in Int64(300)..<Int64(340) { Self.insert(&b, t * 1000, "late \(t)") }
        for t in Int64(100)..<Int64(180) { Self.insert(&b, t * 1000, "early \(t)") }
        #expect(!b.inOrder)
        try Self.check(b)
    }

    @Test func metadataEmptyLinesEqualTimestampsAndBigGaps() throws {
        var b = HeadBlock()
        let meta = [Label("trace_id", "abc")]
        Self.insert(&b, 5_000_000_000_000, "far future")
        Self.insert(&b, 10, "")
        Self.insert(&b, 10, "same time, second")
        Self.insert(&b, 11, "with metadata", meta)
        Self.insert(&b, 12, "after metadata")
        Self.insert(&b, 13, "")
        Self.insert(&b, 1, "first of all", meta)
        Self.insert(&b, 12, "equal to an earlier one, arriving later")
        Self.insert(&b, 4_000_000_000_000, String(repeating: "x", count: 300)) // a two-byte length varint
        #expect(!b.inOrder)
        try Self.check(b)
    }

    @Test func randomArrivalOrders() throws {
        var rng = SplitMix(7)
        for _ in 0..<200 {
            var b = HeadBlock()
            let runs = Int(rng.next() % 6) + 1
            var starts = (0..<runs).map { Int64($0) * 1_000_000 }
            starts.shuffle(using: &rng)
            for s in starts {
                var t = s
                for _ in 0..<Int(rng.next() % 20) {
                    t += Int64(rng.next() % 3) * Int64(rng.next() % 100_000) // equal timestamps now and then
                    let meta: [Label]? = rng.next() % 10 == 0 ? [Label("k", "\(t)")] : nil
                    Self.insert(&b, t, String(repeating: "a", count: Int(rng.next() % 200)) + "\(t)", meta)
                }
            }
            try Self.check(b)
        }
    }

    @Test func inOrderBlocksSealAsTheyStand() throws {
        var b = HeadBlock()
        for t in Int64(0)..<Int64(50) { Self.insert(&b, t, "line \(t)") }
        #expect(b.inOrder)
        let same = b.sortedPayload().bytes == b.writer.bytes
        #expect(same)
    }
}
