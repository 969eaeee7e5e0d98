import TestSupport
import Foundation
import HTTPProbe
import Synchronization
import Testing

/// Chunk files (not half-written `.tmp`s) in a tenant's chunk directory.
func chunkFiles(_ dir: String) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { !$0.hasSuffix(".tmp") } ?? []
}

/// `kill -9` at random moments while several clients push (JSON and protobuf); after each restart
/// every acknowledged line must be there exactly once, and nothing that was never sent may appear.
@Suite(.serialized) struct CrashRecoveryTests {
    /// Rounds per run: 20 in CI; `SKALD_CRASH_ROUNDS` raises it for the soak script.
    static var rounds: Int { Int(ProcessInfo.processInfo.environment["SKALD_CRASH_ROUNDS"] ?? "") ?? 20 }

    final class Ledger: @unchecked Sendable {
        let lock = NSLock()
        var acked = Set<String>()
        var attempted = Set<String>()
        func record(_ lines: [String], acked ok: Bool) {
            lock.withLock {
                attempted.formUnion(lines)
                if ok { acked.formUnion(lines) }
            }
        }
    }

    /// Small chunks make the server cut blocks, close chunks and flush them all through the run, and
    /// a 150 ms checkpoint period makes it checkpoint and delete segments all the time, so kills land
    /// during flushes, checkpoints and deletions too; replay must then skip exactly what the flushed
    /// chunks and the checkpoint hold.
    @Test func killNineAtRandomMomentsLosesNothingAcknowledged() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config(ingester: ServerProcess.smallChunks, wal: ServerProcess.frequentCheckpoints))
        let ledger = Ledger()
        var rng = SystemRandomNumberGenerator()
        for round in 0..<Self.rounds {
            try server.start()
            let port = server.port
            let stop = Atomic<Bool>(false)
            let done = DispatchGroup()
            for pusher in 0..<4 {
                done.enter()
                Thread {
                    defer { done.leave() }
                    let c = HTTPConnection(port: port, timeout: 10)
                    var seq = 0
                    while !stop.load(ordering: .relaxed) {
                        let t = Bodies.now
                        let lines = (0..<20).map { "r\(round)-p\(pusher)-s\(seq)-\($0)" }
                        // Half the pushers speak JSON, half Promtail's protobuf (logged as sent).
                        let streams = [("app=crash,pusher=p\(pusher)", lines.enumerated().map { (t + Int64($0.offset), $0.element) })]
                        let (body, type) = pusher % 2 == 0 ? (Bodies.json(streams), "application/json") : (Bodies.protobuf(streams), "application/x-protobuf")
                        seq += 1
                        ledger.record(lines, acked: false)
                        guard let r = try? c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", type)], body: body) else {
                            return // the server died mid-request: these lines are unknown, not acknowledged
                        }
                        if r.status == 204 { ledger.record(lines, acked: true) }
                    }
                }.start()
            }
            usleep(UInt32.random(in: 30_000...250_000, using: &rng))
            server.crash()
            stop.store(true, ordering: .relaxed)
            done.wait()

            try server.start()
            let stored = try server.connection().lines(#"{app="crash"}"#, hours: 4)
            var counts: [String: Int] = [:]
            for l in stored { counts[l, default: 0] += 1 }
            let (acked, attempted) = ledger.lock.withLock { (ledger.acked, ledger.attempted) }
            let missing = acked.filter { counts[$0] == nil }
            let duplicated = counts.filter { $0.value > 1 }.map(\.key)
            let invented = counts.keys.filter { !attempted.contains($0) }
            #expect(missing.isEmpty, "round \(round): \(missing.count) acknowledged lines lost, e.g. \(missing.prefix(3))")
            #expect(duplicated.isEmpty, "round \(round): duplicated \(duplicated.prefix(3))")
            #expect(invented.isEmpty, "round \(round): invented \(invented.prefix(3))")
            #expect(acked.count > 0 || round == 0)
            server.crash()
            if !missing.isEmpty || !duplicated.isEmpty || !invented.isEmpty { break }
        }
        #expect(ledger.acked.count > 100, "too few acknowledged lines (\(ledger.acked.count)) for the test to mean anything")
        #expect(ledger.acked.contains { $0.contains("-p1-") } && ledger.acked.contains { $0.contains("-p0-") },
                "both JSON and protobuf pushes must have been acknowledged")
        let chunks = chunkFiles(dir.path + "/data/chunks/fake")
        #expect(chunks.count > 3, "the run flushed only \(chunks.count) chunks: it did not cross flush boundaries")
        let index = (try? FileManager.default.subpathsOfDirectory(atPath: dir.path + "/data/index")) ?? []
        #expect(index.contains { $0.hasPrefix("MANIFEST-") } && index.contains { $0.hasSuffix(".skix") },
                "the run never wrote an index table, so kills did not cross index writes: \(index)")
        let wal = (try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/data/wal")) ?? []
        #expect(wal.contains { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".skcp") }, "the run never wrote a checkpoint: \(wal)")
    }

    @Test func damagedTailIsRepairedAndReported() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        let t = Bodies.now
        for i in 0..<10 {
            let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                  body: Bodies.json([("app=tail", [(t + Int64(i), "line \(i)")])]))
            #expect(r.status == 204)
        }
        server.crash()
        // A torn write: half a frame of garbage after the last record of the newest segment.
        let wal = dir.path + "/data/wal"
        let newest = try FileManager.default.contentsOfDirectory(atPath: wal).filter { $0.allSatisfy(\.isNumber) }.sorted().last!
        let h = FileHandle(forWritingAtPath: wal + "/" + newest)!
        h.seekToEndOfFile()
        h.write(Data([0x40, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]))
        h.closeFile()
        try server.start()
        #expect(try server.connection().lines(#"{app="tail"}"#) == (0..<10).map { "line \($0)" })
        #expect(server.log.contains("wal.damage=torn_tail"))
        let m = try server.connection().request("GET", "/metrics").text
        #expect(m.contains("skald_wal_replay_damage_total{kind=\"torn_tail\"} 1"))
        #expect(m.contains("skald_wal_replay_bytes_lost_total 11"))
        // It keeps taking writes after the repair, and a second restart is clean.
        #expect(try server.connection().request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                                 body: Bodies.json([("app=tail", [(t + 100, "after repair")])])).status == 204)
        #expect(server.stop() == 0)
        try server.start()
        #expect(try server.connection().lines(#"{app="tail"}"#).count == 11)
        #expect(server.log.contains("wal.damage=0"))
        #expect(!server.log.contains("wal.damage=torn_tail"))
        server.stop()
    }

    @Test func sigtermSyncsClosesAndExitsZero() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        #expect(try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                              body: Bodies.json([("app=term", [(Bodies.now, "before term")])])).status == 204)
        #expect(server.stop() == 0)
        #expect(server.log.contains("write-ahead log synced and closed"))
        try server.start()
        #expect(try server.connection().lines(#"{app="term"}"#) == ["before term"])
        server.stop()
    }
}
