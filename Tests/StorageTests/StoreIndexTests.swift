import ChunkFormat
import Foundation
import IndexFormat
import LogModel
import Logging
import Storage
import Testing
import TestSupport

/// A chunk store and an index over one temporary directory, reopenable like a restarted server.
struct IndexHarness {
    let dir: TestDirectory
    let chunkObjects: FlakyStore
    let indexObjects: FlakyStore
    let store: ChunkStore
    let index: StoreIndex
    static let hour: Int64 = 3600 * 1_000_000_000

    init(dir: TestDirectory = TestDirectory(), configuration: StoreIndex.Configuration = .init()) throws {
        self.dir = dir
        chunkObjects = try FlakyStore(root: dir.path + "/chunks")
        indexObjects = try FlakyStore(root: dir.path + "/index")
        store = ChunkStore(objects: chunkObjects)
        index = try StoreIndex(objects: indexObjects, chunks: store, configuration: configuration, logger: Logger(label: "test"))
    }

    func reopen(configuration: StoreIndex.Configuration = .init()) throws -> IndexHarness {
        try IndexHarness(dir: dir, configuration: configuration)
    }

    static func labels(_ s: String) -> LabelSet { try! LabelParser.parse(s) }

    /// Writes a real chunk file of `lines` entries from `minTime` and records it in the index.
    @discardableResult
    func chunk(_ labels: String, minTime: Int64, lsn: UInt64, lines: Int = 3, tenant: String = "fake") throws -> ChunkRef {
        var w = BlockWriter()
        for i in 0..<lines { w.append(LogEntry(timestamp: minTime + Int64(i), line: Array("line \(i) of \(labels)".utf8))) }
        let header = ChunkHeader(encoding: .lz4, tenant: tenant, labels: Self.labels(labels).canonical, minLSN: lsn, maxLSN: lsn + 2,
                                 minTime: minTime, maxTime: minTime + Int64(lines - 1))
        let ref = try store.put(header: header, blocks: [ChunkBlock(sealing: w, encoding: .lz4)])
        index.add(ref, labels: Self.labels(labels))
        return ref
    }

    func keys(_ selector: String, tenant: String = "fake", start: Int64 = .min / 2, end: Int64 = .max / 2) throws -> [String] {
        let r = index.series(tenant: tenant, start: start, end: end, matchers: try SelectorParser.parse(selector))
        return r.series.flatMap { $0.refs.map(\.key) }.sorted()
    }

    func files(_ sub: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir.path + "/" + sub) else { return [] }
        return e.compactMap { $0 as? String }.filter { !$0.hasSuffix("/") && FileManager.default.fileExists(atPath: dir.path + "/" + sub + "/" + $0) && !isDir(sub + "/" + $0) }.sorted()
    }

    func isDir(_ p: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: dir.path + "/" + p, isDirectory: &d) && d.boolValue
    }
}

