import Foundation
import HTTPProbe
import TestSupport
import Testing

/// `/loki/api/v1/index/volume` and `volume_range` against the real binary: grouping by the
/// selector's labels, `targetLabels`, `aggregateBy=labels`, ranking and `limit`, buckets that add
/// up to the total, and the refusals.
@Suite(.serialized) struct VolumeTests {
    static func json(_ r: HTTPConnection.Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
    }

    /// metric labels → value, from a vector answer.
    static func vector(_ r: HTTPConnection.Response) throws -> [(labels: [String: String], value: Double)] {
        let data = try #require(try json(r)["data"] as? [String: Any])
        #expect(data["resultType"] as? String == "vector")
        return try #require(data["result"] as? [[String: Any]]).map { s in
            (s["metric"] as? [String: String] ?? [:], Double((s["value"] as? [Any])?[1] as? String ?? "") ?? -1)
        }
    }

    @Test func volumesGroupRankAndAddUp() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        let t = Bodies.now - 600 * 1_000_000_000
        func lines(_ n: Int, _ size: Int, from: Int64) -> [(Int64, String)] {
            (0..<n).map { (from + Int64($0) * 1_000_000_000, String(repeating: "x", count: size)) }
        }
        let push = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")], body: Bodies.json([
            ("app=a,env=prod,pod=1", lines(100, 200, from: t)), ("app=a,env=dev,pod=2", lines(50, 100, from: t)),
            ("app=b,env=prod,pod=3", lines(10, 50, from: t)),
        ]))
        #expect(push.status == 204)
        let span = "&start=\(t - 1_000_000_000)&end=\(t + 300 * 1_000_000_000)"
        func get(_ path: String, _ query: String, _ extra: String = "") throws -> HTTPConnection.Response {
            try c.request("GET", path + "?query=" + query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + span + extra)
        }
        func statsBytes(_ q: String) throws -> Double {
            let r = try get("/loki/api/v1/index/stats", q)
            return try #require(try Self.json(r)["bytes"] as? Double)
        }
        // Grouped by the selector's label names, largest first; each group's bytes are index/stats' bytes.
        var v = try Self.vector(get("/loki/api/v1/index/volume", #"{app=~".+"}"#))
        #expect(v.map(\.labels) == [["app": "a"], ["app": "b"]])
        #expect(v[0].value == (try statsBytes(#"{app="a"}"#)))
        #expect(v[1].value == (try statsBytes(#"{app="b"}"#)))
        #expect(v[0].value > v[1].value && v[1].value >= 500)
        v = try Self.vector(get("/loki/api/v1/index/volume", #"{app="a", env=~".+"}"#))
        #expect(v.map(\.labels) == [["app": "a", "env": "prod"], ["app": "a", "env": "dev"]])
        // targetLabels, limit, aggregateBy=labels.
        v = try Self.vector(get("/loki/api/v1/index/volume", #"{app=~".+"}"#, "&targetLabels=env&limit=1"))
        #expect(v.map(\.labels) == [["env": "prod"]])
        #expect(v[0].value == (try statsBytes(#"{env="prod"}"#)))
        v = try Self.vector(get("/loki/api/v1/index/volume", #"{app=~".+"}"#, "&targetLabels=env,pod&aggregateBy=labels"))
        #expect(Set(v.map(\.labels)) == [["env": ""], ["pod": ""]])
        #expect(v.allSatisfy { $0.value == v[0].value })
        // volume_range: buckets add up to the total.
        let r = try get("/loki/api/v1/index/volume_range", #"{app="a"}"#, "&step=60")
        let data = try #require(try Self.json(r)["data"] as? [String: Any])
        #expect(data["resultType"] as? String == "matrix")
        let series = try #require(data["result"] as? [[String: Any]])
        #expect(series.count == 1)
        let points = (series.first?["values"] as? [[Any]]) ?? []
        #expect(points.count > 1)
        let sum = points.reduce(0.0) { $0 + (Double($1[1] as? String ?? "") ?? 0) }
        #expect(sum == (try statsBytes(#"{app="a"}"#)))
        // Refusals.
        #expect(try get("/loki/api/v1/index/volume", #"{app="a"} |= "x""#).status == 400)
        #expect(try get("/loki/api/v1/index/volume", #"{app="a"}"#, "&aggregateBy=pods").status == 400)
        #expect(try get("/loki/api/v1/index/volume", #"{app="a""#).status == 400)
        #expect(try get("/loki/api/v1/index/volume_range", #"{app="a"}"#, "&step=0").status == 400)
        #expect(try c.request("GET", "/loki/api/v1/index/volume" + "?" + span.dropFirst()).status == 400)
    }

    @Test func volumesCanBeTurnedOff() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config(extraLimits: "  volume_enabled: false"))
        try server.start()
        let r = try server.connection().request("GET", "/loki/api/v1/index/volume?query=%7Bapp%3D%22a%22%7D")
        #expect(r.status == 404)
    }
}
