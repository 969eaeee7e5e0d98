import Foundation
import HTTPProbe
import TestSupport
import Testing

/// Queries meant to hurt, over HTTP against the real binary: each is a prompt 4xx or an answer in
/// bounded time, and the server keeps answering others meanwhile. (The time bounds are generous
/// ceilings that say "did not hang", not performance figures.)
@Suite(.serialized) struct HostileQueryTests {
    static func encoded(_ q: String) -> String { q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    @Test func hostileQueriesAreRefusedOrAnsweredPromptly() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        let t = Bodies.now - 60 * 1_000_000_000
        // Lines a backtracking engine would take forever on: 2,000 × 4 KB of "a" with no "b".
        let long = String(repeating: "a", count: 4096)
        let r0 = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                               body: Bodies.json([("app=x", (0..<2000).map { (t + Int64($0), long) })]))
        #expect(r0.status == 204)
        let year: Int64 = 365 * 24 * 3600 * 1_000_000_000
        let now = Bodies.now
        func timed(_ path: String) throws -> (HTTPConnection.Response, Double) {
            let started = Date()
            let r = try c.request("GET", path)
            return (r, Date().timeIntervalSince(started))
        }
        // Step 1 ns over a year: refused before any work (max_query_length, 721h); over 30 days
        // (within it): refused by Loki's 11,000-point limit.
        var (r, s) = try timed("/loki/api/v1/query_range?query=\(Self.encoded(#"rate({app="x"}[1m])"#))&start=\(now - year)&end=\(now)&step=1ns")
        #expect(r.status == 400 && r.text.contains("the query time range exceeds the limit"), "\(r.status) \(r.text)")
        #expect(s < 5)
        (r, s) = try timed("/loki/api/v1/query_range?query=\(Self.encoded(#"rate({app="x"}[1m])"#))&start=\(now - year / 13)&end=\(now)&step=1ns")
        #expect(r.status == 400 && r.text.contains("11,000 points"), "\(r.status) \(r.text)")
        #expect(s < 5)
        // A range of ten years over a one-point query: answered.
        (r, s) = try timed("/loki/api/v1/query?query=\(Self.encoded(#"count_over_time({app="x"}[87600h])"#))&time=\(now / 1_000_000_000)")
        #expect(r.status == 200 && r.text.contains(#""2000""#), "\(r.text.prefix(300))")
        #expect(s < 30)
        // Catastrophic regexes (exponential for a backtracking engine; linear in RE2) over 8 MB.
        for re in ["(a*)*b", "(a|aa)+b", "(a+)+$b", "^(([a-z])+.)+[A-Z]([a-z])+$"] {
            (r, s) = try timed("/loki/api/v1/query_range?query=\(Self.encoded("{app=\"x\"} |~ \"\(re)\""))&start=\(t - 1)&end=\(now)&limit=10")
            #expect(r.status == 200 && r.text.contains(#""result":[]"#), "\(re): \(r.text.prefix(200))")
            #expect(s < 30, "\(re) took \(s) s")
            (r, s) = try timed("/loki/api/v1/query_range?query=\(Self.encoded("sum(count_over_time({app=\"x\"} |~ \"\(re)\" [1h]))"))&start=\(t - 1)&end=\(now)&step=60")
            #expect(r.status == 200, "\(re): \(r.text.prefix(200))")
            #expect(s < 30, "\(re) took \(s) s")
        }
        // 10,000-way or of label filters: a prompt 400 naming the remedy; of line filters: answered.
        // (Sent as POST forms: a URL this long is refused by the HTTP layer before Skald sees it.)
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        let wideLabels = #"{app="x"} | logfmt | "# + (0..<10_000).map { "x=\"\($0)\"" }.joined(separator: " or ")
        var req = "query=" + Self.encoded(wideLabels) + "&start=\(t - 1)&end=\(now)"
        r = try c.request("POST", "/loki/api/v1/query_range", headers: form, body: Array(req.utf8))
        #expect(r.status == 400 && r.text.contains("regex"), "\(r.text.prefix(200))")
        let wideLines = #"{app="x"} |= "#  + (0..<10_000).map { "\"v\($0)\"" }.joined(separator: " or ")
        req = "query=" + Self.encoded(wideLines) + "&start=\(t - 1)&end=\(now)&limit=5"
        r = try c.request("POST", "/loki/api/v1/query_range", headers: form, body: Array(req.utf8))
        #expect(r.status == 200, "\(r.text.prefix(200))")
        // 10,000 nested parentheses and a 1 MB query: refused.
        let deep = String(repeating: "sum(", count: 10_000) + #"count_over_time({app="x"}[1m])"# + String(repeating: ")", count: 10_000)
        req = "query=" + Self.encoded(deep)
        r = try c.request("POST", "/loki/api/v1/query", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(req.utf8))
        #expect(r.status == 400, "\(r.text.prefix(200))")
        req = "query=" + Self.encoded(#"{app="x"} |= ""# + String(repeating: "y", count: 1 << 20) + "\"")
        r = try c.request("POST", "/loki/api/v1/query", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(req.utf8))
        #expect(r.status == 400, "\(r.text.prefix(200))")
        // Still serving.
        #expect(try c.request("GET", "/ready").status == 200)
        #expect(try c.lines(#"{app="x"}"#).count == 2000)
    }

    @Test func othersAreServedWhileAHeavyQueryRuns() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        let t = Bodies.now - 60 * 1_000_000_000
        let long = String(repeating: "a", count: 4096)
        for batch in 0..<5 {
            let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                  body: Bodies.json([("app=x,b=\(batch)", (0..<2000).map { (t + Int64($0), long) })]))
            #expect(r.status == 204)
        }
        let now = Bodies.now
        let heavy = Self.encoded(#"sum by (b) (count_over_time({app="x"} |~ "(a|aa)+b" [1m]))"#)
        let port = server.port
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            for _ in 0..<3 { _ = try? HTTPConnection(port: port, timeout: 120).request("GET", "/loki/api/v1/query_range?query=\(heavy)&start=\(t - 1)&end=\(now)&step=1") }
            done.signal()
        }
        // Meanwhile: readiness, a push and a small query all answer.
        for i in 0..<5 {
            #expect(try c.request("GET", "/ready").status == 200)
            let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                  body: Bodies.json([("app=small", [(now + Int64(i), "line \(i)")])]))
            #expect(r.status == 204)
            #expect(try c.lines(#"{app="small"}"#).count == i + 1)
        }
        done.wait()
    }
}
