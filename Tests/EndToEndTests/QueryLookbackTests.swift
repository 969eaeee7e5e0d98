import Foundation
import HTTPProbe
import TestSupport
import Testing

/// `limits_config.max_query_lookback` through the real binary, each answer as Loki 2.8.11 gave it
/// with `max_query_lookback: 1h` (recorded by hand from the golden Loki; docs/conformance.md): a
/// range wholly past the lookback is answered empty where Loki's frontend answers it empty and
/// refused where Loki's querier refuses it; a range reaching past it is cut at it.
@Suite struct QueryLookbackTests {
    static func encoded(_ q: String) -> String { q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
    static let hour: Int64 = 3600 * 1_000_000_000
    static let refusal = "this data is no longer available, it is past now - max_query_lookback (1h0m0s)"

    @Test func rangesArePastCutOrRefusedAsLokiAnswersThem() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config(extraLimits: "  max_query_lookback: 1h"))
        try server.start()
        let c = server.connection()
        let now = Bodies.now
        let (old, mid) = (now - 2 * Self.hour, now - Self.hour / 2)
        #expect(try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                              body: Bodies.json([("app=a", [(old, "old line"), (mid, "mid line")])])).status == 204)
        func get(_ path: String) throws -> HTTPConnection.Response { try c.request("GET", path) }
        let q = Self.encoded(#"{app="a"}"#), m = Self.encoded(#"count_over_time({app="a"}[5m])"#)
        let match = "match%5B%5D=" + q
        let past = "start=\(now - 3 * Self.hour)&end=\(now - 2 * Self.hour + 1)"

        // Wholly past: empty answers…
        var r = try get("/loki/api/v1/query_range?query=\(q)&\(past)")
        #expect(r.status == 200 && r.text.contains(#""resultType":"streams","result":[]"#), "\(r.text.prefix(200))")
        r = try get("/loki/api/v1/query_range?query=\(m)&\(past)&step=60")
        #expect(r.status == 200 && r.text.contains(#""resultType":"matrix","result":[]"#), "\(r.text.prefix(200))")
        r = try get("/loki/api/v1/query?query=\(m)&time=\(old)")
        #expect(r.status == 200 && r.text.contains(#""resultType":"vector","result":[]"#), "\(r.text.prefix(200))")
        r = try get("/loki/api/v1/labels?\(past)")
        #expect(r.status == 200 && r.text == #"{"status":"success"}"#, "\(r.text)")
        r = try get("/loki/api/v1/label/app/values?\(past)")
        #expect(r.status == 200 && r.text == #"{"status":"success"}"#, "\(r.text)")
        r = try get("/loki/api/v1/series?\(match)&\(past)")
        #expect(r.status == 200 && r.text == #"{"status":"success","data":[]}"#, "\(r.text)")
        // …or refusals.
        r = try get("/loki/api/v1/query?query=\(q)&time=\(old)")
        #expect(r.status == 400 && r.text.trimmingCharacters(in: .whitespacesAndNewlines) == Self.refusal, "\(r.text)")
        r = try get("/loki/api/v1/index/stats?query=\(q)&\(past)")
        #expect(r.status == 400 && r.text.trimmingCharacters(in: .whitespacesAndNewlines) == Self.refusal, "\(r.text)")

        // Reaching past it: cut at it (the old line is not seen).
        let reaching = "start=\(now - 3 * Self.hour)&end=\(now)"
        r = try get("/loki/api/v1/query_range?query=\(q)&\(reaching)")
        #expect(r.status == 200 && r.text.contains("mid line") && !r.text.contains("old line"), "\(r.text.prefix(300))")
        r = try get("/loki/api/v1/labels?\(reaching)")
        #expect(r.text == #"{"status":"success","data":["app"]}"#, "\(r.text)")
        r = try get("/loki/api/v1/series?\(match)&\(reaching)")
        #expect(r.text == #"{"status":"success","data":[{"app":"a"}]}"#, "\(r.text)")
        r = try get("/loki/api/v1/index/stats?query=\(q)&\(reaching)")
        #expect(r.text.contains(#""entries":1"#), "\(r.text)")
        // A metric query's windows are cut too: 3h back from now holds one line since the lookback.
        r = try get("/loki/api/v1/query?query=\(Self.encoded(#"count_over_time({app="a"}[3h])"#))&time=\(now)")
        #expect(r.status == 200 && r.text.contains(#","1"]"#), "\(r.text.prefix(300))")

        // A reversed range on a metadata endpoint: Loki's "no longer available" 400.
        r = try get("/loki/api/v1/labels?start=\(now)&end=\(now - Self.hour / 2)")
        #expect(r.status == 400 && r.text.trimmingCharacters(in: .whitespacesAndNewlines) == Self.refusal, "\(r.text)")
        // The server keeps serving.
        #expect(try get("/ready").status == 200)
    }

    /// Without a lookback (the default, 0s) a reversed range on `labels`, `label/<n>/values` and
    /// `series` is still refused, naming 0s, as Loki 2.8.11 refuses it; start = end is answered.
    @Test func reversedMetadataRangesAreRefusedWithoutALookback() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        let now = Bodies.now
        #expect(try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                              body: Bodies.json([("app=a", [(now - 1_000_000_000, "line")])])).status == 204)
        let reversed = "start=\(now)&end=\(now - Self.hour)"
        for path in ["labels?\(reversed)", "label/app/values?\(reversed)", "series?match%5B%5D=\(Self.encoded(#"{app="a"}"#))&\(reversed)"] {
            let r = try c.request("GET", "/loki/api/v1/" + path)
            #expect(r.status == 400, "\(path): \(r.status)")
            #expect(r.text.trimmingCharacters(in: .whitespacesAndNewlines) == "this data is no longer available, it is past now - max_query_lookback (0s)", "\(path): \(r.text)")
        }
        #expect(try c.request("GET", "/loki/api/v1/labels?start=\(now)&end=\(now)").status == 200)
    }
}
