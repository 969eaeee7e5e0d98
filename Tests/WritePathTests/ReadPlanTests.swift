import Foundation
import LogModel
import LogQL
@testable import ReadPath
import TestSupport
import Testing
@testable import WritePath

/// The limit-aware read plan (ReadPath/ReadPlan.swift) must answer exactly what reading everything
/// and then keeping the `limit` nearest entries answers, while decoding fewer blocks.
/// (Querier tests live beside ChunkHarness, which builds the ingester they read from.)
@Suite struct ReadPlanTests {
    /// Every stream's entries, read with no effective limit: (labels, timestamp, line) in time order.
    static func everything(_ h: ChunkHarness) -> [(labels: String, ts: Int64, line: String)] {
        let all = Querier(ingester: h.ingester).select(tenant: h.tenant, HeadQuery(matchers: [], start: .min / 2, end: .max / 2, limit: 10_000_000, direction: .forward))
        return all.streams.flatMap { s in s.entries.map { (s.labels.canonical, $0.timestamp, String(decoding: $0.line, as: UTF8.self)) } }
    }

    /// What a limited query must return, computed from `everything` independently of the plan:
    /// the `limit` nearest entries, ties broken by stream (label order) then position in the stream.
    static func expected(_ all: [(labels: String, ts: Int64, line: String)], limit: Int, direction: Direction) -> [String: [String]] {
        let ordered = all.enumerated().sorted { a, b in
            if a.element.ts != b.element.ts { return direction == .forward ? a.element.ts < b.element.ts : a.element.ts > b.element.ts }
            if a.element.labels != b.element.labels { return a.element.labels < b.element.labels }
            return direction == .forward ? a.offset < b.offset : a.offset > b.offset
        }
        var out: [String: [String]] = [:]
        for e in ordered.prefix(limit) { out[e.element.labels, default: []].append(e.element.line) }
        return out
    }

    static func answer(_ h: ChunkHarness, limit: Int, direction: Direction) -> (streams: [String: [String]], blocks: Int) {
        let s = Querier(ingester: h.ingester).select(tenant: h.tenant, HeadQuery(matchers: [], start: .min / 2, end: .max / 2, limit: limit, direction: direction))
        var out: [String: [String]] = [:]
        for q in s.streams { out[q.labels.canonical] = q.entries.map { String(decoding: $0.line, as: UTF8.self) } }
        return (out, s.blocksRead)
    }

