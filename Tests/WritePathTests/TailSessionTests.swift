import Foundation
import LogModel
import LogQL
@testable import ReadPath
import TestSupport
import Testing
@testable import WritePath

/// The live tail's logic apart from its websocket (ReadPath/TailSession.swift, fed by
/// WritePath/LiveFeed.swift): history then live lines, timestamp order, `delay_for`, Loki's 100
/// lines per message, and a slow client's buffer overflowing into `dropped_entries`.
@Suite struct TailSessionTests {
    static func session(_ h: ChunkHarness, _ query: String, limit: Int = 100, start: Int64 = .min / 2, delay: Int64 = 0) throws -> TailSession {
        guard case .log(let q) = try QueryParser.parseQuery(query) else { fatalError("not a log query") }
        return try TailSession(querier: Querier(ingester: h.ingester), tenant: h.tenant, query: q,
                               options: .init(limit: limit, start: start, delayFor: delay))
    }

    static func push(_ h: ChunkHarness, _ stream: String, _ entries: [(Int64, String)]) async throws {
        var b = PushBatchBuilder()
        b.stream(stream)
        for (t, l) in entries { b.entry(t, l) }
        let labels = try b.batch.streams.map { try LabelParser.parse($0.labels) }
        _ = try await h.ingester.push(tenant: h.tenant, batch: b.batch, labelSets: labels)
    }

    static func text(_ m: TailSession.Message?) -> [String] {
        (m?.entries ?? []).map { String(decoding: $0.entry.line, as: UTF8.self) }
    }

    @Test func historyComesFirstThenLiveLinesOnceInTimestampOrder() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        let t = h.clock.now()
        try await Self.push(h, #"{app="a"}"#, [(t, "old-1"), (t + 10, "old-2"), (t + 20, "old-3")])
        let s = try Self.session(h, #"{app="a"} |= "old" or "new""#, limit: 2)
        try s.start(now: t + 1_000)
        // A push published while the history was read is not sent twice.
        s.enqueue([LiveFeed.Delivery(labels: try LabelParser.parse(#"{app="a"}"#), entries: [LogEntry(timestamp: t + 20, line: Array("old-3".utf8))])])
        try await Self.push(h, #"{app="a"}"#, [(t + 40, "new-2"), (t + 30, "new-1"), (t + 35, "filtered")])
        try await Self.push(h, #"{app="b"}"#, [(t + 31, "new-other-stream")])
        #expect(Self.text(s.next(now: t + 1_000)) == ["old-2", "old-3", "new-1", "new-2"])
        #expect(s.next(now: t + 1_000) == nil)
        s.close()
        try await Self.push(h, #"{app="a"}"#, [(t + 50, "new-after-close")])
        #expect(s.next(now: t + 1_000) == nil)
        #expect(h.ingester.liveFeed.subscriberCount == 0)
    }

    @Test func delayForHoldsLinesUntilTheyAreOldEnough() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        let t = h.clock.now()
        let s = try Self.session(h, #"{app="a"}"#, limit: 1, start: t, delay: 2_000)
        try s.start(now: t)
        try await Self.push(h, #"{app="a"}"#, [(t + 100, "b"), (t + 50, "a")])
        #expect(s.next(now: t + 2_050) == nil) // not past 50 + 2000 yet
        #expect(Self.text(s.next(now: t + 2_051)) == ["a"])
        #expect(Self.text(s.next(now: t + 3_000)) == ["b"])
    }

    @Test func aSlowClientGetsHundredLineMessagesAndDroppedEntries() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        let t = h.clock.now()
        let s = try Self.session(h, #"{app="a"} | logfmt"#, start: t)
        try s.start(now: t)
        let labels = try LabelParser.parse(#"{app="a"}"#)
        let over = TailSession.maxBuffered + 1_500
        let entries = (0..<over).map { LogEntry(timestamp: t + Int64($0), line: Array("n=\($0)".utf8)) }
        s.enqueue([LiveFeed.Delivery(labels: labels, entries: entries)])
        #expect(s.buffered == TailSession.maxBuffered)
        let first = try #require(s.next(now: t + Int64(over) + 1))
        #expect(first.entries.count == TailSession.maxEntriesPerMessage)
        // The pipeline ran: logfmt's label is on each line.
        #expect(first.entries[0].labels.canonical == #"{app="a", n="0"}"#)
        // 1,500 dropped, at most 1,000 reported, with their timestamps and stream labels.
        #expect(first.dropped.count == TailSession.maxDroppedPerMessage)
        #expect(first.dropped.first?.timestamp == t + Int64(TailSession.maxBuffered))
        #expect(first.dropped.first?.labels == labels)
        var total = first.entries.count
        while let m = s.next(now: t + Int64(over) + 1) {
            #expect(m.dropped.isEmpty)
            #expect(m.entries.count <= TailSession.maxEntriesPerMessage)
            total += m.entries.count
        }
        #expect(total == TailSession.maxBuffered)
        s.close()
    }
}
