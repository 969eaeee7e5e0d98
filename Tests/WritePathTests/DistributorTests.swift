import TestSupport
import Foundation
import LogModel
import Logging
import ReadPath
import Storage
import Synchronization
import Testing
import WriteAheadLog
@testable import WritePath

/// A clock the test moves by hand.
final class ManualClock: Clock, Sendable {
    let wall = Mutex<Int64>(1_700_000_000_000_000_000)
    let mono = Mutex<Int64>(1_000_000_000)
    func now() -> Int64 { wall.withLock { $0 } }
    func monotonic() -> Int64 { mono.withLock { $0 } }
    func advance(seconds: Double) {
        let d = Int64(seconds * 1e9)
        wall.withLock { $0 += d }
        mono.withLock { $0 += d }
    }
}

/// A distributor + ingester over a temporary WAL, torn down with the test.
struct Harness {
    let dir: TestDirectory
    let clock = ManualClock()
    let ingester: Ingester
    let distributor: Distributor
    let tenant = TenantID.fake

    /// `dir`: pass the previous harness's directory to restart on its volume.
    init(limits: Limits = Limits(), maxRecv: Int = 100 << 20, dir: TestDirectory = TestDirectory(),
         configure: (inout Ingester.Configuration) -> Void = { _ in }) throws {
        self.dir = dir
        let logger = Logger(label: "test")
        let overrides = Overrides(defaults: limits)
        var config = Ingester.Configuration(wal: .init(directory: dir.path + "/wal"))
        configure(&config)
        let store = ChunkStore(objects: try FilesystemObjectStore(root: dir.path + "/chunks"))
        let index = try StoreIndex(objects: try FilesystemObjectStore(root: dir.path + "/index"), chunks: store, logger: logger)
        ingester = Ingester(configuration: config, store: store, index: index, overrides: overrides, clock: clock, logger: logger)
        let report = try ingester.replay()
        try ingester.start(after: report)
        distributor = Distributor(configuration: .init(maxRecvMsgSize: maxRecv), ingester: ingester, overrides: overrides,
                                  clock: clock, logger: logger)
    }

    var now: Int64 { clock.now() }

    /// Pushes one batch built by `build`; returns nil on full success or the error.
    func push(_ build: (inout PushBatchBuilder) -> Void) async -> PushError? {
        var b = PushBatchBuilder()
        build(&b)
        do {
            try await distributor.push(tenant: tenant, batch: b.batch)
            return nil
        } catch {
            return error
        }
    }

    func lines(_ selector: [Label] = [], limit: Int = 1000) -> [String] {
        Querier(ingester: ingester).select(tenant: tenant, HeadQuery(matchers: selector.map { .equal($0.name, $0.value) }, start: .min / 2, end: .max / 2, limit: limit, direction: .forward))
            .streams.flatMap { $0.entries.map { String(decoding: $0.line, as: UTF8.self) } }
    }

    func stop() { ingester.stop() }
}

