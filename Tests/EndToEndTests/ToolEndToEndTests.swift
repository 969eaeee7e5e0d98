import Foundation
import HTTPProbe
import Testing
import TestSupport

/// `skald-tool` on a volume the real server wrote and was killed on: it reads what the server
/// wrote, finds damage done to it afterwards, and its repair leaves a log the server restarts from
/// with every line.
@Suite(.serialized) struct ToolEndToEndTests {
    static var tool: String { URL(fileURLWithPath: ServerProcess.binary).deletingLastPathComponent().appendingPathComponent("skald-tool").path }

    /// Runs skald-tool; returns (exit status, stdout).
    static func run(_ args: [String]) throws -> (Int32, String) { try runBinary(tool, args) }

    static func json(_ s: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func inspectVerifyRepairOnWhatTheServerWrote() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config(ingester: ServerProcess.smallChunks))
        try server.start()
        let c = server.connection()
        var sent: [String] = []
        for push in 0..<12 {
            let t = Bodies.now
            let lines = (0..<50).map { "tool push \(push) line \($0) " + String(repeating: "x", count: $0 % 30) }
            sent += lines
            let streams = [("app=tool,n=\(push % 3)", lines.enumerated().map { (t + Int64($0.offset), $0.element) })]
            let (body, type) = push % 2 == 0 ? (Bodies.json(streams), "application/json") : (Bodies.protobuf(streams), "application/x-protobuf")
            #expect(try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", type)], body: body).status == 204)
        }
        #expect(try c.request("POST", "/flush?wait=true").status == 204)
        server.crash()

        let data = dir.path + "/data"
        let (vs, vout) = try Self.run(["wal", "verify", data + "/wal"])
        #expect(vs == 0, "\(vout)")
        let (ist, iout) = try Self.run(["wal", "inspect", data + "/wal", "--json"])
        #expect(ist == 0)
        let tenants = Self.json(iout)["tenants"] as? [String: [String: Any]]
        #expect(tenants?["fake"]?["entries"] as? Int == sent.count)
        #expect(tenants?["fake"]?["push"] as? Int == 6 && tenants?["fake"]?["protobuf"] as? Int == 6)
        #expect(tenants?["fake"]?["streams"] as? Int == 3)

        // The flushed chunks, as the index lists them, hold every line once.
        let (xs, xout) = try Self.run(["index", "inspect", data + "/index", "--json"])
        #expect(xs == 0, "\(xout)")
        let tables = Self.json(xout)["tables"] as? [[String: Any]] ?? []
        #expect(tables.reduce(0) { $0 + ($1["series"] as? Int ?? 0) } == 3)
        let chunkDir = data + "/chunks/fake"
        var entries = 0
        for f in chunkFiles(chunkDir) {
            let (cs, cout) = try Self.run(["chunk", "inspect", chunkDir + "/" + f, "--json"])
            #expect(cs == 0, "\(cout)")
            entries += Self.json(cout)["entries"] as? Int ?? 0
        }
        #expect(entries == sent.count)

