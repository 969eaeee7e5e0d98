import AgentStages
import Foundation
import Testing
@testable import Agent

/// The seed's five pod jobs over a pod list written after the API's schema (Deployment, StatefulSet,
/// static mirror pod, a ReplicaSet pod without app/name labels, a pending pod).
@Suite struct KubernetesPodsTests {
    static func fixture(_ name: String, _ ext: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"))
        return try Data(contentsOf: url)
    }

    static func groups() throws -> [TargetDiscovery.Group] {
        let doc = try JSONValue.parse(try fixture("pods-list", "json"))
        guard case .array(let items)? = doc["items"] else { return [] }
        return items.compactMap { KubernetesPods.group($0)?.group }
    }

    @Test func podMetaLabels() throws {
        let g = try Self.groups()
        #expect(g.count == 5)
        let web = g[0]
        #expect(web.targets == ["10.244.1.5:8080", "10.244.1.5"])
        #expect(web.labels["__meta_kubernetes_pod_label_pod_template_hash"] == "7d4b9c8f5d")
        #expect(web.labels["__meta_kubernetes_pod_labelpresent_app"] == "true")
        #expect(web.labels["__meta_kubernetes_pod_controller_kind"] == "ReplicaSet")
        #expect(web.labels["__meta_kubernetes_pod_controller_name"] == "web-7d4b9c8f5d")
        #expect(web.labels["__meta_kubernetes_pod_ready"] == "true")
        #expect(web.labels["__meta_kubernetes_pod_node_name"] == "node-1")
        #expect(web.perTarget[0]["__meta_kubernetes_pod_container_port_number"] == "8080")
        #expect(web.perTarget[0]["__meta_kubernetes_pod_container_port_name"] == "http")
        #expect(web.perTarget[1]["__meta_kubernetes_pod_container_name"] == "sidecar")
        #expect(web.perTarget[1]["__meta_kubernetes_pod_container_id"] == "containerd://bbb")
        #expect(g[1].labels["__meta_kubernetes_pod_ready"] == "false")
        #expect(g[2].labels["__meta_kubernetes_pod_annotation_kubernetes_io_config_mirror"] == "5f8e0c1b2a")
        #expect(g[3].perTarget.map { $0["__meta_kubernetes_pod_container_init"] } == ["false", "true"])
        #expect(g[4].targets.isEmpty, "a pod without an IP has no target yet")
    }

    @Test func theSeedJobsYieldPromtailsTargets() throws {
        let config = try AgentConfigLoader.parse(try AgentConfigLoaderTests.seed(), clientURL: "http://x/loki/api/v1/push").config
        let groups = try Self.groups()
        var byJob: [String: [[String: String]]] = [:]
        for s in config.scrapeConfigs {
            byJob[s.jobName] = try TargetDiscovery(s, hostname: "node-1").relabeled(groups)
        }
        func pub(_ l: [String: String]) -> [String: String] { l.filter { !$0.key.hasPrefix("__") } }

        // kubernetes-pods-name: pods with a `name` label — loki-0 runs on node-2, so node-1 ships nothing of it.
        #expect(byJob["kubernetes-pods-name"]!.isEmpty)
        let onNode2 = try TargetDiscovery(config.scrapeConfigs[0], hostname: "node-2").relabeled(groups)
        #expect(onNode2.count == 1)
        #expect(pub(onNode2[0]) == ["job": "logging/loki", "namespace": "logging", "pod": "loki-0", "container": "loki", "name": "loki",
                                    "statefulset_kubernetes_io_pod_name": "loki-0"])
        #expect(onNode2[0]["__path__"] == "/var/log/pods/*22222222-aaaa-4bbb-8ccc-000000000002/loki/*.log")

        // kubernetes-pods-app: the web pod's two containers.
        let app = byJob["kubernetes-pods-app"]!
        #expect(app.map { $0["container"] } == ["web", "sidecar"])
        #expect(pub(app[0]) == ["job": "shop/web", "namespace": "shop", "pod": "web-7d4b9c8f5d-x2x9q", "container": "web", "app": "web",
                                "pod_template_hash": "7d4b9c8f5d"])
        #expect(app[1]["__path__"] == "/var/log/pods/*11111111-aaaa-4bbb-8ccc-000000000001/sidecar/*.log")

        // kubernetes-pods-direct-controllers: no name/app label, controller not a ReplicaSet hash — the static pod (its Node).
        let direct = byJob["kubernetes-pods-direct-controllers"]!
        #expect(direct.map { $0["job"] } == ["kube-system/node-1"])

        // kubernetes-pods-indirect-controller: the ReplicaSet pod without app/name, both containers, service without the hash.
        let indirect = byJob["kubernetes-pods-indirect-controller"]!
        #expect(indirect.map { $0["job"] } == ["jobs/batch", "jobs/batch"])
        #expect(indirect.map { $0["container"] } == ["worker", "setup"])

        // kubernetes-pods-static: the mirror pod, its path from the mirror annotation.
        let stat = byJob["kubernetes-pods-static"]!
        #expect(stat.count == 1)
        #expect(stat[0]["job"] == "kube-system/kube-apiserver")
        #expect(stat[0]["__path__"] == "/var/log/pods/*5f8e0c1b2a/kube-apiserver/*.log")
    }
}
