import Foundation
import HTTPProbe
import LogModel
import TestSupport
import Testing

/// `detected_labels`, `detected_fields` and `detected_field/<name>/values` (Loki 3's discovery
/// endpoints, used by Grafana's log exploration) against the real binary.
@Suite(.serialized) struct DetectedTests {
    @Test func labelsFieldsAndValuesAreDetected() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        let t = Bodies.now - 60 * 1_000_000_000
        var r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")], body: Bodies.json([
            ("app=api,env=prod,request_id=1", [(t, #"{"level":"error","status":500,"took":"12ms"}"#)]),
            ("app=api,env=dev,request_id=2", [(t + 1, #"{"level":"info","status":200,"took":"3ms"}"#)]),
            ("app=web,env=prod,request_id=3", [(t + 2, "level=warn size=10KB ok=true")]),
            ("app=web,env=prod,request_id=4", [(t + 3, "no fields at all ="), (t + 4, "level=debug size=2KB ok=false")]),
        ]))
        #expect(r.status == 204)
        let span = "&start=\(t - 1_000_000_000)&end=\(t + 60 * 1_000_000_000)"
        func get(_ path: String, _ query: String?, _ extra: String = "") throws -> HTTPConnection.Response {
            try c.request("GET", path + "?" + (query.map { "query=" + $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! } ?? "") + span + extra)
        }
        // Labels: request_id only holds ids and is left out.
        r = try get("/loki/api/v1/detected_labels", #"{app=~".+"}"#)
        #expect(r.status == 200)
        #expect(r.text == #"{"detectedLabels":[{"label":"app","cardinality":2},{"label":"env","cardinality":2}]}"#, "\(r.text)")
        r = try get("/loki/api/v1/detected_labels", nil)
        #expect(r.text.contains(#"{"label":"app","cardinality":2}"#))
        // Fields: json and logfmt, types guessed from the newest value.
        r = try get("/loki/api/v1/detected_fields", #"{app=~".+"}"#)
        #expect(r.status == 200)
        #expect(r.text == #"{"fields":[{"label":"level","type":"string","cardinality":4,"parsers":["logfmt","json"]},{"label":"ok","type":"boolean","cardinality":2,"parsers":["logfmt"]},{"label":"size","type":"bytes","cardinality":2,"parsers":["logfmt"]},{"label":"status","type":"int","cardinality":2,"parsers":["json"]},{"label":"took","type":"duration","cardinality":2,"parsers":["json"]}],"limit":1000}"#, "\(r.text)")
        r = try get("/loki/api/v1/detected_fields", #"{app=~".+"}"#, "&line_limit=1&limit=5")
        #expect(r.text == #"{"fields":[{"label":"level","type":"string","cardinality":1,"parsers":["logfmt"]},{"label":"ok","type":"boolean","cardinality":1,"parsers":["logfmt"]},{"label":"size","type":"bytes","cardinality":1,"parsers":["logfmt"]}],"limit":5}"#, "\(r.text)")
        r = try get("/loki/api/v1/detected_field/level/values", #"{app="api"}"#)
        #expect(r.text == #"{"values":["error","info"],"limit":1000}"#, "\(r.text)")
        r = try get("/loki/api/v1/detected_field/nope/values", #"{app="api"}"#)
        #expect(r.text == #"{"values":[],"limit":1000}"#, "\(r.text)")
        // The metadata endpoints read selectors with the LogQL parser: a pipeline is ignored, a
        // metric query refused, errors worded as Loki's.
        r = try get("/loki/api/v1/label/app/values", #"{env="prod"} |= "x" | logfmt"#)
        #expect(r.text == #"{"status":"success","data":["api","web"]}"#, "\(r.text)")
        r = try get("/loki/api/v1/labels", #"count_over_time({app="api"}[1m])"#)
        #expect(r.status == 400 && r.text.contains("stream selector"), "\(r.text)")
        r = try c.request("GET", "/loki/api/v1/series?match[]=" + #"{app="api""#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + span)
        #expect(r.status == 400 && r.text.contains("unexpected $end"), "\(r.text)")
        // Refusals.
        #expect(try get("/loki/api/v1/detected_fields", nil).status == 400)
        #expect(try get("/loki/api/v1/detected_fields", #"count_over_time({app="api"}[1m])"#).status == 400)
        #expect(try get("/loki/api/v1/detected_fields", #"{app="api"}"#, "&line_limit=0").status == 400)
        #expect(try get("/loki/api/v1/detected_labels", #"{app="api""#).status == 400)
        #expect(try c.request("GET", "/loki/api/v1/detected_labels?since=banana").status == 400)
        #expect(try c.request("GET", "/loki/api/v1/detected_labels?since=1h").status == 200)
    }
}