        // A torn tail (a write the crash cut short): found, repaired after a backup, and the server
        // restarts on the repaired log with every line.
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: data + "/wal").filter { $0.count == 8 && $0.allSatisfy(\.isNumber) }.sorted().last)
        let h = try #require(FileHandle(forWritingAtPath: data + "/wal/" + segment))
        h.seekToEndOfFile()
        h.write(Data([0x80, 0, 0, 0, 9, 9, 9, 9, 1, 2]))
        h.closeFile()
        let (ds, dout) = try Self.run(["wal", "verify", data + "/wal"])
        #expect(ds == 1 && dout.contains("DAMAGED segment \(segment)"), "\(dout)")
        let (rs, rout) = try Self.run(["wal", "repair", data + "/wal", "--backup", dir.path + "/backup"])
        #expect(rs == 0 && rout.contains("torn_tail"), "\(rout)")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/backup/" + segment))
        #expect(try Self.run(["wal", "verify", data + "/wal"]).0 == 0)
        try server.start()
        #expect(try server.connection().lines(#"{app="tool"}"#).sorted() == sent.sorted())
        server.stop()
    }

    /// A WAL copied off a killed server, replayed offline into a fresh volume, serves exactly the
    /// lines the restarted server serves; a dry run writes nothing.
    @Test func replayOfACopiedWALServesWhatARestartServes() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config(ingester: ServerProcess.smallChunks))
        try server.start()
        let c = server.connection()
        var sent: [String] = []
        for push in 0..<8 {
            let t = Bodies.now
            let lines = (0..<40).map { "replay push \(push) line \($0)" }
            sent += lines
            let streams = [("app=replay,n=\(push % 2)", lines.enumerated().map { (t + Int64($0.offset), $0.element) })]
            #expect(try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")], body: Bodies.json(streams)).status == 204)
        }
        server.crash()
        let copy = dir.path + "/wal-copy"
        try FileManager.default.copyItem(atPath: dir.path + "/data/wal", toPath: copy)
        let walBefore = try FileManager.default.contentsOfDirectory(atPath: copy).sorted()

        let fresh = dir.path + "/fresh"
        let (ds, dout) = try Self.run(["wal", "replay", copy, "--into", fresh, "--dry-run", "--json"])
        #expect(ds == 0, "\(dout)")
        let dry = Self.json(dout)
        #expect(dry["records"] as? Int == 8)
        #expect((dry["tenants"] as? [[String: Any]])?.first?["streams"] as? Int == 2)
        #expect(!FileManager.default.fileExists(atPath: fresh + "/chunks"))

        let (rs, rout) = try Self.run(["wal", "replay", copy, "--into", fresh])
        #expect(rs == 0 && rout.contains("replayed") && rout.contains("8 records"), "\(rout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: copy).sorted() == walBefore) // the log is left as it was

        // The restarted original and a server on the replayed volume serve the same lines.
        try server.start()
        let restarted = try server.connection().lines(#"{app="replay"}"#).sorted()
        server.stop()
        #expect(restarted == sent.sorted())
        try FileManager.default.createDirectory(atPath: dir.path + "/b", withIntermediateDirectories: true)
        let other = try ServerProcess(dir: dir.path + "/b", config: ServerProcess.config().replacingOccurrences(of: "$DATA", with: fresh))
        try other.start()
        #expect(try other.connection().lines(#"{app="replay"}"#).sorted() == restarted)
        other.stop()
        #expect(try Self.run(["wal", "replay", dir.path + "/absent", "--into", fresh]).0 == 2)
    }

    /// `skald-tool query …` against the real server, as logcli would be used.
    @Test func queryCommandsAnswerLikeLogcli() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let t = Bodies.now - 60_000_000_000
        let streams = (0..<2).map { n in ("app=q,n=\(n)", (0..<10).map { (t + Int64($0 * 2 + n) * 1_000_000, "line \($0 * 2 + n) of \(n)") }) }
        #expect(try server.connection().request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")], body: Bodies.json(streams)).status == 204)
        let addr = "--addr=http://127.0.0.1:\(server.port)"

        let (s1, newest) = try Self.run(["query", "query", #"{app="q"}"#, addr, "--limit", "5", "--since", "1h"])
        let lines = newest.split(separator: "\n")
        #expect(s1 == 0 && lines.count == 5, "\(newest)")
        #expect(lines.first?.hasSuffix(#"{app="q", n="1"} line 19 of 1"#) == true, "\(newest)")
        #expect(lines.first?.contains("Z {app=") == true)
        let (_, raw) = try Self.run(["query", "query", #"{app="q", n="0"}"#, addr, "--forward", "--output", "raw", "--limit", "3"])
        #expect(raw == "line 0 of 0\nline 2 of 0\nline 4 of 0\n")
        let (s2, instant) = try Self.run(["query", "instant-query", #"sum(count_over_time({app="q"}[1h]))"#, addr])
        #expect(s2 == 0 && instant.contains("\"20\""), "\(instant)")
        #expect(try Self.run(["query", "labels", addr]).1.split(separator: "\n").contains("app"))
        #expect(try Self.run(["query", "labels", "n", addr]).1 == "0\n1\n")
        #expect(try Self.run(["query", "series", #"{app="q"}"#, addr]).1 == "{app=\"q\", n=\"0\"}\n{app=\"q\", n=\"1\"}\n")
        // Errors: the server's 400 text, an unreachable server, a bad flag — exit 2.
        let bad = try Self.run(["query", "query", "{app=", addr])
        #expect(bad.0 == 2)
        #expect(try Self.run(["query", "labels", "--addr=http://127.0.0.1:1"]).0 == 2)
        #expect(try Self.run(["query", "query", #"{app="q"}"#, addr, "--since", "soon"]).0 == 2)
        server.stop()
    }

    /// `query query --tail`: the newest lines, then each new one once, until stopped.
    @Test func queryTailFollowsNewLines() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        func push(_ lines: [String]) throws {
            let t = Bodies.now
            let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                  body: Bodies.json([("app=tail", lines.enumerated().map { (t + Int64($0.offset), $0.element) })]))
            #expect(r.status == 204)
        }
        try push((0..<5).map { "before \($0)" })
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.tool)
        p.arguments = ["query", "query", #"{app="tail"}"#, "--addr=http://127.0.0.1:\(server.port)", "--tail", "--limit", "3", "--output", "raw"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(1_500_000)
        try push(["after 0", "after 1"])
        usleep(2_500_000)
        try push(["after 2"])
        usleep(2_500_000)
        p.terminate()
        // (Never hang the suite: a tool that ignored SIGTERM is killed, and the test fails below.)
        let stopBy = Date().addingTimeInterval(5)
        while p.isRunning && Date() < stopBy { usleep(50_000) }
        let stoppedByTerm = !p.isRunning
        if !stoppedByTerm { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect(stoppedByTerm, "skald-tool --tail ignored SIGTERM")
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text == "before 2\nbefore 3\nbefore 4\nafter 0\nafter 1\nafter 2\n", "\(text)")
        server.stop()
    }

    /// With tenants on, `--org-id` (or `$LOKI_ORG_ID`) is the tail's tenant; without one the server's
    /// refusal is shown.
    @Test func queryTailSendsTheTenant() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config(auth: true) + "\nquerier:\n  tail_max_duration: 1s\n")
        try server.start()
        let r = try server.connection().request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json"), ("X-Scope-OrgID", "team-a")],
                                                body: Bodies.json([("app=t", [(Bodies.now, "team a's line")])]))
        #expect(r.status == 204)
        let addr = "--addr=http://127.0.0.1:\(server.port)"
        let (_, out) = try runBinary(Self.tool, ["query", "query", #"{app="t"}"#, addr, "--org-id", "team-a", "--tail", "--output", "raw"], stdout: true, stderr: true)
        #expect(out.hasPrefix("team a's line\n") && out.contains("reached tail max duration limit"), "\(out)")
        let (other, otherOut) = try runBinary(Self.tool, ["query", "query", #"{app="t"}"#, addr, "--org-id", "team-b", "--tail", "--output", "raw"], stdout: true, stderr: true)
        #expect(other != 0 && !otherOut.contains("team a's line"), "another tenant sees nothing: \(otherOut)")
        let (none, noneOut) = try runBinary(Self.tool, ["query", "query", #"{app="t"}"#, addr, "--tail"], stdout: true, stderr: true)
        #expect(none != 0 && noneOut.contains("the server answered 401"), "\(noneOut)")
        server.stop()
    }

    /// `--tail` ends when the server ends the tail, saying why; bad flags and queries are clear errors.
    @Test func queryTailEndsWithTheServersReason() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config() + "\nquerier:\n  tail_max_duration: 1s\n")
        try server.start()
        let addr = "--addr=http://127.0.0.1:\(server.port)"
        let started = Date()
        let (status, out) = try runBinary(Self.tool, ["query", "query", #"{app="x"}"#, addr, "--tail"], stdout: true, stderr: true)
        #expect(status != 0 && out.contains("reached tail max duration limit"), "\(status): \(out)")
        #expect(Date().timeIntervalSince(started) < 20)
        let (badDelay, delayOut) = try runBinary(Self.tool, ["query", "query", #"{app="x"}"#, addr, "--tail", "--delay-for", "soon"], stdout: true, stderr: true)
        #expect(badDelay == 2 && delayOut.contains("--delay-for"), "\(delayOut)")
        let (badQuery, queryOut) = try runBinary(Self.tool, ["query", "query", #"{app="x""#, addr, "--tail"], stdout: true, stderr: true)
        #expect(badQuery != 0 && queryOut.contains("tail: the server answered 400") && queryOut.contains("parse error"), "\(queryOut)")
        server.stop()
        let (gone, goneOut) = try runBinary(Self.tool, ["query", "query", #"{app="x"}"#, addr, "--tail"], stdout: true, stderr: true)
        #expect(gone != 0 && goneOut.contains("tail"), "nobody there: \(goneOut)")
    }
}