@Suite struct DistributorValidationTests {
    @Test func validBatchIsStoredAndQueryable() async throws {
        let h = try Harness()
        let err = await h.push { b in
            b.stream(#"{job="api", app="x"}"#)
            b.entry(h.now, "one")
            b.entry(h.now + 1, "two")
        }
        #expect(err == nil)
        #expect(h.lines() == ["one", "two"])
        h.stop()
    }

    /// Each rule: the exact Loki text, a 400, and the valid stream of the same batch still stored.
    @Test func eachLabelRuleHasLokisMessage() async throws {
        var limits = Limits()
        limits.maxLabelNamesPerSeries = 2
        limits.maxLabelNameLength = 5
        limits.maxLabelValueLength = 5
        let h = try Harness(limits: limits)
        let cases: [(String, DiscardReason, String)] = [
            (#"{a="1"#, .invalidLabels, #"Error parsing labels '{a="1' with error: 1:6: parse error: unterminated quoted string"#),
            ("{}", .missingLabels, "error at least one label pair is required per stream"),
            (#"{a="1", b="2", c="3"}"#, .maxLabelNames, #"entry for stream '{a="1", b="2", c="3"}' has 3 label names; limit 2"#),
            (#"{toolong="1"}"#, .labelNameTooLong, #"stream '{toolong="1"}' has label name too long: 'toolong'"#),
            (#"{a="toolong"}"#, .labelValueTooLong, #"stream '{a="toolong"}' has label value too long: 'toolong'"#),
            (#"{a="1", a="2"}"#, .duplicateLabelNames, #"stream '{a="1", a="2"}' has duplicate label name: 'a'"#),
        ]
        for (i, (labels, _, message)) in cases.enumerated() {
            let err = await h.push { b in
                b.stream(labels)
                b.entry(h.now, "bad")
                b.stream(#"{ok="yes"}"#)
                b.entry(h.now + Int64(i), "good \(i)")
            }
            #expect(err?.kind == .badRequest)
            #expect(err?.message == message)
        }
        #expect(h.lines() == (0..<cases.count).map { "good \($0)" })
        h.stop()
    }

    /// `increment_duplicate_timestamp`, Loki's rule within one push: a different line at the
    /// previous entry's timestamp moves 1 ns past it; an identical one keeps its timestamp (and is
    /// then deduplicated). Off (the default), equal timestamps stay as sent.
    @Test func duplicateTimestampsAreIncrementedWhenAsked() async throws {
        func entries(_ h: Harness) -> [(Int64, String)] {
            Querier(ingester: h.ingester).select(tenant: h.tenant, HeadQuery(matchers: [], start: .min / 2, end: .max / 2, limit: 100, direction: .forward))
                .streams.flatMap { $0.entries.map { ($0.timestamp, String(decoding: $0.line, as: UTF8.self)) } }
        }
        var limits = Limits()
        limits.incrementDuplicateTimestamp = true
        let h = try Harness(limits: limits)
        let t = h.now
        #expect(await h.push { b in
            b.stream(#"{a="1"}"#)
            for line in ["a", "b", "c"] { b.entry(t, line) }
            b.entry(t + 5, "d")
            b.entry(t + 5, "d")
            b.entry(t + 6, "e")
        } == nil)
        let got = entries(h)
        #expect(got.map(\.0) == [t, t + 1, t + 2, t + 5, t + 6], "\(got)")
        #expect(got.map(\.1) == ["a", "b", "c", "d", "e"])
        h.stop()

        let off = try Harness()
        #expect(await off.push { b in
            b.stream(#"{a="1"}"#)
            b.entry(t, "a")
            b.entry(t, "b")
        } == nil)
        #expect(entries(off).map(\.0) == [t, t])
        off.stop()
    }

    @Test func tooOldTooNewAndLineTooLong() async throws {
        var limits = Limits()
        limits.maxLineSize = 10
        let h = try Harness(limits: limits)
        let old = h.now - 8 * 24 * 3600 * 1_000_000_000
        var err = await h.push { b in
            b.stream(#"{a="1"}"#)
            b.entry(old, "old")
            b.entry(h.now, "fine")
        }
        #expect(err?.message == "entry for stream '{a=\"1\"}' has timestamp too old: \(GoTime.rfc3339(old)), oldest acceptable timestamp is: \(GoTime.rfc3339(h.now - limits.rejectOldSamplesMaxAge))")
        let future = h.now + 11 * 60 * 1_000_000_000
        err = await h.push { b in
            b.stream(#"{a="1"}"#)
            b.entry(future, "future")
        }
        #expect(err?.message == "entry for stream '{a=\"1\"}' has timestamp too new: \(GoTime.rfc3339(future))")
        err = await h.push { b in
            b.stream(#"{a="1"}"#)
            b.entry(h.now + 1, "this line is too long")
        }
        #expect(err?.message == "Max entry size '10' bytes exceeded for stream '{a=\"1\"}' while adding an entry with length '21' bytes")
        #expect(h.lines() == ["fine"])
        h.stop()
    }

    @Test func truncateInsteadOfReject() async throws {
        var limits = Limits()
        limits.maxLineSize = 4
        limits.maxLineSizeTruncate = true
        let h = try Harness(limits: limits)
        #expect(await h.push { b in b.stream(#"{a="1"}"#); b.entry(h.now, "abcdefgh") } == nil)
        #expect(h.lines() == ["abcd"])
        h.stop()
    }

    @Test func exactDuplicatesAreDroppedSilently() async throws {
        let h = try Harness()
        for _ in 0..<3 {
            let err = await h.push { b in
                b.stream(#"{a="1"}"#)
                b.entry(h.now, "same")
                b.entry(h.now, "same")
                b.entry(h.now, "different")
            }
            #expect(err == nil)
        }
        #expect(h.lines() == ["same", "different"])
        h.stop()
    }

    @Test func outOfOrderWindowAndOrderedMode() async throws {
        let h = try Harness()
        let t = h.now
        #expect(await h.push { b in b.stream(#"{a="1"}"#); b.entry(t, "newest") } == nil)
        // Within max_chunk_age/2 (1h) behind the newest: accepted, and sorted on read.
        #expect(await h.push { b in b.stream(#"{a="1"}"#); b.entry(t - 30 * 60 * 1_000_000_000, "older") } == nil)
        let tooFar = t - 61 * 60 * 1_000_000_000
        let err = await h.push { b in b.stream(#"{a="1"}"#); b.entry(tooFar, "ancient"); b.entry(t + 1, "fresh") }
        #expect(err?.kind == .badRequest)
        #expect(err?.message == "entry with timestamp \(GoTime.string(tooFar)) ignored, reason: 'entry too far behind, oldest acceptable timestamp is: \(GoTime.rfc3339(t - 3600 * 1_000_000_000))',\nuser 'fake', total ignored: 1 out of 2 for stream: {a=\"1\"}")
        #expect(h.lines() == ["older", "newest", "fresh"])
        h.stop()

        var ordered = Limits()
        ordered.unorderedWrites = false
        let h2 = try Harness(limits: ordered)
        #expect(await h2.push { b in b.stream(#"{a="1"}"#); b.entry(h2.now, "b") } == nil)
        let e2 = await h2.push { b in b.stream(#"{a="1"}"#); b.entry(h2.now - 1, "a") }
        #expect(e2?.message.contains("reason: 'entry out of order'") == true)
        h2.stop()
    }

    @Test func ingestionRateLimitRejectsWholeRequestWith429() async throws {
        var limits = Limits()
        limits.ingestionRateMB = 1.0 / 1024 // 1 KiB/s
        limits.ingestionBurstSizeMB = 2.0 / 1024 // 2 KiB burst
        let h = try Harness(limits: limits)
        let line = String(repeating: "x", count: 1000)
        #expect(await h.push { b in b.stream(#"{a="1"}"#); b.entry(h.now, line) } == nil)
        #expect(await h.push { b in b.stream(#"{a="1"}"#); b.entry(h.now + 1, line) } == nil)
        let err = await h.push { b in b.stream(#"{a="1"}"#); b.entry(h.now + 2, line) }
        #expect(err?.kind == .limited)
        #expect(err?.message == "Ingestion rate limit exceeded for user fake (limit: 1024 bytes/sec) while attempting to ingest '1' lines totaling '1000' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased")
        h.clock.advance(seconds: 1)
        #expect(await h.push { b in b.stream(#"{a="1"}"#); b.entry(h.now + 3, line) } == nil)
        #expect(h.lines().count == 3)
        h.stop()
    }

    @Test func streamLimitAndPerStreamRate() async throws {
        var limits = Limits()
        limits.maxGlobalStreamsPerUser = 2
        limits.perStreamRateLimit = 1000
        limits.perStreamRateLimitBurst = 1500
        let h = try Harness(limits: limits)
        #expect(await h.push { b in b.stream(#"{s="1"}"#); b.entry(h.now, "a"); b.stream(#"{s="2"}"#); b.entry(h.now, "b") } == nil)
        let err = await h.push { b in b.stream(#"{s="3"}"#); b.entry(h.now, "c"); b.stream(#"{s="1"}"#); b.entry(h.now + 1, "d") }
        #expect(err?.kind == .limited)
        #expect(err?.message == "Maximum active stream limit exceeded, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased")
        #expect(h.lines().sorted() == ["a", "b", "d"])
        let big = String(repeating: "y", count: 1400)
        #expect(await h.push { b in b.stream(#"{s="2"}"#); b.entry(h.now + 2, big) } == nil)
        let err2 = await h.push { b in b.stream(#"{s="2"}"#); b.entry(h.now + 3, big) }
        #expect(err2?.kind == .limited)
        #expect(err2?.message.contains("Per stream rate limit exceeded (limit: 1000B/sec) while attempting to ingest for stream '{s=\"2\"}' totaling 1.37KiB") == true)
        h.stop()
    }
}

@Suite struct DistributorDecodeTests {
    @Test func headersSelectTheDecoder() async throws {
        let h = try Harness(maxRecv: 1 << 20)
        let json = Array(#"{"streams":[{"stream":{"a":"1"},"values":[["1","x"]]}]}"#.utf8)
        #expect(try h.distributor.decode(body: json, contentType: "application/json; charset=utf-8", contentEncoding: nil).entryCount == 1)
        #expect(try h.distributor.decode(body: Deflate.gzip(json), contentType: "application/json", contentEncoding: "gzip").entryCount == 1)
        var b = PushBatchBuilder()
        b.stream(#"{a="1"}"#)
        b.entry(1, "x")
        let proto = Snappy.compress(PushProtobuf.encode(b.batch))
        #expect(try h.distributor.decode(body: proto, contentType: "application/x-protobuf", contentEncoding: nil).entryCount == 1)
        h.stop()
    }

    @Test func badHeadersAndBodiesAreClearErrors() throws {
        let h = try Harness(maxRecv: 1 << 20)
        func err(_ body: [UInt8], _ ct: String?, _ ce: String?) -> PushError? {
            do { _ = try h.distributor.decode(body: body, contentType: ct, contentEncoding: ce); return nil } catch { return error }
        }
        #expect(err([1], nil, nil)?.message.hasPrefix("missing Content-Type header") == true)
        #expect(err([1], "application/json", "br")?.message == "Content-Encoding \"br\" not supported")
        #expect(err(Array("{}".utf8), "application/json", "gzip")?.message.hasPrefix("cannot decompress the push body: gzip") == true)
        #expect(err(Array("plain".utf8), "application/x-protobuf", nil)?.message.contains("must be snappy-compressed protobuf") == true)
        #expect(err([UInt8](repeating: 0, count: 2 << 20), "application/json", nil)?.kind == .tooLarge)
        let bomb = Deflate.gzip([UInt8](repeating: 0x20, count: 32 << 20))
        #expect(err(bomb, "application/json", "gzip")?.kind == .tooLarge)
        let snappyBomb = Snappy.compress([UInt8](repeating: 0, count: 8 << 20))
        #expect(err(snappyBomb, "application/x-protobuf", nil)?.kind == .tooLarge)
        h.stop()
    }
}

import Codecs
