import Foundation
import HTTPProbe
import Testing
import TestSupport

/// Loki's delete API on the real server: lines stop showing at once, the request is listed,
/// cancelled ones are gone, and once the cancel period is over the compactor removes the lines from
/// the chunk files (a restart without the request file still does not show them).
@Suite(.serialized) struct DeleteEndToEndTests {
    static func config(mode: String = "filter-and-delete", retention: Bool = true) -> String {
        ServerProcess.config(extraLimits: "  deletion_mode: \(mode)\n", ingester: ServerProcess.smallChunks) + """

        compactor:
          compaction_interval: 1s
          retention_enabled: \(retention)
          retention_delete_delay: 0s
          delete_request_cancel_period: 3s
        """
    }

    static func list(_ c: HTTPConnection) throws -> [[String: Any]] {
        let r = try c.request("GET", "/loki/api/v1/delete")
        return (try JSONSerialization.jsonObject(with: Data(r.body)) as? [[String: Any]]) ?? []
    }

    static func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    @Test func deletedLinesVanishFromAnswersThenFromDisk() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: Self.config())
        try server.start()
        let c = server.connection()
        let now = Bodies.now
        let lines = (0..<40).map { (now - 60_000_000_000 + Int64($0), $0 % 4 == 0 ? "secret token \($0)" : "fine line \($0)") }
        #expect(try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")], body: Bodies.json([("app=a", lines)])).status == 204)
        #expect(try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                              body: Bodies.json([("app=b", [(now - 1000, "secret in another stream")])])).status == 204)
        #expect(try c.request("POST", "/flush?wait=true").status == 204)
        let fine = Set(lines.map(\.1).filter { $0.hasPrefix("fine") })

        // Bad requests: clear 400s, nothing stored.
        for bad in ["", "query=" + Self.enc("sum(rate({app=\"a\"}[1m]))"), "query=" + Self.enc("{app=\"a\"} | json"),
                    "query=" + Self.enc("{app=\"a\"}") + "&start=200&end=100", "query=" + Self.enc("{app=\"a\"") ] {
            let r = try c.request("POST", "/loki/api/v1/delete?" + bad)
            #expect(r.status == 400, "\(bad): \(r.status) \(r.text)")
        }
        #expect(try Self.list(c).isEmpty)
        #expect(try c.request("DELETE", "/loki/api/v1/delete?request_id=nope").status == 404)

        let q = Self.enc(#"{app="a"} |= "secret""#)
        #expect(try c.request("POST", "/loki/api/v1/delete?query=\(q)&start=0&end=\(now / 1_000_000_000 + 1)").status == 204)
        // At once: gone from log and metric answers, other streams untouched.
        #expect(Set(try c.lines(#"{app="a"}"#)) == fine)
        #expect(try c.lines(#"{app="b"}"#) == ["secret in another stream"])
        let count = try c.request("GET", "/loki/api/v1/query?query=" + Self.enc(#"sum(count_over_time({app="a"}[10m]))"#) + "&time=\(now)")
        #expect(count.text.contains("\"30\""), "\(count.text)")
        var listed = try Self.list(c)
        #expect(listed.count == 1 && listed[0]["status"] as? String == "received" && listed[0]["query"] as? String == #"{app="a"} |= "secret""#)
        #expect((listed[0]["request_id"] as? String)?.count == 8)

        // A second request, cancelled within the period: it no longer filters.
        #expect(try c.request("PUT", "/loki/api/v1/delete?query=" + Self.enc(#"{app="b"}"#)).status == 204)
        #expect(try c.lines(#"{app="b"}"#).isEmpty)
        let second = try #require(try Self.list(c).first { ($0["query"] as? String) == #"{app="b"}"# }?["request_id"] as? String)
        #expect(try c.request("DELETE", "/loki/api/v1/delete?request_id=\(second)").status == 204)
        #expect(try c.lines(#"{app="b"}"#) == ["secret in another stream"])

        // After the cancel period the compactor processes it.
        let deadline = Date().addingTimeInterval(30)
        repeat {
            usleep(300_000)
            listed = try Self.list(c)
        } while listed.first?["status"] as? String != "processed" && Date() < deadline
        #expect(listed.count == 1 && listed[0]["status"] as? String == "processed")
        let id = listed[0]["request_id"] as? String ?? ""
        #expect(try c.request("DELETE", "/loki/api/v1/delete?request_id=\(id)").status == 400) // too late to cancel
        #expect(Set(try c.lines(#"{app="a"}"#)) == fine)
        server.stop()
        // The lines are gone from the chunk files (and the log cannot bring them back): without
        // the request file, a restarted server still does not show them.
        try FileManager.default.removeItem(atPath: dir.path + "/data/compactor/delete_requests.json")
        try server.start()
        #expect(Set(try server.connection().lines(#"{app="a"}"#)) == fine)
        server.stop()
    }

    @Test func disabledModeAndNoRetentionRefuse() throws {
        let dir = TestDirectory()
        let off = try ServerProcess(dir: dir.path, config: Self.config(mode: "disabled"))
        try off.start()
        let r = try off.connection().request("POST", "/loki/api/v1/delete?query=" + Self.enc(#"{app="a"}"#))
        #expect(r.status == 403 && r.text.contains("deletion is not available for this tenant"))
        off.stop()
        let dir2 = TestDirectory()
        let noRetention = try ServerProcess(dir: dir2.path, config: Self.config(retention: false))
        try noRetention.start()
        #expect(try noRetention.connection().request("GET", "/loki/api/v1/delete").status == 404)
        noRetention.stop()
    }
}
