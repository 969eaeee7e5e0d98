import Foundation
import Relabel
import Yams

/// Turns a scrape config's discovered target groups into file targets, as Promtail's file target
/// manager does: each group's labels (plus `__address__`) go through `relabel_configs`; a target
/// relabeling drops, one without `__path__`, or one whose `__host__` is another node is skipped;
/// `__path__` is expanded as a glob (minus `__path_exclude__`); the target's labels are the ones
/// not starting with `__`, plus `filename` for each file.
public struct TargetDiscovery: Sendable {
    /// One file to tail, with the labels its entries start with.
    public struct FileTarget: Sendable, Equatable {
        public var job: String
        public var path: String
        public var labels: [String: String]
    }

    /// A discovered group: Prometheus' `targets` + `labels`.
    public struct Group: Sendable, Equatable {
        public var targets: [String]
        public var labels: [String: String]
        /// Labels of each target on top of the group's (Kubernetes: the container's); empty or one per target.
        public var perTarget: [[String: String]] = []
        public init(targets: [String], labels: [String: String]) {
            self.targets = targets
            self.labels = labels
        }
    }

    let scrape: AgentConfig.ScrapeConfig
    let relabeling: Relabeling
    /// This node's name, for `__host__` (Promtail: the HOSTNAME environment variable, else the host name).
    let hostname: String

    public init(_ scrape: AgentConfig.ScrapeConfig, hostname: String) throws(AgentConfigError) {
        self.scrape = scrape
        self.hostname = hostname
        do { relabeling = try Relabeling(configurations: scrape.relabelConfigs) } catch {
            throw AgentConfigError("scrape config \"\(scrape.jobName)\": \(error.message)")
        }
    }

    /// The groups of the static and file-discovery configs (Kubernetes groups come from `KubernetesDiscovery`).
    public func localGroups() -> (groups: [Group], errors: [String]) {
        var groups: [Group] = scrape.staticConfigs.map { Group(targets: $0.targets.isEmpty ? ["localhost"] : $0.targets, labels: $0.labels) }
        var errors: [String] = []
        for sd in scrape.fileSDConfigs {
            for pattern in sd.files {
                let files = pattern.contains("*") || pattern.contains("?") || pattern.contains("[") ? PathGlob(pattern).expand() : [pattern]
                for f in files {
                    do { groups += try Self.readFileSD(f) } catch { errors.append(error.message) }
                }
            }
        }
        return (groups, errors)
    }

    /// A file_sd file: a YAML or JSON list of `{targets: [...], labels: {...}}`.
    static func readFileSD(_ path: String) throws(AgentConfigError) -> [Group] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgentConfigError("file_sd file \(path) cannot be read")
        }
        let node: Node?
        do { node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self)) } catch {
            throw AgentConfigError("file_sd file \(path) is not YAML or JSON: \(error)")
        }
        guard let node else { return [] }
        guard case .sequence(let seq) = node else { throw AgentConfigError("file_sd file \(path) must hold a list of target groups") }
        var out: [Group] = []
        for item in seq {
            guard case .mapping(let m) = item else { throw AgentConfigError("file_sd file \(path): each group must be a mapping") }
            var g = Group(targets: [], labels: [:])
            for (k, v) in m {
                switch k.scalar?.string {
                case "targets": g.targets = v.sequence?.compactMap { $0.scalar?.string } ?? []
                case "labels": for (lk, lv) in v.mapping ?? [:] { if let n = lk.scalar?.string { g.labels[n] = lv.scalar?.string ?? "" } }
                default: throw AgentConfigError("file_sd file \(path): unknown key \"\(k.scalar?.string ?? "?")\" in a target group")
                }
            }
            out.append(g)
        }
        return out
    }

    /// The targets `groups` give after relabeling: dropped ones, those of another node (`__host__`)
    /// and those without `__path__` left out; `__` labels still in (what /targets shows).
    public func relabeled(_ groups: [Group]) -> [[String: String]] {
        var out: [[String: String]] = []
        for g in groups {
            for (i, t) in g.targets.enumerated() {
                var labels = g.labels
                if i < g.perTarget.count { labels.merge(g.perTarget[i]) { _, new in new } }
                labels["__address__"] = t
                guard let relabeled = relabeling.apply(labels) else { continue }
                if let host = relabeled["__host__"], !host.isEmpty, host != hostname { continue }
                guard let path = relabeled["__path__"], !path.isEmpty else { continue }
                out.append(relabeled)
            }
        }
        return out
    }

    /// The files `groups` resolve to.
    public func files(for groups: [Group]) -> [FileTarget] {
        var out: [FileTarget] = []
        var seen = Set<String>()
        for relabeled in relabeled(groups) {
            let path = relabeled["__path__"]!
            let exclude = relabeled["__path_exclude__"].flatMap { $0.isEmpty ? nil : PathGlob($0) }
            let publicLabels = relabeled.filter { !$0.key.hasPrefix("__") }
            let paths = PathGlob.isPattern(path) ? PathGlob(path).expand() : (FileManager.default.fileExists(atPath: path) ? [path] : [])
            for p in paths where exclude?.matches(p) != true && seen.insert(p).inserted {
                var l = publicLabels
                l["filename"] = p
                out.append(FileTarget(job: scrape.jobName, path: p, labels: l))
            }
        }
        return out
    }
}
