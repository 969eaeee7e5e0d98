public import Foundation
import Yams

/// Where and how to reach the Kubernetes API server: `api_server` with its own credentials, a
/// kubeconfig file (its current context), or — with neither — the pod's service account
/// (in-cluster: `KUBERNETES_SERVICE_HOST`/`_PORT`, the token and CA under
/// /var/run/secrets/kubernetes.io/serviceaccount), as Prometheus' discovery resolves it.
public struct KubernetesAPI: Sendable {
    public var server: String
    /// Read again from its file while running (service-account tokens are rotated).
    public var bearerToken: BearerToken?
    public var tls = AgentConfig.TLS()
    public var basicAuth: (username: String, password: String)?
    /// The namespace the agent runs in (in-cluster), for `own_namespace`.
    public var ownNamespace: String?

    public static let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

    public init(server: String) { self.server = server }

    public static func resolve(_ c: AgentConfig.KubernetesDiscovery, environment: [String: String] = ProcessInfo.processInfo.environment,
                               serviceAccountDir: String = serviceAccount) throws(AgentConfigError) -> KubernetesAPI {
        if let server = c.apiServer, !server.isEmpty {
            var api = KubernetesAPI(server: server)
            api.tls = c.tls
            if let t = c.bearerToken { api.bearerToken = BearerToken(t) }
            if let f = c.bearerTokenFile { api.bearerToken = BearerToken(try read(f, what: "bearer_token_file"), file: f) }
            return api
        }
        if let file = c.kubeconfigFile, !file.isEmpty { return try kubeconfig(file) }
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
            throw AgentConfigError("kubernetes_sd_configs: not running in a cluster (KUBERNETES_SERVICE_HOST is unset) and neither api_server nor kubeconfig_file is given")
        }
        let h = host.contains(":") ? "[\(host)]" : host
        var api = KubernetesAPI(server: "https://\(h):\(port)")
        let tokenFile = serviceAccountDir + "/token"
        api.bearerToken = BearerToken(try read(tokenFile, what: "the service account token"), file: tokenFile)
        api.tls.caFile = serviceAccountDir + "/ca.crt"
        api.ownNamespace = try? read(serviceAccountDir + "/namespace", what: "namespace")
        return api
    }

    static func read(_ path: String, what: String) throws(AgentConfigError) -> String {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw AgentConfigError("kubernetes_sd_configs: cannot read \(what) at \(path)")
        }
        return String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The current context of a kubeconfig: its cluster's server and CA, its user's token,
    /// client certificate or basic auth (inline `-data` values are written to files libcurl reads).
    static func kubeconfig(_ path: String) throws(AgentConfigError) -> KubernetesAPI {
        let text = try read(path, what: "kubeconfig_file")
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw AgentConfigError("kubeconfig \(path) is not YAML: \(error)") }
        guard let root = node?.mapping else { throw AgentConfigError("kubeconfig \(path) is not a mapping") }
        func named(_ list: String, _ name: String, _ key: String) -> Node.Mapping? {
            root[list]?.sequence?.first { $0.mapping?["name"]?.string == name }?.mapping?[key]?.mapping
        }
        let contextName = root["current-context"]?.string ?? root["contexts"]?.sequence?.first?.mapping?["name"]?.string ?? ""
        guard let context = named("contexts", contextName, "context") else {
            throw AgentConfigError("kubeconfig \(path): no context \"\(contextName)\"")
        }
        guard let cluster = named("clusters", context["cluster"]?.string ?? "", "cluster"), let server = cluster["server"]?.string else {
            throw AgentConfigError("kubeconfig \(path): the current context's cluster has no server")
        }
        var api = KubernetesAPI(server: server)
        let dir = (path as NSString).deletingLastPathComponent
        func file(_ m: Node.Mapping, _ key: String) throws(AgentConfigError) -> String? {
            if let p = m[key]?.string { return p.hasPrefix("/") ? p : dir + "/" + p }
            guard let data = m[key + "-data"]?.string else { return nil }
            guard let bytes = Data(base64Encoded: data) else { throw AgentConfigError("kubeconfig \(path): \(key)-data is not base64") }
            let out = NSTemporaryDirectory() + "/skald-agent-\(getpid())-\(key)"
            guard FileManager.default.createFile(atPath: out, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
                throw AgentConfigError("kubeconfig \(path): cannot write \(out)")
            }
            return out
        }
        api.tls.caFile = try file(cluster, "certificate-authority")
        api.tls.insecureSkipVerify = cluster["insecure-skip-tls-verify"]?.bool ?? false
        if let user = named("users", context["user"]?.string ?? "", "user") {
            if let t = user["token"]?.string { api.bearerToken = BearerToken(t) }
            if let f = user["tokenFile"]?.string { api.bearerToken = BearerToken(try read(f, what: "kubeconfig tokenFile"), file: f) }
            api.tls.certFile = try file(user, "client-certificate")
            api.tls.keyFile = try file(user, "client-key")
            if let u = user["username"]?.string { api.basicAuth = (u, user["password"]?.string ?? "") }
        }
        return api
    }
}
