import TestSupport
import Codecs
import Foundation
import HTTPProbe
import LogModel
import Testing

@Suite(.serialized) struct RuntimeBehaviourTests {
    @Test func binaryAndInvalidUTF8LinesAreStoredAsPushedAndRenderedAsReplacement() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        var b = PushBatchBuilder()
        b.stream(#"{app="bin"}"#)
        let t = Bodies.now
        b.entry(t, [0x61, 0xFF, 0x62, 0x00, 0x63, 0xC3] as [UInt8]) // a, invalid, b, NUL, c, truncated sequence
        b.entry(t + 1, Array("ok ✓".utf8))
        let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/x-protobuf")],
                              body: Snappy.compress(PushProtobuf.encode(b.batch)))
        #expect(r.status == 204)
        let q = try c.request("GET", "/loki/api/v1/query_range?query=%7Bapp%3D%22bin%22%7D&direction=forward&start=\(t - 1_000_000_000)&end=\(t + 1_000_000_000)")
        #expect(q.text.contains(#"["\#(t)","a\#u{FFFD}b\u0000c\#u{FFFD}"]"#), "\(q.text)")
        #expect(q.text.contains(#"["\#(t + 1)","ok ✓"]"#))
        // The log keeps the original bytes: after a restart the rendering is the same.
        server.stop()
        try server.start()
        #expect(try server.connection().lines(#"{app="bin"}"#) == ["a\u{FFFD}b\u{0}c\u{FFFD}", "ok ✓"])
        server.stop()
    }

    /// The binary runs on jemalloc with the options compiled into it (CAllocator): its library is
    /// mapped, its background purging thread runs (only `background_thread:true` starts one), and
    /// the startup line names it.
    @Test func serverRunsOnJemallocWithItsOptions() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let pid = try #require(server.process?.processIdentifier)
        // /proc files report size 0: read to the end rather than trusting the size.
        let maps = String(decoding: try #require(FileHandle(forReadingAtPath: "/proc/\(pid)/maps")).readDataToEndOfFile(), as: UTF8.self)
        #expect(maps.contains("libjemalloc"))
        var threads: [String] = []
        for _ in 0..<50 {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            threads = tasks.compactMap { try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8) }
            if threads.contains(where: { $0.hasPrefix("jemalloc_bg_thd") }) { break }
            // The background thread starts with jemalloc's first purge; a push gives it work.
            _ = try? server.connection().request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                                 body: Bodies.json([("app=alloc", [(Bodies.now, String(repeating: "x", count: 4096))])]))
            usleep(100_000)
        }
        #expect(threads.contains(where: { $0.hasPrefix("jemalloc_bg_thd") }), "threads: \(threads)")
        #expect(server.log.contains("allocator=jemalloc"))
        server.stop()
    }

    @Test func perTenantOverridesReloadWhileRunning() throws {
        let dir = TestDirectory()
        let overrides = dir.path + "/overrides.yaml"
        try "overrides:\n  team-a:\n    max_line_size: 10\n".write(toFile: overrides, atomically: true, encoding: .utf8)
        let config = ServerProcess.config(auth: true) + "\nruntime_config:\n  file: \(overrides)\n  period: 1s\n"
        let server = try ServerProcess(dir: dir.path, config: config)
        try server.start()
        let c = server.connection()
        func push(_ tenant: String, _ line: String) throws -> Int {
            try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json"), ("X-Scope-OrgID", tenant)],
                          body: Bodies.json([("app=o", [(Bodies.now, line)])])).status
        }
        let long = String(repeating: "x", count: 50)
        #expect(try push("team-a", long) == 400)
        #expect(try push("team-b", long) == 204) // defaults for everyone else
        try "overrides:\n  team-a:\n    max_line_size: 100\n".write(toFile: overrides, atomically: true, encoding: .utf8)
        var status = 0
        for _ in 0..<40 {
            usleep(100_000)
            status = try push("team-a", long)
            if status == 204 { break }
        }
        #expect(status == 204, "the new override was not picked up")
        // A broken file keeps the previous overrides and the server serving.
        try "overrides: [".write(toFile: overrides, atomically: true, encoding: .utf8)
        usleep(1_500_000)
        #expect(try push("team-a", long) == 204)
        #expect(server.log.contains("runtime config reload failed"))
        server.stop()
    }
}
