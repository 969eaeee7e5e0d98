import ChunkFormat
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

/// An ingester with tiny chunks over a temporary directory, reopenable on the same data.
struct ChunkHarness {
    let dir: String
    let clock = ManualClock()
    let objects: FlakyStore
    let ingester: Ingester
    let tenant = TenantID.fake

    let indexObjects: FlakyStore
    let index: StoreIndex
    /// What the start-up replay read from the log.
    let replay: ReplayReport

    init(dir: String, retain: Int64 = 0, encoding: ChunkEncoding = .lz4, segmentSize: Int = 64 << 20, indexWriteInterval: Int64 = 0,
         targetSize: Int = 4096, replayMemoryCeiling: Int = 4 << 30, ceilingCheckBytes: Int = 16 << 20,
         blockSize: Int = 1024, memoryBudget: Int = 0, pressureHold: Int64 = 1_000_000_000) throws {
        self.dir = dir
        var config = Ingester.Configuration(wal: .init(directory: dir + "/wal", segmentSize: segmentSize))
        config.blockSize = blockSize
        config.memoryBudget = memoryBudget
        config.pressureHold = pressureHold
        config.targetSize = targetSize
        config.replayMemoryCeiling = replayMemoryCeiling
        config.ceilingCheckBytes = ceilingCheckBytes
        config.encoding = encoding
        config.idlePeriod = 60 * 1_000_000_000
        config.retainPeriod = retain
        config.concurrentFlushes = 2
        config.indexWriteInterval = indexWriteInterval
        objects = try FlakyStore(root: dir + "/chunks")
        indexObjects = try FlakyStore(root: dir + "/index")
        let store = ChunkStore(objects: objects)
        index = try StoreIndex(objects: indexObjects, chunks: store, logger: Logger(label: "test"))
        ingester = Ingester(configuration: config, store: store, index: index, overrides: Overrides(defaults: Limits()),
                            clock: clock, logger: Logger(label: "test"))
        replay = try ingester.replay()
        try ingester.start(after: replay)
    }

    /// Pushes `count` distinct lines (`prefix-i`) to one stream, `perBatch` per push.
    func push(_ prefix: String, count: Int, perBatch: Int = 50, stream: String = #"{app="chunky"}"#) async throws {
        for start in stride(from: 0, to: count, by: perBatch) {
            var b = PushBatchBuilder()
            b.stream(stream)
            for i in start..<min(start + perBatch, count) {
                // Hash-derived filler so lines do not compress to nothing and chunks fill up.
                var z = UInt64(i) &* 0x9E37_79B9_7F4A_7C15
                let filler = (0..<5).map { _ in z = z &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return String(z, radix: 36) }.joined()
                b.entry(clock.now() + Int64(i), "\(prefix)-\(i) " + filler)
            }
            let labels = try b.batch.streams.map { try LabelParser.parse($0.labels) }
            _ = try await ingester.push(tenant: tenant, batch: b.batch, labelSets: labels)
        }
    }

    func lines(limit: Int = 100_000, direction: Direction = .forward, selector: String? = nil) -> (lines: [String], warnings: [String]) {
        let matchers = selector.map { try! SelectorParser.parse($0) } ?? []
        let s = Querier(ingester: ingester).select(tenant: tenant, HeadQuery(matchers: matchers, start: .min / 2, end: .max / 2, limit: limit, direction: direction))
        return (s.streams.flatMap { $0.entries.map { String(String(decoding: $0.line, as: UTF8.self).split(separator: " ")[0]) } }, s.warnings)
    }

    /// Closes and flushes every chunk, then drops the flushed ones from memory (retain 0), so
    /// queries read them from the store. Returns whether the flushes finished in time.
    func flushToStore() -> Bool {
        ingester.sweep(force: true)
        let done = ingester.waitForFlushes(timeout: 10)
        ingester.sweep()
        return done
    }

    var chunkFiles: [String] { (try? objects.list(tenant.value)) ?? [] }

