import Foundation
import HTTPProbe
import Testing
import TestSupport

/// The seed's Promtail config run by the real `skald-agent` the way the DaemonSet runs it
/// (`-client.url`, `HOSTNAME` = the node), discovering pods from an API server that answers a list
/// and a watch stream (fixtures in Tests/AgentTests/Fixtures), tailing the pods' files in the
/// kubelet's layout, shipping to the real `skald` server.
@Suite(.serialized) struct AgentKubernetesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A docker `json-file` line (the seed's jobs run the `docker` stage).
    static func dockerLine(_ text: String) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return #"{"log":"\#(text)\n","stream":"stdout","time":"\#(f.string(from: Date().addingTimeInterval(-60)))"}"# + "\n"
    }

    /// Every line in the server, with its stream's labels.
    static func entries(_ server: ServerProcess) throws -> [(labels: [String: String], line: String)] {
        let end = Bodies.now + 3_600_000_000_000
        let q = #"{namespace=~".+"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let r = try server.connection().request("GET", "/loki/api/v1/query_range?query=\(q)&start=\(end - 7_200_000_000_000)&end=\(end)&limit=1000")
        guard r.status == 200 else { return [] }
        let data = (try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])?["data"] as? [String: Any]
        return (data?["result"] as? [[String: Any]] ?? []).flatMap { s in
            (s["values"] as? [[Any]] ?? []).map { (s["stream"] as? [String: String] ?? [:], $0[1] as? String ?? "") }
        }
    }

    @Test func theSeedConfigShipsThisNodesPodsFoundByKubernetesDiscovery() throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let fixtures = Self.root + "/Tests/AgentTests/Fixtures"
        let list = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/pods-list.json"))
        let events = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/pods-watch.jsonl"))
        // As an API server does: a watch from the list's version gets the events, later ones
        // nothing new; both stay open (the agent's watch asks for 60 s).
        let api = FakeAPIServer(answers: [
            .init("/api/v1/pods?watch=true&allowWatchBookmarks=true&timeoutSeconds=60&resourceVersion=1000", 200, events, hold: 60, repeats: true),
            .init("/api/v1/pods?watch=true", 200, Data(), hold: 60, repeats: true),
            .init("/api/v1/pods", 200, list, repeats: true),
        ])
        defer { api.stop() }

        // The kubelet's layout: <pods>/<namespace>_<pod>_<uid>/<container>/0.log (a static pod's
        // directory carries its config hash, the mirror annotation).
        let pods = dir.path + "/var/log/pods"
        func write(_ podDir: String, _ container: String, _ text: String) throws {
            try FileManager.default.createDirectory(atPath: "\(pods)/\(podDir)/\(container)", withIntermediateDirectories: true)
            try Self.dockerLine(text).write(toFile: "\(pods)/\(podDir)/\(container)/0.log", atomically: true, encoding: .utf8)
        }
        try write("shop_web-7d4b9c8f5d-x2x9q_11111111-aaaa-4bbb-8ccc-000000000001", "web", "web serves")
        try write("shop_web-7d4b9c8f5d-x2x9q_11111111-aaaa-4bbb-8ccc-000000000001", "sidecar", "sidecar watches")
        try write("jobs_batch-5f7b9d6c8-q7kzp_44444444-aaaa-4bbb-8ccc-000000000004", "worker", "batch works")
        try write("kube-system_kube-apiserver-node-1_5f8e0c1b2a", "kube-apiserver", "apiserver answers")
        try write("shop_pending-abc_55555555-aaaa-4bbb-8ccc-000000000005", "p", "pending runs")
        try write("logging_loki-0_22222222-aaaa-4bbb-8ccc-000000000002", "loki", "loki is on node-2")

        // The seed file, with only what a test must change: where the pods' logs and the positions
        // are, the API server's address (in a cluster: the service account), a short sync period.
        var config = try String(contentsOfFile: fixtures + "/promtail-seed.yaml", encoding: .utf8)
        for (from, to) in [("/var/log/pods/", pods + "/"), ("/run/promtail/positions.yaml", dir.path + "/positions.yaml"),
                           ("http_listen_port: 3101", "http_listen_port: 0"), ("sync_period: 10s", "sync_period: 200ms"),
                           ("  - role: pod\n", "  - role: pod\n    api_server: http://127.0.0.1:\(api.port)\n")] {
            #expect(config.contains(from), "the seed has \(from)")
            config = config.replacingOccurrences(of: from, with: to)
        }
        let agent = try AgentProcess(dir: dir.path, config: config)
        try agent.start(arguments: ["-client.url=http://127.0.0.1:\(server.port)/loki/api/v1/push"], environment: ["HOSTNAME": "node-1"])
        defer { agent.stop() }

        // The docker stage keeps the `log` field's newline, as Promtail's does (its `output` is `log`).
        let wanted: Set = ["web serves\n", "sidecar watches\n", "batch works\n", "apiserver answers\n", "pending runs\n"]
        var got: [(labels: [String: String], line: String)] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            got = (try? Self.entries(server)) ?? []
            if Set(got.map(\.line)).isSuperset(of: wanted) { break }
            usleep(200_000)
        }
        usleep(1_000_000)  // anything sent twice, or from node-2, would show by now
        got = try Self.entries(server)
        #expect(got.map(\.line).sorted() == wanted.sorted(), "\(got.map(\.line)); agent log:\n\(agent.log.suffix(3000))")
        func labels(_ line: String) -> [String: String] { got.first { $0.line == line + "\n" }?.labels ?? [:] }
        let web = labels("web serves")
        #expect(web["job"] == "shop/web" && web["namespace"] == "shop" && web["pod"] == "web-7d4b9c8f5d-x2x9q" && web["container"] == "web"
                && web["app"] == "web" && web["pod_template_hash"] == "7d4b9c8f5d" && web["stream"] == "stdout", "\(web)")
        // The file's path as the glob found it, cleaned (as Go's filepath.Glob joins it for Promtail).
        let webFile = "\(pods)/shop_web-7d4b9c8f5d-x2x9q_11111111-aaaa-4bbb-8ccc-000000000001/web/0.log".replacingOccurrences(of: "//", with: "/")
        #expect(web["filename"] == webFile, "\(web)")
        #expect(labels("sidecar watches")["container"] == "sidecar")
        #expect(labels("batch works")["job"] == "jobs/batch", "the ReplicaSet's hash left out: \(labels("batch works"))")
        #expect(labels("apiserver answers")["job"] == "kube-system/kube-apiserver", "\(labels("apiserver answers"))")
        #expect(labels("pending runs")["job"] == "shop/pending", "a pod the watch gave an IP: \(labels("pending runs"))")
        // The API server was asked as Promtail asks: a list, then watches from its version.
        let requests = api.requests.withLock { $0 }
        #expect(requests.contains { $0.hasPrefix("GET /api/v1/pods HTTP") })
        #expect(requests.contains { $0.contains("watch=true") && $0.contains("resourceVersion=1000") })
        #expect(agent.stop() == 0)
    }
}
