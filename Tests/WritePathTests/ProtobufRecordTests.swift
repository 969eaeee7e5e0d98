import Codecs
import LogModel
import Logging
import ReadPath
import Testing
import TestSupport
import WriteAheadLog
@testable import WritePath

/// A protobuf push accepted whole is logged as the client sent it (`pushProtobuf` records); anything
/// less is logged in Skald's own layout. Either way a restart brings back exactly what was accepted.
@Suite struct ProtobufRecordTests {
    /// Pushes `batch` the way the HTTP route does for Promtail's form: decoded from the snappy body,
    /// which goes along for the log.
    func pushAsPromtail(_ h: Harness, _ batch: PushBatch) async throws -> ([UInt8], PushError?) {
        let body = Snappy.compress(PushProtobuf.encode(batch))
        #expect(Distributor.isSnappyProtobuf(contentType: "application/x-protobuf", contentEncoding: nil))
        let decoded = try h.distributor.decode(body: body, contentType: "application/x-protobuf", contentEncoding: nil)
        do {
            try await h.distributor.push(tenant: h.tenant, batch: decoded, body: body)
            return (body, nil)
        } catch {
            return (body, error)
        }
    }

    func records(_ h: Harness) throws -> [WALRecord] {
        var out: [WALRecord] = []
        _ = try LogReader.replay(directory: h.dir.path + "/wal", repair: false, logger: Logger(label: "test")) { out.append($0) }
        return out
    }

    @Test func aWholeProtobufPushIsLoggedAsSentAndReplaysToTheSameStreams() async throws {
        let h = try Harness()
        let t = h.now
        var b = PushBatchBuilder()
        b.stream(#"{job="api", env="prod"}"#) // not canonical: the heads key it as {env="prod", job="api"}
        b.entry(t + 2, "second")
        b.entry(t + 1, "first", metadata: [Label("trace_id", "abc")])
        b.entry(t + 1, "first", metadata: [Label("trace_id", "abc")]) // an exact duplicate, dropped on both paths
        b.stream(#"{job="db"}"#)
        b.entry(t, "db line")
        let (body, err) = try await pushAsPromtail(h, b.batch)
        #expect(err == nil)

        // One entry too old: the rest is stored, in Skald's layout.
        var partial = PushBatchBuilder()
        partial.stream(#"{job="db"}"#)
        partial.entry(t + 5, "kept")
        partial.entry(t - 30 * 24 * 3600 * 1_000_000_000, "too old")
        let (_, partialErr) = try await pushAsPromtail(h, partial.batch)
        #expect(partialErr != nil)

        // The distributor accepts both entries, the heads refuse one (behind the out-of-order window).
        var behind = PushBatchBuilder()
        behind.stream(#"{job="db"}"#)
        behind.entry(t + 6, "kept too")
        behind.entry(t - 3 * 3600 * 1_000_000_000, "too far behind")
        let (_, behindErr) = try await pushAsPromtail(h, behind.batch)
        #expect(behindErr?.message.contains("too far behind") == true)

        let before = h.lines()
        #expect(before.sorted() == ["db line", "first", "kept", "kept too", "second"])
        let apiBefore = h.lines([Label("env", "prod")])
        #expect(apiBefore == ["first", "second"])
        h.ingester.stop(checkpoint: false)

        let recs = try records(h)
        #expect(recs.map(\.type) == [.pushProtobuf, .push, .push])
        #expect(recs.first?.payload == body)

        let again = try Harness(dir: h.dir)
        #expect(again.lines().sorted() == before.sorted())
        #expect(again.lines([Label("env", "prod")]) == apiBefore)
        #expect(again.lines([Label("job", "api"), Label("env", "prod")]) == apiBefore)
        let meta = Querier(ingester: again.ingester).select(tenant: again.tenant, HeadQuery(matchers: [.equal("job", "api")], start: .min / 2, end: .max / 2, limit: 10, direction: .forward))
        #expect(meta.streams.first?.entries.first?.metadata == [Label("trace_id", "abc")])
        #expect(meta.streams.first?.labels.canonical == #"{env="prod", job="api"}"#)
        again.stop()
    }

    /// The checkpoint trigger counts what replay would decode, not log bytes: a protobuf record
    /// counts its decompressed body, which is larger than the record.
    @Test func theCheckpointTriggerCountsDecodedRecordBytes() async throws {
        let h = try Harness()
        var b = PushBatchBuilder()
        b.stream(#"{app="x"}"#)
        for i in 0..<200 { b.entry(h.now + Int64(i), "a fairly repetitive line number \(i % 7) of the test") }
        let (body, err) = try await pushAsPromtail(h, b.batch)
        #expect(err == nil)
        let decoded = PushProtobuf.encode(b.batch).count
        #expect(decoded > body.count)
        #expect(h.ingester.recordBytesSinceCheckpoint == UInt64(decoded))
        try h.ingester.checkpoint()
        #expect(h.ingester.recordBytesSinceCheckpoint == 0)
        h.stop()
    }

    @Test func aTruncatedLineOrADroppedStreamIsLoggedInSkaldsLayout() async throws {
        var limits = Limits()
        limits.maxLineSize = 4
        limits.maxLineSizeTruncate = true
        let h = try Harness(limits: limits)
        var b = PushBatchBuilder()
        b.stream(#"{a="1"}"#)
        b.entry(h.now, "abcdefgh")
        #expect(try await pushAsPromtail(h, b.batch).1 == nil)
        var empty = PushBatchBuilder()
        empty.stream(#"{a="2"}"#) // no entries: nothing to store, and replay must not bring the stream back
        empty.stream(#"{a="1"}"#)
        empty.entry(h.now + 1, "wxyz")
        #expect(try await pushAsPromtail(h, empty.batch).1 == nil)
        h.ingester.stop(checkpoint: false)
        #expect(try records(h).map(\.type) == [.push, .push])
        let again = try Harness(limits: limits, dir: h.dir)
        #expect(again.lines() == ["abcd", "wxyz"])
        #expect(again.ingester.heads(again.tenant).streams.count == 1)
        again.stop()
    }
}