    /// Line filters run inside the plan (blocks decode only matching lines, and only they count
    /// towards `limit`): answers must equal filtering everything first, by an independent predicate.
    @Test func filteredAnswersEqualFilteringEverything() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        for app in ["a", "b"] { try await h.push(app, count: 400, stream: #"{app="\#(app)"}"#) }
        #expect(h.flushToStore())
        h.clock.advance(seconds: 1)
        try await h.push("a2", count: 150, stream: #"{app="a"}"#)
        let all = Self.everything(h)
        let cases: [(String, (String) -> Bool)] = [
            (#"|= "-7""#, { $0.contains("-7") }),
            (#"!= "-1""#, { !$0.contains("-1") }),
            (#"|~ "-(1|3)5 ""#, { $0.contains("-15 ") || $0.contains("-35 ") }),
            (#"|= "a2-" or "b-9""#, { $0.contains("a2-") || $0.contains("b-9") }),
            (#"!= "a-" or "b-""#, { !$0.contains("a-") && !$0.contains("b-") }),
            (#"|= "-2" !~ "-2[0-4]""#, { l in l.contains("-2") && !(0...4).contains { l.contains("-2\($0)") } }),
            (#"|= """#, { _ in true }),
            (#"|= "no such line""#, { _ in false }),
        ]
        for (filterText, keep) in cases {
            let q = try QueryParser.parse(#"{app=~".+"} "# + filterText)
            let matcher = try LineFilterMatcher(q.filters)
            let kept = all.filter { keep($0.line) }
            for direction in [Direction.backward, .forward] {
                for limit in [1, 5, 60, 10_000] {
                    let s = Querier(ingester: h.ingester).select(tenant: h.tenant, HeadQuery(matchers: [], start: .min / 2, end: .max / 2, limit: limit, direction: direction), filter: matcher)
                    var got: [String: [String]] = [:]
                    for q in s.streams { got[q.labels.canonical] = q.entries.map { String(decoding: $0.line, as: UTF8.self) } }
                    #expect(got == Self.expected(kept, limit: limit, direction: direction), "\(filterText) limit \(limit) \(direction)")
                }
            }
        }
        h.ingester.stop()
    }

    @Test func limitedAnswersEqualReadingEverythingAcrossMemoryAndStore() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        // Three streams with the same timestamps (ties across streams), some flushed, some in memory.
        for app in ["a", "b", "c"] { try await h.push(app, count: 400, stream: #"{app="\#(app)"}"#) }
        #expect(h.flushToStore())
        h.clock.advance(seconds: 1)
        for app in ["a", "c"] { try await h.push(app + "2", count: 150, stream: #"{app="\#(app)"}"#) }
        let all: [(labels: String, ts: Int64, line: String)] = Self.everything(h)
        let total: Int = all.count
        #expect(total == 1500)
        let full: Int = Self.answer(h, limit: 10_000_000, direction: .backward).blocks
        for direction in [Direction.backward, .forward] {
            for limit in [1, 2, 7, 100, 399, 400, 401, 1000, 1500, 2000] {
                let got: (streams: [String: [String]], blocks: Int) = Self.answer(h, limit: limit, direction: direction)
                let want: [String: [String]] = Self.expected(all, limit: limit, direction: direction)
                #expect(got.streams == want, "limit \(limit) \(direction)")
                let read: Int = got.blocks
                if limit <= 100 { #expect(read < full / 2, "limit \(limit) \(direction) read \(read) of \(full) blocks") }
            }
        }
        h.ingester.stop()
    }

    /// A line stored twice (flushed, then pushed again) counts once: the plan must not stop early
    /// because duplicates filled its count.
    @Test func duplicatesDoNotEndReadingEarly() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        try await h.push("d", count: 300)
        #expect(h.flushToStore())
        // Same timestamps, same lines, in records of another size: the copies' chunks end at other
        // lines, so a copy flushed meanwhile is a chunk file of its own, not the first one rewritten.
        try await h.push("d", count: 300, perBatch: 37)
        for direction in [Direction.backward, .forward] {
            for limit in [10, 50, 299, 300, 600] {
                let got = h.lines(limit: limit, direction: direction).lines
                let want = direction == .forward ? (0..<min(limit, 300)).map { "d-\($0)" } : (0..<300).reversed().prefix(limit).map { "d-\($0)" }
                #expect(got == want, "limit \(limit) \(direction)")
            }
        }
        h.ingester.stop()
    }

    @Test func aTimeRangeLimitsTheBlocksAndTheEntries() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        try await h.push("r", count: 1000)
        #expect(h.flushToStore())
        let t0 = h.clock.now()
        let q = HeadQuery(matchers: [], start: t0 + 500, end: t0 + 520, limit: 5, direction: .backward)
        let s = Querier(ingester: h.ingester).select(tenant: h.tenant, q)
        #expect(s.streams.flatMap(\.entries).map { String(decoding: $0.line, as: UTF8.self).split(separator: " ")[0] } == ["r-519", "r-518", "r-517", "r-516", "r-515"])
        h.ingester.stop()
    }

    @Test func heapKeepsTheSmallestOnTop() {
        var heap = Heap<Int64>(by: <)
        var rng = SystemRandomNumberGenerator()
        var values: [Int64] = []
        for _ in 0..<500 {
            let v = Int64.random(in: -1000...1000, using: &rng)
            values.append(v)
            heap.push(v)
            #expect(heap.top == values.min())
        }
        for _ in 0..<200 {
            let v = Int64.random(in: -1000...1000, using: &rng)
            values.remove(at: values.firstIndex(of: values.min()!)!)
            values.append(v)
            heap.replaceTop(v)
            #expect(heap.top == values.min())
        }
    }
}