    /// Flips a byte inside the first block of the first chunk file (by name); returns that block's
    /// entry count, the lines a query must now skip.
    func corruptFirstBlock() throws -> Int {
        let key = try #require(chunkFiles.sorted().first)
        var bytes = try objects.get(key)
        let r = try ChunkReader(bytes)
        bytes[r.blocks[0].offset + 2] ^= 0xFF
        try objects.inner.put(key, bytes)
        return r.blocks[0].entries
    }

    var segmentFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/wal")) ?? []).filter { SegmentName.index($0) != nil }
    }
}

@Suite struct ChunkingTests {
    @Test func fullChunksAreFlushedAndQueriesSeeEveryLineOnce() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        try await h.push("a", count: 2000)
        #expect(h.ingester.waitForFlushes(timeout: 10))
        #expect(h.chunkFiles.count >= 10, "2000 lines of ~50 bytes in 4 KiB chunks should make many chunks, got \(h.chunkFiles.count)")
        h.ingester.sweep() // retain 0: flushed chunks leave memory
        let mem = h.ingester.memoryStats().first!
        #expect(mem.chunks <= 1, "only the open chunk should remain in memory, found \(mem.chunks)")
        let got = h.lines()
        #expect(got.lines == (0..<2000).map { "a-\($0)" })
        #expect(got.warnings.isEmpty)
        let back = h.lines(limit: 7, direction: .backward).lines
        #expect(back == (1993..<2000).reversed().map { "a-\($0)" })
        h.ingester.stop()
    }

    @Test(arguments: ChunkEncoding.allCases)
    func everyEncodingRoundTripsThroughTheStore(_ encoding: ChunkEncoding) async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path, encoding: encoding)
        try await h.push("e", count: 600)
        #expect(h.flushToStore())
        #expect(h.ingester.memoryStats().first!.chunks == 0)
        #expect(h.lines().lines == (0..<600).map { "e-\($0)" })
        h.ingester.stop()
    }

    /// Every matcher kind selects the same streams from memory (head index) and from the store (tables).
    @Test func matchersSelectTheSameStreamsInMemoryAndInTheStore() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        for (app, env) in [("api", "prod"), ("api", "dev"), ("web", "prod"), ("db", "")] {
            let stream = env.isEmpty ? #"{app="\#(app)"}"# : #"{app="\#(app)", env="\#(env)"}"#
            try await h.push("\(app)_\(env.isEmpty ? "none" : env)", count: 30, stream: stream)
        }
        let cases: [(String, Set<String>)] = [
            (#"{app="api"}"#, ["api_prod", "api_dev"]),
            (#"{app=~"api|web", env="prod"}"#, ["api_prod", "web_prod"]),
            (#"{app=~".+", env!="prod"}"#, ["api_dev", "db_none"]),
            (#"{app!~"a.*", app=~".+"}"#, ["web_prod", "db_none"]),
            (#"{env=~"d.*"}"#, ["api_dev"]),
            (#"{app="api", env=""}"#, []),
            (#"{app="nope"}"#, []),
        ]
        func streams(_ selector: String) -> Set<String> {
            Set(h.lines(selector: selector).lines.map { String($0.split(separator: "-")[0]) })
        }
        for (selector, expected) in cases { #expect(streams(selector) == expected, "memory: \(selector)") }
        h.ingester.sweep(force: true)
        #expect(h.ingester.waitForFlushes(timeout: 10))
        h.ingester.writeIndex()
        h.ingester.sweep()
        #expect(h.ingester.memoryStats().first!.chunks == 0)
        // (One table, or two when a flush finished between the index write and the sweep under a
        // loaded machine; what matters is that the store answers as memory did.)
        #expect((1...2).contains(h.index.tableStats().tables))
        for (selector, expected) in cases { #expect(streams(selector) == expected, "store: \(selector)") }
        h.ingester.stop()
    }

    @Test func restartReplaysOnlyWhatIsNotFlushedAndDuplicatesNothing() async throws {
        let dir = TestDirectory()
        do {
            let h = try ChunkHarness(dir: dir.path)
            try await h.push("r", count: 1500)
            #expect(h.ingester.waitForFlushes(timeout: 10))
            #expect(!h.chunkFiles.isEmpty)
            h.ingester.stop() // the open chunk is not flushed: it must come back from the log
        }
        let h2 = try ChunkHarness(dir: dir.path)
        #expect(h2.lines().lines == (0..<1500).map { "r-\($0)" })
        try await h2.push("s", count: 100)
        #expect(h2.lines().lines.count == 1600)
        h2.ingester.stop()
    }

    /// Under steady load the log does not grow without bound: segments whose records are all in
    /// flushed chunks are deleted, and a restart still finds every line exactly once.
    @Test func walStaysBoundedUnderSteadyLoad() async throws {
        let dir = TestDirectory()
        do {
            let h = try ChunkHarness(dir: dir.path, segmentSize: 32 * 1024)
            var most = 0
            for round in 0..<20 {
                try await h.push("w\(round)", count: 300)
                #expect(h.ingester.waitForFlushes(timeout: 10))
                h.ingester.sweep()
                most = max(most, h.segmentFiles.count)
            }
            // 6000 lines of ~60 bytes is ~360 KiB of log: about a dozen 32 KiB segments if none were deleted.
            #expect(most <= 5, "the log kept \(most) segments")
            #expect(h.ingester.walStats!.segmentsDeleted >= 8)
            h.ingester.stop()
        }
        let h2 = try ChunkHarness(dir: dir.path, segmentSize: 32 * 1024)
        let expected = (0..<20).flatMap { r in (0..<300).map { "w\(r)-\($0)" } }
        #expect(h2.lines().lines.sorted() == expected.sorted())
        #expect(h2.lines().lines.count == 6000)
        h2.ingester.stop()
    }

    @Test func flushFailuresRetryAndLoseNothing() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        h.objects.failing.store(true, ordering: .relaxed)
        try await h.push("f", count: 800)
        #expect(h.ingester.flushBacklog > 0)
        #expect(h.chunkFiles.isEmpty)
        #expect(h.lines().lines == (0..<800).map { "f-\($0)" }, "unflushed chunks stay queryable in memory")
        h.objects.failing.store(false, ordering: .relaxed)
        h.clock.advance(seconds: 60) // past the backoff
        #expect(h.ingester.waitForFlushes(timeout: 20))
        #expect(!h.chunkFiles.isEmpty)
        #expect(h.lines().lines == (0..<800).map { "f-\($0)" })
        h.ingester.stop()
    }

    @Test func idleChunksCloseOnTheSweep() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        try await h.push("i", count: 10)
        h.ingester.sweep()
        #expect(h.chunkFiles.isEmpty, "not idle yet")
        h.clock.advance(seconds: 61)
        h.ingester.sweep()
        #expect(h.ingester.waitForFlushes(timeout: 10))
        #expect(h.chunkFiles.count == 1)
        h.ingester.sweep()
        #expect(h.ingester.memoryStats().first!.streams == 0, "an idle stream with everything flushed is forgotten")
        #expect(h.lines().lines == (0..<10).map { "i-\($0)" })
        h.ingester.stop()
    }

    @Test func retainedChunksAreNotReadTwice() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path, retain: 3600 * 1_000_000_000)
        try await h.push("k", count: 500)
        h.ingester.sweep(force: true)
        #expect(h.ingester.waitForFlushes(timeout: 10))
        #expect(h.ingester.memoryStats().first!.chunks > 0, "flushed chunks are retained")
        #expect(h.lines().lines == (0..<500).map { "k-\($0)" })
        h.ingester.stop()
    }

    @Test func aCorruptStoredBlockIsSkippedAndReported() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path)
        try await h.push("c", count: 400)
        #expect(h.flushToStore())
        let skipped = try h.corruptFirstBlock()
        let got = h.lines()
        #expect(got.lines.count == 400 - skipped)
        #expect(got.warnings.count == 1 && got.warnings[0].contains("block 0"))
        h.ingester.stop()
    }
}
