import Foundation
import LogModel
import LogQL
@testable import ReadPath
import TestSupport
import Testing
@testable import WritePath

/// The metric path's scans (ReadPath/StreamScan.swift) must hand out exactly what the log path's
/// select returns — every stream, every line once, in time order — while decoding blocks as they
/// go, and may take a block whole only when nothing else can hold a copy of its lines.
@Suite struct StreamScanTests {
    typealias Line = (ts: Int64, line: String)

    /// Every stream's entries through `select` (reads everything, deduplicates): the reference.
    static func selected(_ h: ChunkHarness) -> [String: [Line]] {
        let s = Querier(ingester: h.ingester).select(tenant: h.tenant, HeadQuery(matchers: [], start: .min / 2, end: .max / 2, limit: 10_000_000, direction: .forward))
        var out: [String: [Line]] = [:]
        for q in s.streams { out[q.labels.canonical] = q.entries.map { ($0.timestamp, String(decoding: $0.line, as: UTF8.self)) } }
        return out
    }

    static func scanned(_ h: ChunkHarness, filter: LineFilterMatcher? = nil) -> (streams: [String: [Line]], warnings: [String]) {
        let (scans, _) = Querier(ingester: h.ingester).scans(tenant: h.tenant, matchers: [], start: .min / 2, end: .max / 2, filter: filter)
        var out: [String: [Line]] = [:]
        var warnings: [String] = []
        for s in scans {
            var lines: [Line] = []
            warnings += s.forEach { ts, line in lines.append((ts, String(decoding: line, as: UTF8.self))) }
            out[s.labels.canonical] = lines
        }
        return (out, warnings)
    }

    /// Where two answers first differ (nil: they are the same), in a few words.
    static func difference(_ a: [String: [Line]], _ b: [String: [Line]]) -> String? {
        guard a.keys.sorted() == b.keys.sorted() else { return "streams \(a.keys.sorted()) vs \(b.keys.sorted())" }
        for (k, v) in a {
            let w = b[k]!
            if v.count != w.count { return "\(k): \(v.count) lines vs \(w.count)" }
            if let i = Array(zip(v, w)).firstIndex(where: { $0.ts != $1.ts || $0.line != $1.line }) { return "\(k) line \(i): \(v[i]) vs \(w[i])" }
        }
        return nil
    }