@Suite struct StoreIndexTests {
    @Test func pendingChunksAreFoundThenWrittenAndSurviveReopen() throws {
        let h = try IndexHarness()
        let a = try h.chunk(#"{app="api", env="prod"}"#, minTime: 1_000, lsn: 1)
        let b = try h.chunk(#"{app="web", env="prod"}"#, minTime: 2_000, lsn: 5)
        let c = try h.chunk(#"{app="api", env="dev"}"#, minTime: 3_000, lsn: 9)
        #expect(try h.keys(#"{env="prod"}"#) == [a.key, b.key].sorted())
        #expect(h.index.pendingChunks == 3 && h.index.lowestPendingLSN == 1)

        try h.index.writePending()
        #expect(h.index.pendingChunks == 0 && h.index.lowestPendingLSN == .max)
        #expect(try h.keys(#"{env="prod"}"#) == [a.key, b.key].sorted())
        #expect(h.files("index") == ["MANIFEST-0000000000000001", "index_0/fake/0000000000000001-0.skix"])

        let again = try h.reopen()
        #expect(again.index.report.tables == 1 && again.index.report.rebuiltChunks == 0)
        #expect(try again.keys(#"{app=~"api|web", env!="dev"}"#) == [a.key, b.key].sorted())
        #expect(try again.keys(#"{app="api", env!~"p.*"}"#) == [c.key])
        #expect(try again.keys(#"{app="nope"}"#) == [])
        // Time pruning: only chunks overlapping [start, end).
        #expect(try again.keys(#"{env=~".+"}"#, start: 2_001, end: 3_001) == [b.key, c.key].sorted())
        let refs = again.index.series(tenant: "fake", start: 0, end: 10_000, matchers: [.equal("app", "api")]).series.flatMap(\.refs)
        #expect(refs.contains(a) && refs.contains(c))
        #expect(again.index.totals().first { $0.tenant == "fake" }?.chunks == 3)
    }

    /// Chunk files (content and names) are made durable in one batch, before the table that lists
    /// them, never after; when that fails, no table is written and the chunks stay pending (their
    /// log records stay).
    @Test func chunksAreSyncedBeforeTheirTable() throws {
        let h = try IndexHarness()
        _ = try h.chunk(#"{app="api"}"#, minTime: 1_000, lsn: 1)
        _ = try h.chunk(#"{app="web"}"#, minTime: 2_000, lsn: 4)
        #expect(h.chunkObjects.unsynced.load(ordering: .relaxed) == 2)
        h.chunkObjects.failing.store(true, ordering: .relaxed)
        #expect(throws: (any Error).self) { try h.index.writePending() }
        #expect(h.index.pendingChunks == 2 && h.files("index").isEmpty)
        h.chunkObjects.failing.store(false, ordering: .relaxed)
        try h.index.writePending()
        #expect(h.chunkObjects.unsynced.load(ordering: .relaxed) == 0)
        #expect(h.index.pendingChunks == 0)
    }

    @Test func tenantsAreSeparate() throws {
        let h = try IndexHarness()
        let a = try h.chunk(#"{app="api"}"#, minTime: 1_000, lsn: 1, tenant: "team-a")
        let b = try h.chunk(#"{app="api"}"#, minTime: 1_000, lsn: 2, tenant: "team-b")
        try h.index.writePending()
        #expect(try h.keys(#"{app="api"}"#, tenant: "team-a") == [a.key])
        #expect(try h.keys(#"{app="api"}"#, tenant: "team-b") == [b.key])
        #expect(try h.keys(#"{app="api"}"#, tenant: "fake") == [])
    }

    /// Schema periods name the tables; a query spanning two periods reads both.
    @Test func schemaPeriodsNameTablesAndQueriesSpanThem() throws {
        var config = StoreIndex.Configuration()
        let day = SchemaPeriods.day
        config.schema = SchemaPeriods([.init(from: 0, prefix: "index_", period: day), .init(from: 10 * day, prefix: "v2_", period: 7 * day)])
        let h = try IndexHarness(configuration: config)
        let old = try h.chunk(#"{app="api"}"#, minTime: 9 * day + 5, lsn: 1)
        let new = try h.chunk(#"{app="api"}"#, minTime: 15 * day, lsn: 4)
        try h.index.writePending()
        #expect(h.files("index").filter { $0.hasSuffix(".skix") } == ["index_9/fake/0000000000000001-0.skix", "v2_2/fake/0000000000000001-1.skix"])
        let again = try h.reopen(configuration: config)
        #expect(try again.keys(#"{app="api"}"#, start: 9 * day, end: 16 * day) == [old.key, new.key].sorted())
        #expect(try again.keys(#"{app="api"}"#, start: 12 * day, end: 16 * day) == [new.key])
    }

    @Test func manyWritesMergeTablesAndLoseNothing() throws {
        var config = StoreIndex.Configuration()
        config.maxTablesPerPeriod = 3
        config.mergeWidth = 2
        config.retiredTableGrace = 0
        let h = try IndexHarness(configuration: config)
        var keys: [String] = []
        for i in 0..<20 {
            keys.append(try h.chunk(#"{app="api", n="\#(i % 4)"}"#, minTime: Int64(i) * 1_000, lsn: UInt64(i * 3 + 1)).key)
            try h.index.writePending()
            #expect(h.index.tableStats().tables <= 3)
        }
        #expect(try h.keys(#"{app="api"}"#) == keys.sorted())
        let again = try h.reopen(configuration: config)
        #expect(try again.keys(#"{app="api"}"#) == keys.sorted())
        #expect(again.index.report.removedFiles == 0)
        #expect(h.files("index").filter { $0.hasSuffix(".skix") }.count == again.index.tableStats().tables)
        #expect(h.files("index").filter { $0.hasPrefix("MANIFEST-") }.count == 1)
    }

    /// Opened tables are kept within a byte budget, least recently used dropped first; answers stay complete.
    @Test func openedTablesStayWithinTheirBudget() throws {
        var config = StoreIndex.Configuration()
        let day = SchemaPeriods.day
        config.openTableBytes = 1  // at most one table stays open
        let h = try IndexHarness(configuration: config)
        var keys: [String] = []
        for d in 0..<5 {
            keys.append(try h.chunk(#"{app="api"}"#, minTime: Int64(d) * day, lsn: UInt64(d * 3 + 1)).key)
        }
        try h.index.writePending()
        #expect(h.index.tableStats().tables == 5)
        #expect(h.index.openTables().count == 0, "written tables are opened by the first query that reads them, not kept")
        #expect(try h.keys(#"{app="api"}"#) == keys.sorted())
        #expect(h.index.openTables().count == 1)
        let again = try h.reopen()
        #expect(try again.keys(#"{app="api"}"#) == keys.sorted())
        #expect(again.index.openTables().count == 5, "the default budget keeps all five")
    }

    /// A crash between writing tables and switching the manifest leaves unlisted files: removed on open.
    @Test func unlistedFilesAreRemovedOnOpen() throws {
        let h = try IndexHarness()
        let a = try h.chunk(#"{app="api"}"#, minTime: 1_000, lsn: 1)
        try h.index.writePending()
        try h.indexObjects.put("index_0/fake/00000000000000ff-0.skix", [1, 2, 3])
        try h.indexObjects.put("MANIFEST-0000000000000000", [9])
        let again = try h.reopen()
        #expect(again.index.report.removedFiles == 2)
        #expect(h.files("index") == ["MANIFEST-0000000000000001", "index_0/fake/0000000000000001-0.skix"])
        #expect(try again.keys(#"{app="api"}"#) == [a.key])
    }

    /// A volume written before the index existed (or one whose index was lost) is indexed from chunk headers.
    @Test func missingIndexIsRebuiltFromChunkHeaders() throws {
        let h = try IndexHarness()
        let a = try h.chunk(#"{app="api"}"#, minTime: 1_000, lsn: 1)
        let b = try h.chunk(#"{app="web"}"#, minTime: 2_000, lsn: 4, tenant: "other")
        // Never written: a reopen finds no manifest and chunk files on the volume.
        let again = try h.reopen()
        #expect(again.index.report.rebuiltChunks == 2)
        #expect(try again.keys(#"{app="api"}"#) == [a.key])
        #expect(try again.keys(#"{app="web"}"#, tenant: "other") == [b.key])
        #expect(again.index.pendingChunks == 0)
    }

    /// Chunk files are synced only before their table is written, so a crash can leave one written
    /// since the last table torn (its records are still in the log). A rebuild reads each file
    /// whole and leaves such a file out instead of indexing it.
    @Test func aRebuildLeavesTornChunksOut() throws {
        let h = try IndexHarness()
        let a = try h.chunk(#"{app="api"}"#, minTime: 1_000, lsn: 1)
        let torn = try h.chunk(#"{app="web"}"#, minTime: 2_000, lsn: 4)
        let zeroed = try h.chunk(#"{app="db"}"#, minTime: 3_000, lsn: 7)
        // A crash before the sync: one file cut short, one whose block data never reached the disk
        // (zeros) while header, index and trailer did — only the whole-file checksum tells.
        let full = try h.chunkObjects.get(torn.key)
        try h.chunkObjects.inner.put(torn.key, Array(full.prefix(full.count / 2)))
        var z = try h.chunkObjects.get(zeroed.key)
        let block = try ChunkReader(z).blocks[0]
        for i in Int(block.offset)..<(Int(block.offset) + Int(block.length)) { z[i] = 0 }
        try h.chunkObjects.inner.put(zeroed.key, z)
        let again = try h.reopen()
        #expect(again.index.report.rebuiltChunks == 1)
        #expect(try again.keys(#"{app=~".+"}"#) == [a.key])
    }

    @Test func damagedManifestIsQuarantinedAndTheIndexRebuilt() throws {
        let h = try IndexHarness()
        let a = try h.chunk(#"{app="api"}"#, minTime: 1_000, lsn: 1)
        try h.index.writePending()
        var m = try h.indexObjects.get("MANIFEST-0000000000000001")
        m[10] ^= 0xFF
        try h.indexObjects.inner.put("MANIFEST-0000000000000001", m)
        let again = try h.reopen()
        #expect(again.index.report.damagedManifest == "MANIFEST-0000000000000001")
        #expect(again.index.report.rebuiltChunks == 1)
        #expect(try again.keys(#"{app="api"}"#) == [a.key])
        #expect(h.files("index").contains("quarantine/MANIFEST-0000000000000001"))
    }

    /// A damaged table is reported in the answer's warnings, then quarantined and rebuilt from the
    /// chunk headers of its period at the next write.
    @Test func damagedTableIsReportedThenRebuilt() throws {
        let h = try IndexHarness()
        let a = try h.chunk(#"{app="api"}"#, minTime: 1_000, lsn: 1)
        let b = try h.chunk(#"{app="api", pod="2"}"#, minTime: 2_000, lsn: 4)
        try h.index.writePending()
        let table = "index_0/fake/0000000000000001-0.skix"
        var bytes = try h.indexObjects.get(table)
        bytes[20] ^= 0x01
        try h.indexObjects.inner.put(table, bytes)
        let damaged = try h.reopen()
        let r = damaged.index.series(tenant: "fake", start: 0, end: 10_000, matchers: [.equal("app", "api")])
        #expect(r.series.isEmpty)
        #expect(r.warnings.count == 1 && r.warnings[0].contains(table))
        #expect(damaged.index.tableStats().damaged == 1)
        try damaged.index.writePending()
        #expect(try damaged.keys(#"{app="api"}"#) == [a.key, b.key].sorted())
        #expect(damaged.index.tableStats().damaged == 0)
        #expect(h.files("index").contains("quarantine/" + table))
        #expect(try damaged.reopen().keys(#"{app="api"}"#) == [a.key, b.key].sorted())
    }

    /// A failed write (full volume) keeps every pending chunk, findable and holding the log back;
    /// the next write succeeds once space returns.
    @Test func failedWriteKeepsPendingChunks() throws {
        let h = try IndexHarness()
        let a = try h.chunk(#"{app="api"}"#, minTime: 1_000, lsn: 7)
        h.indexObjects.failing.store(true, ordering: .relaxed)
        #expect(throws: (any Error).self) { try h.index.writePending() }
        #expect(h.index.pendingChunks == 1 && h.index.lowestPendingLSN == 7)
        #expect(try h.keys(#"{app="api"}"#) == [a.key])
        h.indexObjects.failing.store(false, ordering: .relaxed)
        try h.index.writePending()
        #expect(h.index.pendingChunks == 0)
        #expect(try h.reopen().keys(#"{app="api"}"#) == [a.key])
    }

    @Test func flushedRangesComeFromTablesThatMayStillBeInTheLog() throws {
        let h = try IndexHarness()
        try h.chunk(#"{app="api"}"#, minTime: 1_000, lsn: 1)
        try h.chunk(#"{app="api"}"#, minTime: 2_000, lsn: 10)
        try h.index.writePending()
        try h.chunk(#"{app="web"}"#, minTime: 3_000, lsn: 20)
        let all = try h.index.flushedLSNRanges(tenant: "fake", from: 0)
        #expect(all[#"{app="api"}"#] == [1...3, 10...12])
        #expect(all[#"{app="web"}"#] == [20...22])
        let recent = try h.index.flushedLSNRanges(tenant: "fake", from: 11)
        #expect(recent[#"{app="api"}"#] == [10...12])
    }
}
