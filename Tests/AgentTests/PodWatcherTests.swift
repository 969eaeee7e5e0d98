import AgentStages
import Foundation
import Logging
import Synchronization
import Testing
@testable import Agent

/// A scripted API server on a local socket: each request gets the next canned answer whose path
/// prefix matches; the request lines are recorded.
final class FakeAPIServer: @unchecked Sendable {
    let fd: Int32
    let port: Int
    let answers: [(prefix: String, status: Int, body: Data)]
    let requests = Mutex<[String]>([])

    init(_ answers: [(String, Int, Data)]) {
        self.answers = answers.map { (prefix: $0.0, status: $0.1, body: $0.2) }
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        listen(s, 8)
        fd = s
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread.detachNewThread { [self] in serve() }
    }

    deinit { close(fd) }

    private func serve() {
        var used = 0
        while true {
            let c = accept(fd, nil, nil)
            guard c >= 0 else { return }
            var req: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            while !req.contains(0x0a) || !String(decoding: req, as: UTF8.self).contains("\r\n\r\n") {
                let n = read(c, &buf, buf.count)
                if n <= 0 { break }
                req += buf[0..<n]
            }
            let line = String(decoding: req, as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
            requests.withLock { $0.append(line) }
            let path = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            var answer: (prefix: String, status: Int, body: Data)?
            for (i, a) in answers.enumerated() where i >= used && path.hasPrefix(a.prefix) { answer = a; used = i + 1; break }
            let a = answer ?? ("", 500, Data("no more answers".utf8))
            let head = "HTTP/1.1 \(a.status) X\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            _ = head.utf8CString.withUnsafeBufferPointer { write(c, $0.baseAddress, $0.count - 1) }
            _ = a.body.withUnsafeBytes { write(c, $0.baseAddress, $0.count) }
            close(c)
        }
    }
}

@Suite struct PodWatcherTests {
    @Test func listsThenWatchesAndRelistsWhenTheVersionExpires() throws {
        let list = try KubernetesPodsTests.fixture("pods-list", "json")
        let watch = try KubernetesPodsTests.fixture("pods-watch", "jsonl")
        let gone = Data(#"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"}}"#.utf8 + [0x0a])
        let server = FakeAPIServer([
            ("/api/v1/pods?labelSelector=app%3Dweb", 200, list),
            ("/api/v1/pods?watch=true", 200, watch),
            ("/api/v1/pods?watch=true", 200, gone),
            ("/api/v1/pods?labelSelector", 200, list),
        ])
        var c = AgentConfig.KubernetesDiscovery()
        c.apiServer = "http://127.0.0.1:\(server.port)"
        c.bearerToken = "secret"
        c.labelSelector = "app=web"
        let api = try KubernetesAPI.resolve(c, environment: [:])
        let published = Mutex<[[TargetDiscovery.Group]]>([])
        let w = PodWatcher(job: "j", config: c, api: api, logger: Logger(label: "test")) { g in published.withLock { $0.append(g) } }
        w.start()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, server.requests.withLock({ $0.count }) < 4 { usleep(20_000) }
        usleep(100_000)
        w.stop()
        let requests = server.requests.withLock { $0 }
        #expect(requests.count >= 4, "\(requests)")
        #expect(requests[0].hasPrefix("GET /api/v1/pods?labelSelector=app%3Dweb"))
        #expect(requests[1].contains("watch=true") && requests[1].contains("resourceVersion=1000"), "the watch starts at the list's version")
        #expect(requests[2].contains("resourceVersion=1003"), "and resumes from the last event's (the bookmark)")
        #expect(requests[3].hasPrefix("GET /api/v1/pods?labelSelector"), "410: list again")
        let states = published.withLock { $0 }
        // After the list: 5 pods (one without an IP); after the watch: the pending pod has an IP, loki-0 is gone.
        #expect(states.first?.count == 5)
        let afterWatch = try #require(states.dropFirst().first { $0.count == 4 })
        #expect(afterWatch.contains { $0.labels["__meta_kubernetes_pod_name"] == "pending-abc" && $0.targets == ["10.244.1.10"] })
        #expect(!afterWatch.contains { $0.labels["__meta_kubernetes_pod_name"] == "loki-0" })
    }

    @Test func resolvingTheAPIServer() throws {
        var c = AgentConfig.KubernetesDiscovery()
        #expect(throws: AgentConfigError.self) { try KubernetesAPI.resolve(c, environment: [:]) }
        let dir = NSTemporaryDirectory() + "/skald-sa-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "tok\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        try "logging".write(toFile: dir + "/namespace", atomically: true, encoding: .utf8)
        let inCluster = try KubernetesAPI.resolve(c, environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], serviceAccountDir: dir)
        #expect(inCluster.server == "https://10.96.0.1:443")
        #expect(inCluster.bearerToken == "tok")
        #expect(inCluster.tls.caFile == dir + "/ca.crt")
        #expect(inCluster.ownNamespace == "logging")
        try """
            apiVersion: v1
            current-context: dev
            contexts: [{name: dev, context: {cluster: c1, user: u1}}]
            clusters: [{name: c1, cluster: {server: "https://k8s.example:6443", certificate-authority-data: "\(Data("CA".utf8).base64EncodedString())"}}]
            users: [{name: u1, user: {token: abc}}]
            """.write(toFile: dir + "/kubeconfig", atomically: true, encoding: .utf8)
        c.kubeconfigFile = dir + "/kubeconfig"
        let kc = try KubernetesAPI.resolve(c, environment: [:])
        #expect(kc.server == "https://k8s.example:6443")
        #expect(kc.bearerToken == "abc")
        #expect(try String(contentsOfFile: try #require(kc.tls.caFile), encoding: .utf8) == "CA")
        try "contexts: []".write(toFile: dir + "/bad", atomically: true, encoding: .utf8)
        c.kubeconfigFile = dir + "/bad"
        #expect(throws: AgentConfigError.self) { try KubernetesAPI.resolve(c, environment: [:]) }
    }
}
