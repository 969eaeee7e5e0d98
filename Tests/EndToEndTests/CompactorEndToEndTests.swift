import Foundation
import HTTPProbe
import Testing
import TestSupport

/// The compactor inside the real server: retention removes what is past its period from queries
/// and from the disk, keeps the rest, and says so on /metrics; a second server on the same volume
/// is refused.
@Suite(.serialized) struct CompactorEndToEndTests {
    static let config = ServerProcess.config(
        extraLimits: """
          reject_old_samples: false
          retention_period: 24h
          retention_stream:
          - selector: '{app="short"}'
            priority: 1
            period: 1h
        """,
        ingester: ServerProcess.smallChunks) + """

        compactor:
          compaction_interval: 1s
          retention_enabled: true
          retention_delete_delay: 0s
        """

    @Test func retentionDeletesExpiredChunksAndKeepsTheRest() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: Self.config)
        try server.start()
        let c = server.connection()
        let now = Bodies.now
        let hour: Int64 = 3_600_000_000_000
        let old = (0..<30).map { (now - 3 * 24 * hour + Int64($0), "three days old \($0)") }
        let fresh = (0..<30).map { (now - Int64($0) * 1000, "fresh \($0)") }
        let short = (0..<30).map { (now - 2 * hour + Int64($0), "two hours old, kept one hour \($0)") }
        // (Retention works on whole chunks, by their last entry, as Loki's does: each age its own stream.)
        for (labels, entries) in [("app=old", old), ("app=keep", fresh), ("app=short", short)] {
            let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")], body: Bodies.json([(labels, entries)]))
            #expect(r.status == 204, "\(r.text)")
        }
        #expect(try c.request("POST", "/flush?wait=true").status == 204)
        let chunks = dir.path + "/data/chunks/fake"
        #expect(chunkFiles(chunks).count >= 3)
        // Within a few compaction intervals: the old and short-lived chunks are gone, from queries and the disk.
        let deadline = Date().addingTimeInterval(30)
        var lines: [String] = []
        repeat {
            usleep(300_000)
            lines = try c.lines(#"{app=~"old|keep|short"}"#, hours: 24 * 4)
        } while lines.count != fresh.count && Date() < deadline
        #expect(Set(lines) == Set(fresh.map(\.1)), "\(lines.count) lines")
        let metrics = try c.request("GET", "/metrics").text
        #expect(metrics.contains("loki_compactor_apply_retention_last_successful_run_timestamp_seconds"))
        #expect(metrics.contains("skald_compactor_chunks_deleted_total"))
        #expect(chunkFiles(chunks).allSatisfy { !$0.isEmpty })
        // Restarted, the server still serves exactly the fresh lines.
        server.stop()
        try server.start()
        #expect(Set(try server.connection().lines(#"{app=~"old|keep|short"}"#, hours: 24 * 4)) == Set(fresh.map(\.1)))
        server.stop()
    }

    /// `-target=compactor` on a volume a server left: it merges the tables, serves /ready, /metrics
    /// and the delete API, and keeps a `-target=all` server off the volume meanwhile.
    @Test func compactorTargetCompactsAVolumeAlone() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: Self.config)
        try server.start()
        let c = server.connection()
        for i in 0..<4 { // four flushes: four tables in today's period
            let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                  body: Bodies.json([("app=keep", [(Bodies.now, "line \(i)")])]))
            #expect(r.status == 204)
            #expect(try c.request("POST", "/flush?wait=true").status == 204)
        }
        server.stop()
        let compactorOnly = try ServerProcess(dir: dir.path, config: Self.config.replacingOccurrences(of: "compaction_interval: 1s", with: "compaction_interval: 300ms"))
        try compactorOnly.start(extraArgs: ["-target=compactor"])
        let cc = compactorOnly.connection()
        let deadline = Date().addingTimeInterval(20)
        var tables = 0
        repeat {
            usleep(300_000)
            let (_, out) = try ToolEndToEndTests.run(["index", "inspect", dir.path + "/data/index", "--json"])
            tables = (ToolEndToEndTests.json(out)["tables"] as? [Any])?.count ?? -1
        } while tables != 1 && Date() < deadline
        #expect(tables == 1)
        #expect(try cc.request("GET", "/metrics").text.contains("loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds"))
        #expect(try cc.request("GET", "/loki/api/v1/delete").status == 200)
        #expect(try cc.request("POST", "/loki/api/v1/push", body: []).status == 404) // no ingest here
        let other = try ServerProcess(dir: dir.path, config: Self.config)
        #expect(throws: (any Error).self) { try other.start() }
        compactorOnly.stop()
        try server.start()
        #expect(Set(try server.connection().lines(#"{app="keep"}"#)) == Set((0..<4).map { "line \($0)" }))
        server.stop()
    }

    /// `compaction_interval: 0`: no periodic pass; `POST /compactor/run` (what `skald-tool compact
    /// --once --server`, the CronJob's command, sends) runs one now on the server that owns the volume.
    @Test func aRequestedPassCompactsWhatNoPeriodicPassTouched() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: Self.config.replacingOccurrences(of: "compaction_interval: 1s", with: "compaction_interval: 0s"))
        try server.start()
        let c = server.connection()
        for i in 0..<3 {
            let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                  body: Bodies.json([("app=keep", [(Bodies.now - Int64(i), "line \(i)")])]))
            #expect(r.status == 204)
            #expect(try c.request("POST", "/flush?wait=true").status == 204)
        }
        func tables() throws -> Int {
            let (_, out) = try ToolEndToEndTests.run(["index", "inspect", dir.path + "/data/index", "--json"])
            return (ToolEndToEndTests.json(out)["tables"] as? [Any])?.count ?? -1
        }
        usleep(1_500_000)
        #expect(try tables() == 3, "no pass ran by itself")
        #expect(try c.request("GET", "/compactor/run").status != 200) // POST only
        let (status, out) = try ToolEndToEndTests.run(["compact", "--once", "--server", "http://127.0.0.1:\(server.port)", "--json"])
        #expect(status == 0, "\(out)")
        let report = ToolEndToEndTests.json(out)
        #expect(report["tablesBefore"] as? Int == 3 && report["tablesAfter"] as? Int == 1, "\(out)")
        #expect(report["retentionEnabled"] as? Bool == true)
        #expect(report["orphans"] as? Int == 0, "every chunk the server wrote is indexed: \(out)")
        #expect(try tables() == 1)
        // The server still serves every line, and a second pass finds nothing to merge.
        #expect(Set(try c.lines(#"{app="keep"}"#)) == Set((0..<3).map { "line \($0)" }))
        let again = try c.request("POST", "/compactor/run")
        #expect(again.status == 200 && again.text.contains(#""groups":0"#), "\(again.text)")
        server.stop()
        // Nobody there: a clear failure, exit 2; both a server and a config: a usage error.
        let (down, err) = try runBinary(ToolEndToEndTests.tool, ["compact", "--once", "--server", "http://127.0.0.1:\(server.port)"], stdout: false, stderr: true)
        #expect(down == 2 && err.contains("--server"), "\(err)")
        let (both, _) = try ToolEndToEndTests.run(["compact", "--once", "--server", "http://127.0.0.1:1", "-config.file=/nonexistent.yaml"])
        #expect(both == 2)
    }

    @Test func aSecondServerOnTheSameVolumeIsRefused() throws {
        let dir = TestDirectory()
        let first = try ServerProcess(dir: dir.path, config: Self.config)
        try first.start()
        let second = try ServerProcess(dir: dir.path, config: Self.config)
        #expect(throws: (any Error).self) { try second.start() }
        #expect(second.log.contains("skald.lock is locked by another process"), "\(second.log)")
        #expect(try first.connection().request("GET", "/ready").status == 200)
        first.stop()
    }
}

