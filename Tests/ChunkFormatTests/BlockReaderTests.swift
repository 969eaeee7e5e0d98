import ChunkFormat
import LogModel
import Testing
import TestSupport

/// Entries without metadata are read in place without a cursor, and the reader goes on the checked
/// way from the first entry that has metadata or is damaged. Both ways together must give exactly
/// the entries written, in both readers (`forEach`, `spans`), and every damaged payload must throw.
struct BlockReaderTests {
    static func entries(_ rng: inout SplitMix, count: Int) -> [LogEntry] {
        var t: Int64 = 1_700_000_000_000_000_000
        return (0..<count).map { i in
            // Deltas of every size (0, small, negative, huge), lines of every length class.
            switch rng.next() % 5 {
            case 0: break
            case 1: t += Int64(rng.next() % 1000)
            case 2: t -= Int64(rng.next() % 1_000_000)
            case 3: t = Int64(bitPattern: rng.next()) // (varints of ten bytes: the checked way)
            default: t += Int64(rng.next() % (1 << 40))
            }
            let line = [UInt8](repeating: UInt8(97 + i % 26), count: Int(rng.next() % 3 == 0 ? rng.next() % 300 : rng.next() % 20))
            let meta = rng.next() % 4 == 0 ? [Label("trace_id", "t\(i)"), Label("k", "")] : []
            return LogEntry(timestamp: t, line: line, metadata: meta)
        }
    }

    @Test func plainAndMetadataEntriesReadBackExactly() throws {
        var rng = SplitMix(7)
        for round in 0..<200 {
            let want = Self.entries(&rng, count: 1 + round % 40)
            var w = BlockWriter()
            for e in want { e.line.withUnsafeBytes { _ = w.append(timestamp: e.timestamp, line: $0, metadata: e.metadata) } }
            let raw = w.bytes
            #expect(try BlockReader.entries(raw, count: want.count) == want)
            let spans = try raw.withUnsafeBytes { r in try BlockReader.spans(r, entries: want.count) { _, _ in true } }
            #expect(spans.map(\.timestamp) == want.map(\.timestamp))
            #expect(spans.map { Array(raw[Int($0.offset)..<Int($0.offset + $0.length)]) } == want.map(\.line))
            let odd = try raw.withUnsafeBytes { r in try BlockReader.spans(r, entries: want.count) { t, _ in t % 2 != 0 } }
            #expect(odd.map(\.timestamp) == want.map(\.timestamp).filter { $0 % 2 != 0 })
        }
    }

    @Test func everyTruncationAndMiscountThrows() throws {
        var rng = SplitMix(11)
        let want = Self.entries(&rng, count: 30)
        var w = BlockWriter()
        for e in want { e.line.withUnsafeBytes { _ = w.append(timestamp: e.timestamp, line: $0, metadata: e.metadata) } }
        let raw = w.bytes
        for cut in 0..<raw.count {
            let short = Array(raw[..<cut])
            #expect(throws: ChunkFormatError.self) { try BlockReader.entries(short, count: want.count) }
            #expect(throws: ChunkFormatError.self) { try short.withUnsafeBytes { r in try BlockReader.spans(r, entries: want.count) { _, _ in true } } }
        }
        for count in [0, want.count - 1, want.count + 1] {
            #expect(throws: ChunkFormatError.self) { try BlockReader.entries(raw, count: count) }
            #expect(throws: ChunkFormatError.self) { try raw.withUnsafeBytes { r in try BlockReader.spans(r, entries: count) { _, _ in true } } }
        }
    }
}