    /// Data in every place at once: flushed chunks, retained copies of them in memory, sealed and
    /// head blocks, pushes that arrive out of order into time already flushed, and the same lines
    /// pushed twice (a retry) into different chunks.
    static func messyHarness(_ dir: TestDirectory) async throws -> ChunkHarness {
        let h = try ChunkHarness(dir: dir.path, retain: 3600 * 1_000_000_000)
        for app in ["a", "b"] { try await h.push(app, count: 300, stream: #"{app="\#(app)"}"#) }
        #expect(h.flushToStore())
        try await h.push("a", count: 120, stream: #"{app="a"}"#) // the same lines again: duplicates
        h.clock.advance(seconds: 1)
        try await h.push("late", count: 200, stream: #"{app="b"}"#)
        h.clock.advance(seconds: -2)
        try await h.push("early", count: 80, stream: #"{app="b"}"#) // behind what is flushed
        return h
    }

    /// The answer's `stats` by origin, the same through both read paths: 600 lines in flushed
    /// chunks (out of memory), 120 exact copies of some of them and 200 more in memory.
    @Test func bothPathsCountWhatTheyReadByOrigin() async throws {
        let dir = TestDirectory()
        // (Chunks big enough that nothing is flushed but by `flushToStore`.)
        let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
        for app in ["a", "b"] { try await h.push(app, count: 300, stream: #"{app="\#(app)"}"#) }
        #expect(h.flushToStore())
        try await h.push("a", count: 120, stream: #"{app="a"}"#)
        h.clock.advance(seconds: 1)
        try await h.push("late", count: 200, stream: #"{app="b"}"#)
        let q = Querier(ingester: h.ingester)
        let selected = q.select(tenant: h.tenant, HeadQuery(matchers: [], start: .min / 2, end: .max / 2, limit: 10_000_000, direction: .forward))
        let logPath = selected.stats.snapshot
        let stats = QueryStats()
        for s in q.scans(tenant: h.tenant, matchers: [], start: .min / 2, end: .max / 2, filter: nil, stats: stats).scans {
            _ = s.forEach { _, _ in }
        }
        let metricPath = stats.snapshot
        #expect(selected.streams.reduce(0) { $0 + $1.entries.count } == 800)
        for c in [logPath, metricPath] {
            #expect(c.linesProcessed == 920)
            #expect(c.storeDecompressedLines == 600)
            #expect(c.headChunkLines + c.ingesterDecompressedLines == 320)
            #expect(c.duplicates == 120)
            #expect(c.storeChunksRef > 0 && c.storeChunksDownloaded == c.storeChunksRef)
            #expect(c.storeCompressedBytes > 0)
            #expect(c.ingesterChunksMatched == 2)
            #expect(c.bytesProcessed == c.headChunkBytes + c.ingesterDecompressedBytes + c.storeDecompressedBytes)
        }
        #expect(logPath.ingesterLinesSent == 320)
        #expect(logPath.storeChunksRef == metricPath.storeChunksRef)
        #expect(logPath.storeDecompressedBytes == metricPath.storeDecompressedBytes)
        #expect(logPath.headChunkLines == metricPath.headChunkLines)

        // A line filter: every line in range still counts as processed, only kept ones as sent.
        let filter = try LineFilterMatcher([LineFilter(.contains, ["late-1"])])
        let filtered = q.select(tenant: h.tenant, HeadQuery(matchers: [], start: .min / 2, end: .max / 2, limit: 10_000_000, direction: .forward),
                                filter: filter).stats.snapshot
        #expect(filtered.linesProcessed == 920)
        #expect(filtered.ingesterLinesSent == 111) // late-1, late-10…19, late-100…199
        let scanned = QueryStats()
        for s in q.scans(tenant: h.tenant, matchers: [], start: .min / 2, end: .max / 2, filter: filter, stats: scanned).scans {
            _ = s.forEach { _, _ in }
        }
        #expect(scanned.snapshot.linesProcessed == 920)
        #expect(scanned.snapshot.ingesterLinesSent == 111)
    }

    @Test func scansHandOutWhatSelectReturns() async throws {
        let dir = TestDirectory()
        let h = try await Self.messyHarness(dir)
        let want = Self.selected(h)
        #expect(want["{app=\"a\"}"]?.count == 300, "the retried lines are duplicates and count once")
        let got = Self.scanned(h)
        #expect(got.warnings.isEmpty)
        #expect(Self.difference(got.streams, want) == nil)
        // Again with the chunks only in the store.
        #expect(h.flushToStore())
        #expect(Self.difference(Self.scanned(h).streams, want) == nil)
        h.ingester.stop()
    }

    @Test func lineFiltersApplyAsBlocksDecode() async throws {
        let dir = TestDirectory()
        let h = try await Self.messyHarness(dir)
        let filter = try LineFilterMatcher(try QueryParser.parse(#"{app=~".+"} |= "-7" != "late""#).filters)
        let want = Self.selected(h).mapValues { $0.filter { $0.line.contains("-7") && !$0.line.contains("late") } }.filter { !$0.value.isEmpty }
        #expect(Self.difference(Self.scanned(h, filter: filter).streams, want) == nil)
        h.ingester.stop()
    }

    /// Counts lines, taking every block it is offered whole.
    struct Counter: LineVisitor {
        var whole = 0, wholeBlocks = 0, lines = 0
        mutating func whole(minTime: Int64, maxTime: Int64, entries: Int, bytes: Int) -> Bool {
            whole += entries
            wholeBlocks += 1
            return true
        }
        mutating func line(_ timestamp: Int64, _ line: UnsafeRawBufferPointer) { lines += 1 }
    }

    @Test func blocksAreTakenWholeOnlyWhenNoCopyCanHide() async throws {
        // In order and flushed: every block is alone in its time span.
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        try await h.push("o", count: 600)
        #expect(h.flushToStore())
        let (scans, _) = Querier(ingester: h.ingester).scans(tenant: h.tenant, matchers: [], start: .min / 2, end: .max / 2, filter: nil)
        var c = Counter()
        for s in scans { _ = s.scan(&c) }
        #expect(c.whole + c.lines == 600)
        #expect(c.wholeBlocks > 10, "blocks of ordered, flushed data are offered whole (\(c.wholeBlocks))")
        h.ingester.stop()

        // Duplicates and overlaps: the total must still count each line once.
        let dir2 = TestDirectory()
        let m = try await Self.messyHarness(dir2)
        let want = Self.selected(m).values.reduce(0) { $0 + $1.count }
        let (more, _) = Querier(ingester: m.ingester).scans(tenant: m.tenant, matchers: [], start: .min / 2, end: .max / 2, filter: nil)
        var d = Counter()
        for s in more { _ = s.scan(&d) }
        #expect(d.whole + d.lines == want)
        m.ingester.stop()
    }

    @Test func aCorruptBlockIsSkippedWithAWarning() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        try await h.push("c", count: 400)
        #expect(h.flushToStore())
        let skipped = try h.corruptFirstBlock()
        let got = Self.scanned(h)
        #expect(got.streams.values.first?.count == 400 - skipped)
        #expect(got.warnings.count == 1 && got.warnings[0].contains("block 0"))
        h.ingester.stop()
    }

    /// Metric queries over the store: the same answers with one worker or two, and with
    /// per-interval totals or every sample kept.
    @Test func metricAnswersDoNotDependOnWorkersOrTotals() async throws {
        let dir = TestDirectory()
        let h = try await Self.messyHarness(dir)
        let source = Querier(ingester: h.ingester).source(tenant: h.tenant)
        let now = h.clock.now()
        let queries = [
            #"sum by (app) (count_over_time({app=~".+"}[2s]))"#,
            #"sum(bytes_over_time({app=~".+"} |= "-1" [1s]))"#,
            #"rate({app=~".+"} | regexp "(?P<kind>[a-z]+)-" | kind != "late" [3s])"#,
            #"sum by (kind) (count_over_time({app=~".+"} | regexp "(?P<kind>[a-z]+)-" [1s]))"#,
        ]
        for q in queries {
            guard case .metric(let e) = try QueryParser.parseQuery(q) else { Issue.record("not a metric query: \(q)"); continue }
            var answers: [String] = []
            for (workers, limit) in [(1, 4096), (2, 4096), (2, 0), (1, 0)] {
                let ev = MetricEvaluator(start: now - 4_000_000_000, end: now + 2_000_000_000, step: 500_000_000, maxSeries: 500,
                                         source: source, parallelism: workers, intervalLimit: limit)
                guard case .matrix(let series) = try ev.evaluate(e) else { Issue.record("not a matrix: \(q)"); continue }
                answers.append(series.map { s in s.labels.canonical + s.points.map { "\($0.t)=\($0.v)" }.joined(separator: ",") }.joined(separator: "\n"))
            }
            #expect(!answers[0].isEmpty, "\(q) found nothing")
            #expect(Set(answers).count == 1, "\(q): \(answers)")
        }
        h.ingester.stop()
    }
}
