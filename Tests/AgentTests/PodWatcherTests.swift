import AgentStages
import Foundation
import Logging
import Synchronization
import Testing
import TestSupport
@testable import Agent

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

    /// A rotated service-account token is what the next requests carry.
    @Test func requestsCarryTheTokenFileAsItIsNow() throws {
        let list = try KubernetesPodsTests.fixture("pods-list", "json")
        let server = FakeAPIServer(answers: [.init("/api/v1/pods?watch=true", 200, Data(), repeats: true), .init("/api/v1/pods", 200, list, repeats: true)])
        defer { server.stop() }
        let file = NSTemporaryDirectory() + "/skald-token-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "first\n".write(toFile: file, atomically: true, encoding: .utf8)
        var api = KubernetesAPI(server: "http://127.0.0.1:\(server.port)")
        api.bearerToken = BearerToken("first", file: file, refresh: 0)
        let w = PodWatcher(job: "j", config: AgentConfig.KubernetesDiscovery(), api: api, logger: Logger(label: "test")) { _ in }
        w.start()
        usleep(300_000)
        try "second\n".write(toFile: file, atomically: true, encoding: .utf8)  // what the kubelet does before the old one expires
        usleep(2_300_000)
        w.stop()
        let heads = server.heads.withLock { $0 }
        #expect(heads.first?.contains("Authorization: Bearer first") == true, "\(heads.first ?? "")")
        #expect(heads.last?.contains("Authorization: Bearer second") == true, "\(heads.last ?? "")")
    }

    @Test func aTokenFileIsReadAgainAtMostOncePerRefresh() throws {
        let file = NSTemporaryDirectory() + "/skald-token-r-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "one".write(toFile: file, atomically: true, encoding: .utf8)
        let start = Date()
        let t = BearerToken("one", file: file, refresh: 60)
        try "two".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(t.current(now: start.addingTimeInterval(30)) == "one", "not yet read again")
        #expect(t.current(now: start.addingTimeInterval(61)) == "two")
        try FileManager.default.removeItem(atPath: file)
        #expect(t.current(now: start.addingTimeInterval(200)) == "two", "unreadable later: the last token read")
        #expect(BearerToken("inline").current(now: start.addingTimeInterval(1000)) == "inline")
    }

    /// A server (or proxy) that ends every watch at once gets a watch a second, not a tight loop.
    @Test func watchesEndedAtOnceAreNotRepeatedInATightLoop() throws {
        let list = try KubernetesPodsTests.fixture("pods-list", "json")
        let server = FakeAPIServer(answers: [.init("/api/v1/pods?watch=true", 200, Data(), repeats: true), .init("/api/v1/pods", 200, list, repeats: true)])
        defer { server.stop() }
        var c = AgentConfig.KubernetesDiscovery()
        c.apiServer = "http://127.0.0.1:\(server.port)"
        let w = PodWatcher(job: "j", config: c, api: try KubernetesAPI.resolve(c, environment: [:]), logger: Logger(label: "test")) { _ in }
        w.start()
        usleep(2_500_000)
        w.stop()
        let watches = server.requests.withLock { $0.filter { $0.contains("watch=true") }.count }
        #expect((2...4).contains(watches), "\(watches) watches in 2.5 s")
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
        #expect(inCluster.bearerToken?.current() == "tok" && inCluster.bearerToken?.file == dir + "/token")
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
        #expect(kc.bearerToken?.current() == "abc" && kc.bearerToken?.file == nil)
        #expect(try String(contentsOfFile: try #require(kc.tls.caFile), encoding: .utf8) == "CA")
        try "contexts: []".write(toFile: dir + "/bad", atomically: true, encoding: .utf8)
        c.kubeconfigFile = dir + "/bad"
        #expect(throws: AgentConfigError.self) { try KubernetesAPI.resolve(c, environment: [:]) }
    }
}
