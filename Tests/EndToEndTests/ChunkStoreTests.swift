import Foundation
import HTTPProbe
import Testing
import TestSupport

/// The chunk store through the real binary: /flush, flush on shutdown, restarts reading chunks.
@Suite struct ChunkStoreTests {
    func push(_ c: HTTPConnection, _ prefix: String, count: Int) throws {
        let t = Bodies.now
        for start in stride(from: 0, to: count, by: 100) {
            let entries = (start..<min(start + 100, count)).map { (t + Int64($0), "\(prefix)-\($0) " + String(repeating: "\($0 % 97)", count: 20)) }
            let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                  body: Bodies.json([("app=store", entries)]))
            #expect(r.status == 204)
        }
    }

    @Test func flushEndpointWritesChunksAndRestartsReadThem() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        try push(c, "f", count: 1000)
        #expect(try c.request("POST", "/flush?wait=true").status == 204)
        let files = chunkFiles(dir.path + "/data/chunks/fake")
        #expect(files.count == 1, "one stream, one chunk: \(files)")
        let expected = (0..<1000).map { "f-\($0)" }
        #expect(try c.lines(#"{app="store"}"#).map { String($0.split(separator: " ")[0]) } == expected)
        let metrics = try c.request("GET", "/metrics").text
        #expect(metrics.contains(#"loki_ingester_chunks_flushed_total{reason="forced"} 1"#))
        #expect(metrics.contains("skald_store_chunks{tenant=\"fake\"} 1"))
        // /flush?wait=true also writes the chunk into an index table under a new manifest.
        #expect(metrics.contains("skald_index_tables 1") && metrics.contains("skald_index_pending_chunks 0"))
        let index = (try? FileManager.default.subpathsOfDirectory(atPath: dir.path + "/data/index")) ?? []
        #expect(index.contains("MANIFEST-0000000000000001") && index.contains { $0.hasSuffix(".skix") }, "\(index)")
        // Every matcher kind, through the HTTP API.
        for q in [#"{app=~"sto.+"}"#, #"{app!="web", app=~".+"}"#, #"{app="store", env!~"prod|dev"}"#] {
            #expect(try c.lines(q).count == 1000, "\(q)")
        }
        #expect(try c.lines(#"{app=~".+", app!~"store"}"#).isEmpty)
        // A selector that would match every stream is Loki's 400.
        #expect(try c.request("GET", "/loki/api/v1/query_range?query=%7Bapp%21~%22store%22%7D").status == 400)
        #expect(server.stop() == 0)

        try server.start()
        #expect(try server.connection().lines(#"{app="store"}"#).map { String($0.split(separator: " ")[0]) } == expected)
        server.stop()
    }

    /// `/loki/api/v1/series` answers from chunks in the store and streams in memory alike.
    @Test func seriesCoversStoreAndMemory() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        try push(c, "f", count: 10) // {app="store"}
        #expect(try c.request("POST", "/flush?wait=true").status == 204)
        let t = Bodies.now
        #expect(try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                              body: Bodies.json([("app=mem,env=dev", [(t, "in memory")])])).status == 204)
        func series(_ query: String) throws -> (Int, [[String: String]]) {
            let r = try c.request("GET", "/loki/api/v1/series?\(query)")
            guard r.status == 200 else { return (r.status, []) }
            let obj = try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any]
            return (200, obj["data"] as! [[String: String]])
        }
        let both = try series("match[]=%7Bapp%3D%22store%22%7D&match[]=%7Bapp%3D%22mem%22%7D")
        #expect(both.0 == 200 && both.1 == [["app": "mem", "env": "dev"], ["app": "store"]])
        #expect(try series("match[]=%7Benv%3D%22dev%22%7D").1 == [["app": "mem", "env": "dev"]])
        #expect(try series("match[]=%7Bapp%3D%22nope%22%7D").1.isEmpty)
        #expect(try series("").0 == 400)
        let stats = try c.request("GET", "/loki/api/v1/index/stats?query=%7Bapp%3D%22store%22%7D")
        #expect(stats.status == 200)
        let st = try JSONSerialization.jsonObject(with: Data(stats.body)) as! [String: Int]
        #expect(st["streams"] == 1 && st["chunks"] == 1 && st["entries"] == 10, "\(st)")
        #expect((st["bytes"] ?? 0) >= 10 * 24, "ten lines of at least 24 bytes")
        let memStats = try JSONSerialization.jsonObject(with: Data(try c.request("GET", "/loki/api/v1/index/stats?query=%7Benv%3D%22dev%22%7D").body)) as! [String: Int]
        #expect(memStats == ["streams": 1, "chunks": 1, "bytes": 9, "entries": 1])
        #expect(try c.request("GET", "/loki/api/v1/index/stats").status == 400)
        #expect(try c.request("GET", "/loki/api/v1/index/stats?query=app").status == 400)
        #expect(try c.request("GET", "/loki/api/v1/index/stats?query=%7Bapp%3D%22store%22%7D&start=yesterday").status == 400)
        #expect(try c.request("GET", "/ready").status == 200, "still serving after bad requests")
        #expect(try series("match[]=app").0 == 400)
        server.stop()
    }

    @Test func flushOnShutdownLeavesEverythingInChunks() throws {
        let dir = TestDirectory()
        let config = ServerProcess.config().replacingOccurrences(of: "    fsync: always", with: "    fsync: always\n    flush_on_shutdown: true")
        let server = try ServerProcess(dir: dir.path, config: config)
        try server.start()
        try push(server.connection(), "s", count: 300)
        #expect(chunkFiles(dir.path + "/data/chunks/fake").isEmpty)
        #expect(server.stop() == 0)
        #expect(chunkFiles(dir.path + "/data/chunks/fake").count == 1)
        try server.start()
        #expect(try server.connection().lines(#"{app="store"}"#).count == 300)
        server.stop()
    }

    @Test func ingesterShutdownFlushesThenStopsTheServer() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        try push(server.connection(), "x", count: 50)
        #expect(try server.connection().request("POST", "/ingester/shutdown?flush=true").status == 204)
        #expect(chunkFiles(dir.path + "/data/chunks/fake").count == 1)
        let deadline = Date().addingTimeInterval(15)
        while server.process?.isRunning == true && Date() < deadline { usleep(20_000) }
        #expect(server.process?.isRunning == false, "the server exits by itself")
        #expect(server.stop() == 0, "and cleanly")
        try server.start()
        #expect(try server.connection().lines(#"{app="store"}"#).count == 50)
        server.stop()
    }

    /// On the real clock, lines never disappear from answers while their chunks idle-close, flush,
    /// get indexed and leave memory (`chunk_retain_period` 0, the hardest case: no overlap at all).
    @Test func noGapWhileChunksMoveFromMemoryToTheStore() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config(ingester: ServerProcess.smallChunks))
        try server.start()
        let c = server.connection()
        try push(c, "g", count: 300)
        var queries = 0
        var sawStore = false, sawMemoryEmpty = false
        let deadline = Date().addingTimeInterval(6)
        while Date() < deadline {
            let got = try c.lines(#"{app="store"}"#)
            queries += 1
            #expect(got.count == 300, "query \(queries) saw \(got.count) of 300 lines")
            if got.count != 300 { break }
            let m = try c.request("GET", "/metrics").text
            if m.contains("skald_index_tables 1") || m.contains("skald_index_pending_chunks 1") { sawStore = true }
            if m.contains(#"loki_ingester_memory_chunks{tenant="fake"} 0"#) || !m.contains("loki_ingester_memory_chunks{") { sawMemoryEmpty = sawStore }
        }
        #expect(queries > 20)
        #expect(sawStore && sawMemoryEmpty, "the chunks did not move to the store during the test")
        server.stop()
    }

    @Test func aCorruptChunkBlockIsAWarningNotAFailure() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        try push(c, "k", count: 200)
        #expect(try c.request("POST", "/flush?wait=true").status == 204)
        #expect(server.stop() == 0)
        let name = try #require(chunkFiles(dir.path + "/data/chunks/fake").first)
        let path = dir.path + "/data/chunks/fake/" + name
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // The header is under 100 bytes here; byte 120 is inside the first (only) block.
        bytes[120] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try server.start()
        let end = Bodies.now + 3_600_000_000_000
        let r = try server.connection().request("GET", "/loki/api/v1/query_range?query=%7Bapp%3D%22store%22%7D&start=\(end - 7_200_000_000_000)&end=\(end)")
        #expect(r.status == 200)
        let obj = try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any]
        let warnings = obj["warnings"] as? [String] ?? []
        #expect(warnings.count == 1 && warnings[0].contains("block 0"), "\(warnings)")
        #expect(try server.connection().request("GET", "/metrics").text.contains("skald_query_skipped_corrupt_data_total 1"))
        server.stop()
    }
}
