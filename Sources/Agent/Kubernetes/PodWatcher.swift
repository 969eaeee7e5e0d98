public import AgentStages
import Foundation
public import Logging
import Synchronization

/// Lists and watches the pods of one scrape config's `kubernetes_sd_configs` entry (one thread per
/// namespace, or one for all), keeps each pod's target group, and publishes the whole set whenever
/// it changes. A watch that ends is resumed from the last resource version; one the server
/// refuses as too old (410) starts again with a list; failures are retried with backoff.
public final class PodWatcher: @unchecked Sendable {
    let job: String
    let config: AgentConfig.KubernetesDiscovery
    let api: KubernetesAPI
    let publish: @Sendable ([TargetDiscovery.Group]) -> Void
    let logger: Logger
    private let stopping = Atomic<Bool>(false)
    /// Guards each namespace path's pods (uid → group).
    private let pods = Mutex<[String: [String: TargetDiscovery.Group]]>([:])

    public init(job: String, config: AgentConfig.KubernetesDiscovery, api: KubernetesAPI, logger: Logger,
                publish: @escaping @Sendable ([TargetDiscovery.Group]) -> Void) {
        self.job = job
        self.config = config
        self.api = api
        self.logger = logger
        self.publish = publish
    }

    /// The API paths to list: every namespace, or the ones named (and the agent's own).
    var paths: [String] {
        var names = config.namespaces
        if config.ownNamespace, let own = api.ownNamespace { names.append(own) }
        return names.isEmpty ? ["/api/v1/pods"] : Array(Set(names)).sorted().map { "/api/v1/namespaces/\($0)/pods" }
    }

    var selectors: String {
        var q: [String] = []
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        if let l = config.labelSelector { q.append("labelSelector=" + (l.addingPercentEncoding(withAllowedCharacters: allowed) ?? l)) }
        if let f = config.fieldSelector { q.append("fieldSelector=" + (f.addingPercentEncoding(withAllowedCharacters: allowed) ?? f)) }
        return q.joined(separator: "&")
    }

    public func start() {
        for path in paths {
            let t = Thread { [self] in run(path) }
            t.name = "skald-agent-k8s"
            t.start()
        }
    }

    /// Stops at the next event or watch timeout (the threads are not waited for).
    public func stop() { stopping.store(true, ordering: .relaxed) }

    func headers() -> [String] {
        var h = ["Accept: application/json", "User-Agent: skald-agent/\(AgentVersion.version)"]
        if let t = api.bearerToken?.current() { h.append("Authorization: Bearer \(t)") }
        return h
    }

    var options: HTTPClient.Options {
        var o = HTTPClient.Options()
        o.tls = api.tls
        o.basicAuth = api.basicAuth
        o.timeoutNanos = 30_000_000_000
        o.maxResponseBytes = 512 << 20
        return o
    }

    private func run(_ path: String) {
        let http = HTTPClient()
        var backoff = 1.0
        while !stopping.load(ordering: .relaxed) {
            do {
                var version = try list(path, http)
                backoff = 1
                while !stopping.load(ordering: .relaxed) {
                    let began = Date()
                    guard let next = try watch(path, from: version, http) else { break }  // nil: relist
                    version = next
                    // A watch the server (or a proxy before it) ends at once is not asked again in a tight loop.
                    if Date().timeIntervalSince(began) < Self.minimumWatch { Thread.sleep(forTimeInterval: Self.minimumWatch) }
                }
            } catch {
                logger.error("kubernetes pod discovery failed; retrying", metadata: ["job": "\(job)", "path": "\(path)", "error": "\(error)"])
                Thread.sleep(forTimeInterval: backoff)
                backoff = min(backoff * 2, 30)
            }
        }
    }

    /// Seconds: a watch that ended sooner is followed by a pause this long.
    static let minimumWatch = 1.0

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Lists the pods under `path`; returns the list's resource version.
    func list(_ path: String, _ http: HTTPClient) throws -> String {
        let sel = selectors
        let r = try http.send("GET", api.server + path + (sel.isEmpty ? "" : "?" + sel), headers: headers(), options: options)
        guard r.status == 200 else { throw Failure(description: "list \(path): HTTP \(r.status): \(String(decoding: r.body.prefix(300), as: UTF8.self))") }
        let doc = try JSONValue.parse(r.body)
        var found: [String: TargetDiscovery.Group] = [:]
        if case .array(let items)? = doc["items"] {
            for p in items { if let (uid, g) = KubernetesPods.group(p) { found[uid] = g } }
        }
        pods.withLock { $0[path] = found }
        publishAll()
        return doc["metadata"]?["resourceVersion"]?.string ?? ""
    }

    /// Watches from `version` until the server ends the watch: the last version seen, or nil when
    /// the version is too old and a new list is needed.
    func watch(_ path: String, from version: String, _ http: HTTPClient) throws -> String? {
        var q = "watch=true&allowWatchBookmarks=true&timeoutSeconds=60&resourceVersion=\(version)"
        let sel = selectors
        if !sel.isEmpty { q += "&" + sel }
        var buffer: [UInt8] = []
        var last = version
        var relist = false
        var opts = options
        opts.timeoutNanos = 90_000_000_000
        let status = try http.stream(api.server + path + "?" + q, headers: headers(), options: opts) { [self] data in
            buffer += data
            while let nl = buffer.firstIndex(of: 0x0a) {
                let line = buffer[..<nl]
                defer { buffer.removeSubrange(...nl) }
                guard !line.isEmpty, let event = try? JSONValue.parse(line) else { continue }
                switch apply(event, path: path) {
                case .version(let v): if !v.isEmpty { last = v }
                case .expired: relist = true; return false
                case .ignored: break
                }
            }
            return !stopping.load(ordering: .relaxed)
        }
        if status == 410 { return nil }
        guard status == 200 || status == 0 else { throw Failure(description: "watch \(path): HTTP \(status)") }
        return relist ? nil : last
    }

    enum Applied: Equatable { case version(String), expired, ignored }

    /// Applies one watch event (`{"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": …}`).
    func apply(_ event: JSONValue, path: String) -> Applied {
        guard let type = event["type"]?.string, let object = event["object"] else { return .ignored }
        let version = object["metadata"]?["resourceVersion"]?.string ?? ""
        switch type {
        case "ADDED", "MODIFIED":
            guard let (uid, g) = KubernetesPods.group(object) else { return .ignored }
            pods.withLock { $0[path, default: [:]][uid] = g }
            publishAll()
        case "DELETED":
            guard let uid = object["metadata"]?["uid"]?.string else { return .ignored }
            pods.withLock { _ = $0[path]?.removeValue(forKey: uid) }
            publishAll()
        case "BOOKMARK":
            break
        case "ERROR":
            // A Status object: 410 Gone means the version is too old to watch from.
            if case .number(let code)? = object["code"], code == 410 { return .expired }
            return .ignored
        default:
            return .ignored
        }
        return .version(version)
    }

    private func publishAll() {
        let groups = pods.withLock { $0.values.flatMap { $0.values } }
        publish(groups)
    }

    /// The pods known now (for tests).
    var groups: [TargetDiscovery.Group] { pods.withLock { $0.values.flatMap { $0.values } } }
}
