import Foundation
import Testing
import Yams

/// ops/: the Kubernetes manifests (kustomize base and overlay) and the Helm chart (default and
/// non-default values) render to objects that validate against Kubernetes' OpenAPI schemas
/// offline (`kubernetes-validate --strict`, installed by scripts/test), and hold what the
/// deployment promises: one server owning one volume, probes that spare a replaying pod, non-root
/// read-only containers, the agent pointed at the server, a CronJob that cannot overlap.
@Suite struct OpsManifestTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let k8s = root.appendingPathComponent("ops/k8s")
    static let chart = root.appendingPathComponent("ops/helm/skald")
    static let custom = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/values-custom.yaml")

    // MARK: validation

    /// The validator: $SKALD_K8S_VALIDATE, else `kubernetes-validate` on the PATH or in scripts/test's venv.
    static var validator: String? {
        if let v = ProcessInfo.processInfo.environment["SKALD_K8S_VALIDATE"], !v.isEmpty { return v }
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/kubernetes-validate" }
            + [root.appendingPathComponent(".build/ops-venv/bin/kubernetes-validate").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs the validator on `yaml`; its exit status and output.
    static func validate(_ yaml: String) throws -> (Int32, String) {
        guard let validator else {
            Issue.record("kubernetes-validate not found: run scripts/test (it installs it into .build/ops-venv) or set SKALD_K8S_VALIDATE")
            return (-1, "")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("skald-ops-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: validator)
        p.arguments = ["--strict", "--quiet", "--no-warn", file.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, out)
    }

    static func stream(_ objects: [[String: Any]]) throws -> String {
        try objects.map { try Yams.dump(object: $0, sortKeys: true) }.joined(separator: "---\n")
    }

    static func objects(_ yaml: String) throws -> [[String: Any]] {
        try Yams.load_all(yaml: yaml).compactMap { $0 as? [String: Any] }
    }

    static func find(_ objects: [[String: Any]], _ kind: String) -> [[String: Any]] {
        objects.filter { $0["kind"] as? String == kind }
    }

    /// A ConfigMap's data entry (its key has a dot, which `at` would split).
    static func data(_ o: Any?, _ key: String) -> Any? { (at(o, "data") as? [String: Any])?[key] }

    static func at(_ o: Any?, _ path: String) -> Any? {
        var v = o
        for key in path.split(separator: ".") {
            if let i = Int(key), let l = v as? [Any] { v = i < l.count ? l[i] : nil } else { v = (v as? [String: Any])?[String(key)] }
        }
        return v
    }

    @Test func theValidatorRejectsWhatIsNotAKubernetesObject() throws {
        let bad = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\nspec:\n  servicName: x\n  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}\n"
        let (status, out) = try Self.validate(bad)
        #expect(status != 0 && out.contains("servicName"), "\(out)")
    }

    // MARK: kustomize

    @Test func theKustomizeBaseIsValidAndKeepsItsPromises() throws {
        let objects = try KustomizeRenderer().render(Self.k8s)
        let (status, out) = try Self.validate(try Self.stream(objects))
        #expect(status == 0, "\(out)")
        try Self.checkServer(objects, release: "skald", namespace: "skald")
        // The generated config is the one mounted, and it is the repository's config file.
        let sts = Self.find(objects, "StatefulSet")[0]
        let cmName = Self.at(sts, "spec.template.spec.volumes.0.configMap.name") as? String
        let cm = Self.find(objects, "ConfigMap").first { Self.at($0, "metadata.name") as? String == cmName }
        #expect(cm != nil && (Self.data(cm, "skald.yaml") as? String)?.contains("path_prefix: /data/skald") == true, "\(cmName ?? "none")")
        // The agent: on every node, pushing to the skald Service, with the seed's five jobs.
        let ds = Self.find(objects, "DaemonSet")[0]
        let args = Self.at(ds, "spec.template.spec.containers.0.args") as? [String] ?? []
        #expect(args.contains("-client.url=http://skald.skald.svc.cluster.local:3100/loki/api/v1/push"))
        #expect((Self.at(ds, "spec.template.spec.tolerations") as? [Any])?.isEmpty == false)
        let mounts = Self.at(ds, "spec.template.spec.containers.0.volumeMounts") as? [[String: Any]] ?? []
        #expect(mounts.contains { $0["mountPath"] as? String == "/var/log/pods" && $0["readOnly"] as? Bool == true })
        #expect(mounts.contains { $0["mountPath"] as? String == "/run/skald-agent" })
        let agentConfig = Self.find(objects, "ConfigMap").compactMap { Self.data($0, "agent.yaml") as? String }.first ?? ""
        #expect((try Yams.load(yaml: agentConfig) as? [String: Any]).flatMap { ($0["scrape_configs"] as? [Any])?.count } == 5)
        let binding = Self.find(objects, "ClusterRoleBinding")[0]
        #expect(Self.at(binding, "subjects.0.namespace") as? String == "skald")
        #expect(Self.find(objects, "CronJob").isEmpty)
    }

    @Test func theExternalCompactorOverlayAddsACronJobThatCannotOverlap() throws {
        let objects = try KustomizeRenderer().render(Self.k8s.appendingPathComponent("overlays/external-compactor"))
        let (status, out) = try Self.validate(try Self.stream(objects))
        #expect(status == 0, "\(out)")
        let cron = Self.find(objects, "CronJob")
        #expect(cron.count == 1)
        #expect(Self.at(cron.first, "spec.concurrencyPolicy") as? String == "Forbid")
        let args = Self.at(cron.first, "spec.jobTemplate.spec.template.spec.containers.0.args") as? [String] ?? []
        #expect(args == ["compact", "--once", "--server", "http://skald-0.skald-headless.skald.svc.cluster.local:3100"])
        // The server's config was replaced by the overlay's: no periodic pass, the CronJob's instead.
        let configs = Self.find(objects, "ConfigMap").compactMap { Self.data($0, "skald.yaml") as? String }
        #expect(configs.count == 1 && configs[0].contains("compaction_interval: 0s"), "\(configs)")
        let sts = Self.find(objects, "StatefulSet")[0]
        let mounted = Self.at(sts, "spec.template.spec.volumes.0.configMap.name") as? String
        #expect(Self.find(objects, "ConfigMap").contains { Self.at($0, "metadata.name") as? String == mounted })
    }

    /// Where kubectl is installed, its kustomize makes the same objects (names up to the hash).
    @Test func kubectlKustomizeAgreesWhereItIsInstalled() throws {
        let kubectl = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let kubectl else { return } // (the renderer above is checked on its own)
        for dir in [Self.k8s, Self.k8s.appendingPathComponent("overlays/external-compactor")] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: kubectl)
            p.arguments = ["kustomize", dir.path]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            func key(_ o: [String: Any]) -> String {
                let name = Self.at(o, "metadata.name") as? String ?? ""
                let kind = o["kind"] as? String ?? ""
                return kind + "/" + (kind == "ConfigMap" ? String(name.dropLast(11)) : name) + "@" + (Self.at(o, "metadata.namespace") as? String ?? "")
            }
            let theirs = try Self.objects(text)
            let ours = try KustomizeRenderer().render(dir)
            #expect(Set(theirs.map(key)) == Set(ours.map(key)), "\(dir.lastPathComponent)")
            // Same data in every object but the generated names.
            for o in ours where o["kind"] as? String != "ConfigMap" {
                let t = theirs.first { key($0) == key(o) }
                let strip = { (x: [String: Any]) in try Yams.dump(object: x, sortKeys: true).replacingOccurrences(of: #"-[0-9a-z]{10}\b"#, with: "", options: .regularExpression) }
                #expect(try t.map(strip) == (try strip(o)), "\(key(o))")
            }
        }
    }

    // MARK: Helm

    @Test func theChartRendersValidObjectsWithItsDefaults() throws {
        let rendered = try ChartRenderer(chart: Self.chart).render()
        let yaml = rendered.map(\.yaml).joined(separator: "\n---\n")
        let (status, out) = try Self.validate(yaml)
        #expect(status == 0, "\(out)")
        let objects = try Self.objects(yaml)
        try Self.checkServer(objects, release: "skald", namespace: "skald")
        #expect(Self.find(objects, "DaemonSet").count == 1)
        #expect(Self.find(objects, "CronJob").isEmpty)
        let sts = Self.find(objects, "StatefulSet")[0]
        #expect(Self.at(sts, "spec.template.spec.containers.0.image") as? String == "skald:0.1.0")
        #expect(Self.at(sts, "spec.volumeClaimTemplates.0.spec.storageClassName") == nil)
        #expect(Self.at(sts, "spec.template.spec.containers.0.startupProbe.failureThreshold") as? Int == 360)
    }

    @Test func theChartRendersValidObjectsWithEveryValueTurned() throws {
        let values = try String(contentsOf: Self.custom, encoding: .utf8)
        let rendered = try ChartRenderer(chart: Self.chart).render(overrides: values, release: "logs", namespace: "observability")
        let yaml = rendered.map(\.yaml).joined(separator: "\n---\n")
        let (status, out) = try Self.validate(yaml)
        #expect(status == 0, "\(out)")
        let objects = try Self.objects(yaml)
        try Self.checkServer(objects, release: "logs", namespace: "observability")
        #expect(Self.find(objects, "DaemonSet").isEmpty && Self.find(objects, "ClusterRole").isEmpty) // agent off
        let sts = Self.find(objects, "StatefulSet")[0]
        #expect(Self.at(sts, "spec.template.spec.containers.0.image") as? String == "registry.example.com/skald:0.2.0")
        #expect(Self.at(sts, "spec.volumeClaimTemplates.0.spec.storageClassName") as? String == "fast-ssd")
        #expect(Self.at(sts, "spec.volumeClaimTemplates.0.spec.resources.requests.storage") as? String == "200Gi")
        #expect(Self.at(sts, "spec.template.spec.nodeSelector.disktype") as? String == "ssd")
        #expect(Self.at(sts, "spec.template.spec.containers.0.startupProbe.failureThreshold") as? Int == 120)
        let config = Self.find(objects, "ConfigMap").compactMap { Self.data($0, "skald.yaml") as? String }.first ?? ""
        let parsed = try Yams.load(yaml: config) as? [String: Any]
        #expect(Self.at(parsed, "compactor.compaction_interval") as? String == "0s")
        #expect(Self.at(parsed, "compactor.retention_enabled") as? Bool == false)
        #expect(Self.at(parsed, "limits_config.ingestion_rate_mb") as? Int == 16)
        #expect(Self.at(parsed, "ingester.memory_budget") as? String == "512MB")
        let cron = Self.find(objects, "CronJob")
        #expect(cron.count == 1 && Self.at(cron.first, "spec.schedule") as? String == "15 2 * * 0")
        #expect((Self.at(cron.first, "spec.jobTemplate.spec.template.spec.containers.0.args") as? [String])?.last
                == "http://logs-0.logs-headless.observability.svc.cluster.local:3100")
        // A config change rolls the pod: the checksum annotation differs from the default's.
        let defaults = try Self.objects(try ChartRenderer(chart: Self.chart).render().map(\.yaml).joined(separator: "\n---\n"))
        let sum = { (o: [[String: Any]]) in Self.at(Self.find(o, "StatefulSet").first, "spec.template.metadata.annotations.checksum/config") as? String }
        #expect(sum(objects) != nil && sum(objects)?.count == 64 && sum(objects) != sum(defaults))
    }

    /// The chart's default configs are ops/k8s's: one deployment, two ways to apply it.
    @Test func theChartAndTheKustomizeBaseCarryTheSameConfigs() throws {
        let objects = try Self.objects(try ChartRenderer(chart: Self.chart).render().map(\.yaml).joined(separator: "\n---\n"))
        for (key, file) in [("skald.yaml", "base/config/skald.yaml"), ("agent.yaml", "base/config/agent.yaml")] {
            let fromChart = Self.find(objects, "ConfigMap").compactMap { Self.data($0, key) as? String }.first ?? ""
            let chartConfig = try Yams.load(yaml: fromChart) as? NSDictionary
            let baseConfig = try Yams.load(yaml: String(contentsOf: Self.k8s.appendingPathComponent(file), encoding: .utf8)) as? NSDictionary
            #expect(chartConfig != nil && chartConfig == baseConfig, "\(key)")
        }
    }

    @Test func theRendererFailsOnATemplateError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skald-chart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("templates"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name: x\nversion: 0.0.1\n".write(to: dir.appendingPathComponent("Chart.yaml"), atomically: true, encoding: .utf8)
        try "a: 1\n".write(to: dir.appendingPathComponent("values.yaml"), atomically: true, encoding: .utf8)
        try "x: {{ .Values.a | nosuchfunction }}\n".write(to: dir.appendingPathComponent("templates/bad.yaml"), atomically: true, encoding: .utf8)
        #expect(throws: ChartRenderer.Failure.self) { try ChartRenderer(chart: dir).render() }
    }

    /// What every rendering of the server must hold.
    static func checkServer(_ objects: [[String: Any]], release: String, namespace: String) throws {
        let sts = find(objects, "StatefulSet")
        #expect(sts.count == 1)
        let s = sts.first
        #expect(at(s, "spec.replicas") as? Int == 1)
        #expect(at(s, "metadata.namespace") as? String == namespace)
        let headless = find(objects, "Service").first { at($0, "spec.clusterIP") as? String == "None" }
        #expect(headless != nil && at(s, "spec.serviceName") as? String == at(headless, "metadata.name") as? String)
        #expect(find(objects, "Service").contains { at($0, "metadata.name") as? String == release && at($0, "spec.type") as? String == "ClusterIP" })
        #expect(at(s, "spec.volumeClaimTemplates.0.spec.accessModes.0") as? String == "ReadWriteOnce")
        let c = at(s, "spec.template.spec.containers.0")
        #expect(at(c, "args") as? [String] == ["-config.file=/etc/skald/skald.yaml"])
        #expect((at(c, "volumeMounts") as? [[String: Any]])?.contains { $0["name"] as? String == "data" && $0["mountPath"] as? String == "/data" } == true)
        #expect(at(c, "readinessProbe.httpGet.path") as? String == "/ready")
        #expect(at(c, "startupProbe.httpGet.path") as? String == "/ready")
        // Liveness must not fail while the WAL replays (/ready is 503 then).
        #expect(at(c, "livenessProbe.httpGet.path") as? String != "/ready")
        #expect((at(c, "startupProbe.failureThreshold") as? Int ?? 0) * (at(c, "startupProbe.periodSeconds") as? Int ?? 0) >= 600)
        #expect(at(c, "securityContext.readOnlyRootFilesystem") as? Bool == true)
        #expect(at(c, "securityContext.capabilities.drop") as? [String] == ["ALL"])
        #expect(at(s, "spec.template.spec.securityContext.runAsUser") as? Int == 10001)
        #expect(at(s, "spec.template.spec.securityContext.fsGroup") as? Int == 10001)
        #expect(at(s, "spec.template.spec.securityContext.runAsNonRoot") as? Bool == true)
        #expect((at(c, "lifecycle.preStop.exec.command") as? [String])?.last?.contains("skald-tool ingester flush") == true)
        #expect((at(s, "spec.template.spec.terminationGracePeriodSeconds") as? Int ?? 0) >= 60)
        #expect(at(c, "resources.limits.memory") != nil && at(c, "resources.requests.memory") != nil)
        #expect((at(c, "ports") as? [[String: Any]])?.map { $0["name"] as? String } == ["http-metrics", "grpc"])
        #expect(find(objects, "PodDisruptionBudget").count == 1)
    }
}
