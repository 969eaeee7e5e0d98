import LogModel
@testable import ReadPath
import Testing

/// How a stream's merged entries are sorted, deduplicated and counted.
@Suite struct StreamMergerTests {
    static func entry(_ t: Int64, _ line: String) -> LogEntry { LogEntry(timestamp: t, line: Array(line.utf8)) }

    /// The plain answer: a stable sort by time, then an entry dropped when an earlier one of the
    /// same time has the same line.
    static func reference(_ entries: [LogEntry]) -> [LogEntry] {
        let sorted = entries.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }.map(\.element)
        var out: [LogEntry] = []
        for e in sorted where !out.contains(where: { $0.timestamp == e.timestamp && $0.line == e.line }) { out.append(e) }
        return out
    }

    @Test func deduplicatedSortsStablyAndDropsExactCopies() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<300 {
            var entries = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
                Self.entry(Int64.random(in: 0...8, using: &rng), ["a", "b", "c"].randomElement(using: &rng)!)
            }
            if round % 3 == 0 { entries.sort { $0.timestamp < $1.timestamp } } // the in-order path
            #expect(StreamMerger.deduplicated(entries) == Self.reference(entries), "\(entries.map { ($0.timestamp, String(decoding: $0.line, as: UTF8.self)) })")
        }
    }

    @Test func distinctCountCountsWithinTheThreshold() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var m = StreamMerger(start: 0, end: 100)
            m.entries = (0..<Int.random(in: 0...30, using: &rng)).map { _ in
                Self.entry(Int64.random(in: 0...8, using: &rng), ["a", "b"].randomElement(using: &rng)!)
            }
            let threshold = Int64.random(in: 0...8, using: &rng)
            let forward = Bool.random(using: &rng)
            let near = m.entries.filter { forward ? $0.timestamp <= threshold : $0.timestamp >= threshold }
            #expect(m.distinctCount(within: threshold, direction: forward ? .forward : .backward) == Self.reference(near).count)
        }
    }
}