/// kill -9 while the compactor compacts, expires and deletes: every acknowledged line that is not
/// past its retention is still served exactly once, no expired line comes back, and the index lists
/// no chunk file that is gone.
@Suite(.serialized) struct CompactorCrashTests {
    @Test func killNineDuringCompactionAndRetentionLosesNothingLive() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: CompactorEndToEndTests.config)
        let hour: Int64 = 3_600_000_000_000
        var fresh: [String] = []
        var old: [String] = []
        var rng = SystemRandomNumberGenerator()
        for round in 0..<6 {
            try server.start()
            let c = server.connection()
            let now = Bodies.now
            // Every round: expired lines (three days old) and live ones, in many streams, flushed so
            // the compactor has tables to merge and chunks to expire while it is killed.
            for s in 0..<6 {
                let o = (0..<5).map { (now - 3 * 24 * hour + Int64(round * 100 + $0), "old r\(round) s\(s) \($0)") }
                let f = (0..<5).map { (now - Int64($0) * 1000, "fresh r\(round) s\(s) \($0)") }
                for (labels, entries) in [("app=old,s=\(s)", o), ("app=keep,s=\(s)", f)] {
                    let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")], body: Bodies.json([(labels, entries)]))
                    #expect(r.status == 204)
                }
                old += o.map(\.1)
                fresh += f.map(\.1)
            }
            _ = try? c.request("POST", "/flush?wait=true")
            usleep(UInt32.random(in: 200_000...1_500_000, using: &rng))
            server.crash()
        }
        try server.start()
        let deadline = Date().addingTimeInterval(20)
        var served: [String] = []
        repeat {
            usleep(300_000)
            served = try server.connection().lines(#"{app=~"old|keep"}"#, hours: 24 * 4)
        } while served.contains(where: { $0.hasPrefix("old") }) && Date() < deadline
        #expect(served.sorted() == fresh.sorted(), "\(served.count) served, \(fresh.count) live")
        server.stop()
        let (status, out) = try ToolEndToEndTests.run(["index", "inspect", dir.path + "/data/index"])
        #expect(status == 0, "\(out)")
        #expect(try ToolEndToEndTests.run(["wal", "verify", dir.path + "/data/wal"]).0 == 0)
    }
}
