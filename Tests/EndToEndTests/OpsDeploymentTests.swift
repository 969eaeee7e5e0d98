import Foundation
import HTTPProbe
import Testing
import TestSupport

/// The StatefulSet's promise, checked without a cluster: the server started with ops/k8s's exact
/// config and args — `/data` and `/etc/skald` mapped under a temporary root, the only change; the
/// port left to the kernel, since tests run side by side — passes its probes, takes a push,
/// survives kill -9 (a pod restart on the same volume) and serves the lines again; the preStop
/// hook's own command flushes a scale-down.
@Suite(.serialized) struct OpsDeploymentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func file(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func theStatefulSetsServerSurvivesKillNineOnItsVolume() throws {
        let manifest = try Self.file("ops/k8s/base/server-statefulset.yaml")
        let config = try Self.file("ops/k8s/base/config/skald.yaml")
        // The container's args, as the manifest gives them.
        #expect(manifest.contains("args:\n            - -config.file=/etc/skald/skald.yaml\n          ports:"))
        let dir = TestDirectory()
        let mapped = config.replacingOccurrences(of: "path_prefix: /data/", with: "path_prefix: \(dir.path)/data/")
        #expect(mapped != config && mapped.replacingOccurrences(of: dir.path, with: "") == config, "only /data is mapped")
        try FileManager.default.createDirectory(atPath: dir.path + "/etc/skald", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path + "/data", withIntermediateDirectories: true)
        let server = try ServerProcess(dir: dir.path + "/etc/skald", config: mapped)
        #expect(server.configPath == dir.path + "/etc/skald/skald.yaml")
        try server.start()
        var c = server.connection()
        // The probes' paths: startup and readiness /ready, liveness buildinfo.
        for path in ["/ready", "/loki/api/v1/status/buildinfo"] {
            #expect(manifest.contains("path: \(path)"))
            #expect(try c.request("GET", path).status == 200, "\(path)")
        }
        let lines = (0..<200).map { (Bodies.now - Int64(200 - $0) * 1_000_000, "pod line \($0)") }
        let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/x-protobuf")],
                              body: Bodies.protobuf([("namespace=default,pod=web-0", lines)]))
        #expect(r.status == 204, "\(r.text)")
        // The pod dies (kill -9) and comes back on the same volume.
        server.crash()
        try server.start()
        c = server.connection()
        let got = try c.lines(#"{namespace="default"}"#, limit: 1000)
        #expect(got.count == lines.count && Set(got) == Set(lines.map(\.1)), "\(got.count) lines after the restart")

        // Scale-down: the volume is marked, and the preStop hook's command flushes every stream.
        let hook = try #require(manifest.split(separator: "\n").first { $0.contains("if [ -e /data/flush-on-stop ]") })
        var command = String(hook.drop { $0 == " " || $0 == "-" })
        command = command.replacingOccurrences(of: "/data/", with: dir.path + "/data/")
            .replacingOccurrences(of: "skald-tool ", with: ToolEndToEndTests.tool + " ")
            .replacingOccurrences(of: "127.0.0.1:3100", with: "127.0.0.1:\(server.port)")
        FileManager.default.createFile(atPath: dir.path + "/data/flush-on-stop", contents: nil)
        let chunks = dir.path + "/data/skald/chunks"
        let before = (FileManager.default.enumerator(atPath: chunks)?.allObjects.count) ?? 0
        let (status, out) = try runBinary("/bin/sh", ["-c", command], stdout: true, stderr: true)
        #expect(status == 0, "\(out)")
        #expect(out.contains("flushed"), "\(out)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/data/flush-on-stop"))
        #expect(((FileManager.default.enumerator(atPath: chunks)?.allObjects.count) ?? 0) > before, "chunk files written")
        #expect(server.stop() == 0)
        // Without the mark the hook does nothing (a rolling restart leaves the WAL to replay).
        let (idle, _) = try runBinary("/bin/sh", ["-c", command], stdout: true, stderr: true)
        #expect(idle == 0)
        // A flush asked of no server: exit 2 and a message naming --addr.
        let (down, err) = try runBinary(ToolEndToEndTests.tool, ["ingester", "flush", "--addr", "http://127.0.0.1:1"], stdout: false, stderr: true)
        #expect(down == 2 && err.contains("--addr"), "\(err)")
        let (extra, _) = try runBinary(ToolEndToEndTests.tool, ["ingester", "flush", "stray"], stdout: false, stderr: true)
        #expect(extra == 2)
        // Restarted once more: still exactly the lines, from chunks now.
        try server.start()
        #expect(Set(try server.connection().lines(#"{namespace="default"}"#, limit: 1000)) == Set(lines.map(\.1)))
        server.stop()
    }

    /// The configs ops/ ships load in the binaries that will read them.
    @Test func theShippedConfigsLoad() throws {
        let skald = ServerProcess.binary
        let agent = URL(fileURLWithPath: skald).deletingLastPathComponent().appendingPathComponent("skald-agent").path
        for config in ["ops/skald.yaml", "ops/k8s/base/config/skald.yaml", "ops/k8s/overlays/external-compactor/skald.yaml"] {
            let (status, out) = try runBinary(skald, ["-verify-config", "-config.file=" + Self.root.appendingPathComponent(config).path], stdout: true, stderr: true)
            #expect(status == 0, "\(config): \(out)")
        }
        let (status, out) = try runBinary(agent, ["-check-syntax", "-config.file=" + Self.root.appendingPathComponent("ops/k8s/base/config/agent.yaml").path,
                                                  "-client.url=http://skald.skald.svc.cluster.local:3100/loki/api/v1/push"], stdout: true, stderr: true)
        #expect(status == 0, "\(out)")
    }
}
