import ChunkFormat
import Compactor
import Foundation
import IndexFormat
import Logging
import LogModel
import Storage
import Synchronization
import Testing
import TestSupport
import WriteAheadLog

/// A volume (chunks + index) written by the store, several tables per period, and a compactor over it.
final class CompactorHarness: @unchecked Sendable {
    let dir: TestDirectory
    let chunkObjects: FlakyStore
    let indexObjects: FlakyStore
    let store: ChunkStore
    let index: StoreIndex
    var limits = Limits()
    static let hour: Int64 = 3600 * 1_000_000_000
    static let day = 24 * hour
    let t0: Int64 = 1_700_000_000 * 1_000_000_000 / (24 * 3600 * 1_000_000_000) * (24 * 3600 * 1_000_000_000)

    init(dir: TestDirectory = TestDirectory(), grace: Double = 0) throws {
        self.dir = dir
        chunkObjects = try FlakyStore(root: dir.path + "/chunks")
        indexObjects = try FlakyStore(root: dir.path + "/index")
        store = ChunkStore(objects: chunkObjects)
        var c = StoreIndex.Configuration()
        c.retiredTableGrace = grace
        index = try StoreIndex(objects: indexObjects, chunks: store, configuration: c, logger: Logger(label: "test"))
    }

    func reopen() throws -> CompactorHarness { try CompactorHarness(dir: dir) }

    func compactor(retention: Bool = false, delay: Int64 = 2 * hour) -> Compactor {
        var c = Compactor.Configuration(workingDirectory: dir.path + "/compactor")
        c.retentionEnabled = retention
        c.deleteDelay = delay
        let l = limits
        return Compactor(configuration: c, index: index, chunks: store, limits: { _ in l }, replayFloor: { 0 }, logger: Logger(label: "test"))
    }

    /// A chunk of three lines at `t`, indexed; `write` makes it a table of its own at once.
    @discardableResult
    func chunk(_ labels: String, at t: Int64, tenant: String = "fake", write: Bool = true) throws -> ChunkRef {
        var w = BlockWriter()
        for i in 0..<3 { w.append(LogEntry(timestamp: t + Int64(i), line: Array("\(labels) \(t) \(i)".utf8))) }
        let set = try LabelParser.parse(labels)
        let header = ChunkHeader(encoding: .lz4, tenant: tenant, labels: set.canonical, minLSN: 1, maxLSN: 2, minTime: t, maxTime: t + 2)
        let ref = try store.put(header: header, blocks: [ChunkBlock(sealing: w, encoding: .lz4)])
        index.add(ref, labels: set)
        if write { try index.writePending() }
        return ref
    }

    func keys(_ selector: String = #"{app=~".+"}"#, tenant: String = "fake") throws -> [String] {
        index.series(tenant: tenant, start: .min / 2, end: .max / 2, matchers: try SelectorParser.parse(selector)).series.flatMap { $0.refs.map(\.key) }.sorted()
    }

    func exists(_ ref: ChunkRef) -> Bool { (try? chunkObjects.size(ref.key)) != nil }
    func markers() -> [String] { DurableFile.list(dir.path + "/compactor/retention").sorted() }
}

/// What the compactor's marker files hold, read as the compactor writes them (one key a line).
enum RetentionMarkersProbe {
    static func keys(_ h: CompactorHarness) throws -> [String] {
        let dir = h.dir.path + "/compactor/retention"
        return try h.markers().flatMap { name in
            String(decoding: try DurableFile.read(dir + "/" + name), as: UTF8.self).split(separator: "\n").map(String.init)
        }.sorted()
    }
}

struct CompactorTests {
    @Test func eachPeriodBecomesOneTablePerTenantAndNothingIsLost() throws {
        let h = try CompactorHarness()
        var fake: [String] = [], other: [String] = []
        for d in 0..<3 {
            for i in 0..<4 {
                fake.append(try h.chunk(#"{app="api", n="\#(i)"}"#, at: h.t0 + Int64(d) * CompactorHarness.day + Int64(i) * 1000).key)
                other.append(try h.chunk(#"{app="db"}"#, at: h.t0 + Int64(d) * CompactorHarness.day + Int64(i) * 1000, tenant: "other").key)
            }
        }
        #expect(h.index.tableStats().tables == 24)
        let r = try h.compactor().run(now: h.t0 + 3 * CompactorHarness.day)
        #expect(r.groups == 6 && r.tablesBefore == 24 && r.tablesAfter == 6 && r.expired == 0 && r.missing == 0)
        #expect(h.index.tableStats().tables == 6)
        #expect(try h.keys() == fake.sorted())
        #expect(try h.keys(tenant: "other") == other.sorted())
        // Again: nothing to do.
        #expect(try h.compactor().run(now: h.t0 + 3 * CompactorHarness.day).groups == 0)
        // A restarted server reads the same.
        let again = try h.reopen()
        #expect(try again.keys() == fake.sorted())
        #expect(again.index.report.removedFiles == 0)
    }

    @Test func referencesToVanishedChunkFilesAreDropped() throws {
        let h = try CompactorHarness()
        let a = try h.chunk(#"{app="api"}"#, at: h.t0)
        let b = try h.chunk(#"{app="api"}"#, at: h.t0 + 10)
        try h.chunkObjects.delete(b.key)
        let r = try h.compactor().run(now: h.t0)
        #expect(r.missing == 1)
        #expect(try h.keys() == [a.key])
    }

    @Test func retentionMarksThenDeletesAfterTheDelay() throws {
        let h = try CompactorHarness()
        h.limits.retentionPeriod = 7 * CompactorHarness.day
        let old = try h.chunk(#"{app="api"}"#, at: h.t0)
        let young = try h.chunk(#"{app="api"}"#, at: h.t0 + 6 * CompactorHarness.day)
        let now = h.t0 + 8 * CompactorHarness.day
        // Without retention_enabled nothing expires.
        #expect(try h.compactor().run(now: now).expired == 0)
        #expect(try h.keys() == [old.key, young.key].sorted())
        let c = h.compactor(retention: true, delay: CompactorHarness.hour)
        let r = try c.run(now: now)
        #expect(r.expired == 1 && r.deletedChunks == 0)
        #expect(try h.keys() == [young.key])
        #expect(h.exists(old)) // still on disk: a query that read the old index may open it
        #expect(h.markers().count == 1)
        // Before the delay: kept. After: deleted, marker gone.
        #expect(try c.run(now: now + CompactorHarness.hour - 1).deletedChunks == 0 && h.exists(old))
        let later = try c.run(now: now + CompactorHarness.hour)
        #expect(later.deletedChunks == 1 && later.deletedBytes == old.size)
        #expect(!h.exists(old) && h.exists(young))
        #expect(h.markers().isEmpty)
    }

    /// Chunk files no index lists (a crash between writing a chunk and the index, a torn file) are
    /// marked once and deleted after the delete delay; pending chunks, listed ones, files not named
    /// like chunks, and a file listed again before its turn are kept.
    @Test func orphanChunkFilesAreMarkedThenDeletedAfterTheDelay() throws {
        let h = try CompactorHarness()
        let listed = try h.chunk(#"{app="api"}"#, at: h.t0)
        let pending = try h.chunk(#"{app="api"}"#, at: h.t0 + 100, write: false)
        // Written, never indexed: what a crash between the chunk and its table leaves.
        var w = BlockWriter()
        w.append(LogEntry(timestamp: h.t0 + 200, line: Array("lost".utf8)))
        let orphan = try h.store.put(header: ChunkHeader(encoding: .lz4, tenant: "fake", labels: #"{app="api"}"#, minLSN: 1, maxLSN: 1, minTime: h.t0 + 200, maxTime: h.t0 + 200),
                                     blocks: [ChunkBlock(sealing: w, encoding: .lz4)])
        let relisted = try h.store.put(header: ChunkHeader(encoding: .lz4, tenant: "other", labels: #"{app="db"}"#, minLSN: 1, maxLSN: 1, minTime: h.t0 + 200, maxTime: h.t0 + 200),
                                       blocks: [ChunkBlock(sealing: w, encoding: .lz4)])
        let torn = "fake/" + String(repeating: "a", count: 16) + "-" + String(repeating: "0", count: 16) + "-" + String(repeating: "1", count: 16) + "-0badf00d"
        try h.chunkObjects.put(torn, Array("torn".utf8))
        try h.chunkObjects.put("fake/notes.txt", Array("not a chunk".utf8))
        let c = h.compactor(delay: CompactorHarness.hour)
        let first = try c.run(now: h.t0)
        #expect(first.orphans == 3 && first.deletedChunks == 0)
        #expect(try RetentionMarkersProbe.keys(h) == [orphan.key, relisted.key, torn].sorted())
        // Already marked: not marked again.
        #expect(try c.run(now: h.t0 + 1).orphans == 0)
        // The same chunk written and indexed again before its turn (a replay after a crash).
        h.index.add(relisted, labels: try LabelParser.parse(#"{app="db"}"#))
        try h.index.writePending()
        #expect(try c.run(now: h.t0 + CompactorHarness.hour - 1).deletedChunks == 0 && h.exists(orphan))
        let later = try c.run(now: h.t0 + CompactorHarness.hour)
        #expect(later.deletedChunks == 2 && later.orphans == 0)
        #expect(!h.exists(orphan) && (try? h.chunkObjects.size(torn)) == nil)
        #expect(h.exists(listed) && h.exists(pending) && h.exists(relisted))
        #expect((try? h.chunkObjects.size("fake/notes.txt")) != nil)
        #expect(h.markers().isEmpty)
        #expect(try h.keys() == [listed.key, pending.key].sorted())
    }

    @Test func chunkKeysAreRecognisedByTheirShape() throws {
        let h = try CompactorHarness()
        let ref = try h.chunk(#"{app="api"}"#, at: h.t0)
        let parsed = try #require(ChunkRef.id(ofKey: ref.key))
        #expect(parsed.tenant == "fake" && parsed.id == ChunkID(stream: StreamHash.fnv64(#"{app="api"}"#), minTime: h.t0, maxTime: h.t0 + 2, checksum: ref.checksum))
        for bad in ["", "fake", "fake/", "/0000000000000000-0000000000000000-0000000000000000-00000000",
                    "fake/0000000000000000-0000000000000000-0000000000000000-0000000", "fake/000000000000000g-0000000000000000-0000000000000000-00000000",
                    "a/b/0000000000000000-0000000000000000-0000000000000000-00000000", "fake/0000000000000000_0000000000000000-0000000000000000-00000000", "fake/0000000000000000-0000000000000000-0000000000000000-00000000.tmp"] {
            #expect(ChunkRef.id(ofKey: bad) == nil, "\(bad)")
        }
    }

    @Test func retentionStreamRulesDecidePerStream() throws {
        let h = try CompactorHarness()
        h.limits.retentionPeriod = 30 * CompactorHarness.day
        h.limits.retentionStreams = [
            RetentionStream(selector: #"{env="dev"}"#, matchers: try SelectorParser.parse(#"{env="dev"}"#), priority: 1, period: CompactorHarness.day),
        ]
        let dev = try h.chunk(#"{app="api", env="dev"}"#, at: h.t0)
        let prod = try h.chunk(#"{app="api", env="prod"}"#, at: h.t0)
        let r = try h.compactor(retention: true).run(now: h.t0 + 2 * CompactorHarness.day)
        #expect(r.expired == 1)
        #expect(try h.keys() == [prod.key])
        #expect(dev.key != prod.key)
    }

    /// A crash part-way (here: writes fail after the first new table) leaves the old manifest and
    /// every chunk readable; the next run finishes the job.
    @Test func aCrashMidCompactionLeavesTheOldIndexValid() throws {
        let h = try CompactorHarness()
        var keys: [String] = []
        for i in 0..<6 { keys.append(try h.chunk(#"{app="api", n="\#(i % 2)"}"#, at: h.t0 + Int64(i) * 1000).key) }
        h.indexObjects.failAfter.store(1, ordering: .relaxed)
        #expect(throws: (any Error).self) { try h.compactor().run(now: h.t0) }
        #expect(try h.keys() == keys.sorted())
        let again = try h.reopen()
        #expect(try again.keys() == keys.sorted())
        let r = try again.compactor().run(now: h.t0)
        #expect(r.tablesAfter == 1)
        #expect(try again.keys() == keys.sorted())
    }

    /// Queries running while the compactor rewrites the tables never miss a chunk (retired tables
    /// stay readable for their grace period).
    @Test func queriesDuringCompactionSeeEveryChunk() throws {
        let h = try CompactorHarness(grace: 300)
        var keys: [String] = []
        for i in 0..<40 { keys.append(try h.chunk(#"{app="api", n="\#(i % 5)"}"#, at: h.t0 + Int64(i) * 1000).key) }
        let expected = keys.sorted()
        let stop = Atomic<Bool>(false)
        let wrong = Atomic<Int>(0)
        let queries = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            while !stop.load(ordering: .relaxed) {
                if (try? h.keys(#"{app="api"}"#)) != expected { wrong.add(1, ordering: .relaxed) }
                queries.add(1, ordering: .relaxed)
            }
            done.signal()
        }.start()
        for round in 0..<10 {
            for i in 0..<3 { keys.append(try h.chunk(#"{app="web"}"#, at: h.t0 + Int64(round * 10 + i), write: true).key) }
            _ = try h.compactor().run(now: h.t0)
        }
        stop.store(true, ordering: .relaxed)
        done.wait()
        #expect(wrong.load(ordering: .relaxed) == 0)
        #expect(queries.load(ordering: .relaxed) > 0)
        #expect(try h.keys(#"{app="api"}"#) == expected)
    }

    /// Chunks retention removed stay covered for replay — across a restart, for a tenant with
    /// nothing else left — until the replay floor passes them.
    @Test func removedChunksStayCoveredForReplayUntilTheFloorPassesThem() throws {
        let h = try CompactorHarness()
        h.limits.retentionPeriod = CompactorHarness.day
        let old = try h.chunk(#"{app="api"}"#, at: h.t0, tenant: "gone")
        #expect(try h.compactor(retention: true).run(now: h.t0 + 3 * CompactorHarness.day).expired == 1)
        let again = try h.reopen()
        #expect(again.index.tenantIDs == ["gone"])
        #expect(try again.index.flushedLSNRanges(tenant: "gone", from: 0) == [#"{app="api"}"#: [old.header.minLSN...old.header.maxLSN]])
        // Once the log no longer reaches back to them, they are forgotten.
        var c = Compactor.Configuration(workingDirectory: h.dir.path + "/compactor")
        c.retentionEnabled = true
        let l = h.limits
        _ = try Compactor(configuration: c, index: again.index, chunks: again.store, limits: { _ in l }, replayFloor: { old.header.maxLSN + 1 },
                          logger: Logger(label: "test")).run(now: h.t0 + 3 * CompactorHarness.day)
        #expect(try again.index.flushedLSNRanges(tenant: "gone", from: 0).isEmpty)
        #expect(try again.reopen().index.flushedLSNRanges(tenant: "gone", from: 0).isEmpty)
    }

    /// A due request rewrites the chunks it touches (filter-and-delete) and is marked processed;
    /// in filter-only mode, or within its cancel period, the chunk files stay as they are.
    @Test func deleteRequestsRewriteChunksOnlyWhenDueAndAllowed() throws {
        let h = try CompactorHarness()
        let ref = try h.chunk(#"{app="api"}"#, at: h.t0) // lines "{app="api"} <t0> 0..2"
        let other = try h.chunk(#"{app="web"}"#, at: h.t0)
        let store = try DeleteRequestStore(directory: h.dir.path + "/compactor")
        try store.add(DeleteRequest(requestID: "00000001", tenant: "fake", query: #"{app="api"} |~ " 1$""#, start: h.t0, end: h.t0 + 10, createdAt: h.t0))
        func compactor(_ mode: Limits.DeletionMode) -> Compactor {
            var c = Compactor.Configuration(workingDirectory: h.dir.path + "/compactor")
            c.deleteDelay = 0
            c.deleteRequestCancelPeriod = 100
            var limits = Limits()
            limits.deletionMode = mode
            let l = limits
            return Compactor(configuration: c, index: h.index, chunks: h.store, limits: { _ in l }, replayFloor: { 0 }, deletes: store, logger: Logger(label: "test"))
        }
        #expect(try compactor(.filterAndDelete).run(now: h.t0 + 99).deleteRequestsProcessed == 0) // still cancellable
        #expect(try compactor(.filterOnly).run(now: h.t0 + 100).deleteRequestsProcessed == 0)
        #expect(h.exists(ref) && store.all[0].status == .received)
        let r = try compactor(.filterAndDelete).run(now: h.t0 + 100)
        #expect(r.deleteRequestsProcessed == 1 && r.linesDeleted == 1)
        #expect(store.all[0].status == .processed)
        #expect(!h.exists(ref) && h.exists(other))
        let keys = try h.keys(#"{app="api"}"#)
        #expect(keys.count == 1 && keys[0] != ref.key)
        let series = h.index.series(tenant: "fake", start: .min / 2, end: .max / 2, matchers: try SelectorParser.parse(#"{app="api"}"#)).series
        let rewritten = try #require(series.first?.refs.first)
        #expect(rewritten.header.minLSN == ref.header.minLSN && rewritten.header.maxLSN == ref.header.maxLSN)
        let lines = try h.store.open(rewritten).entries(ofBlock: 0).map { String(decoding: $0.line, as: UTF8.self) }
        #expect(lines == [#"{app="api"} \#(h.t0) 0"#, #"{app="api"} \#(h.t0) 2"#])
    }
}
