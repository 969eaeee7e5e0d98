public import AgentStages
public import Foundation
public import Relabel
import LogModel
import Yams

/// Loads Promtail's YAML strictly: unknown keys are errors naming the key and its line; keys
/// skald-agent accepts without acting on them give one warning each.
public enum AgentConfigLoader {
    public struct Loaded: Sendable {
        public var config: AgentConfig
        public var warnings: [String]
    }

    /// `clientURL` is `-client.url`: it sets the URL of the `client:` block (or makes one when
    /// the config has no client), as Promtail's flag does.
    public static func load(path: String, expandEnv: Bool, clientURL: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(AgentConfigError) -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgentConfigError("cannot read config file \(path): check the path given to -config.file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AgentConfigError("config file \(path) is not UTF-8 text")
        }
        return try parse(text, expandEnv: expandEnv, clientURL: clientURL, environment: environment)
    }

    public static func parse(_ text: String, expandEnv: Bool = false, clientURL: String? = nil,
                             environment: [String: String] = [:]) throws(AgentConfigError) -> Loaded {
        let source = expandEnv ? EnvExpansion.expand(text, environment: environment) : text
        let root: Node?
        do { root = try Yams.compose(yaml: source) } catch {
            throw AgentConfigError("the config is not valid YAML: \(error)")
        }
        let sink = YAMLMapping.WarningSink()
        var config = AgentConfig()
        var top = try YAMLMapping(root ?? .scalar(.init("")), path: "", warnings: sink)

        if var s = try top.mapping("server") {
            if let v = try s.string("http_listen_address") { config.server.httpListenAddress = v }
            if let v = try s.int("http_listen_port") { config.server.httpListenPort = v }
            if let v = try s.string("log_level") {
                guard ["debug", "info", "warn", "error"].contains(v) else {
                    throw AgentConfigError("line \(s.line): server.log_level must be one of debug, info, warn, error; got \"\(v)\"")
                }
                config.server.logLevel = v
            }
            if let v = try s.bool("disable") { config.server.disable = v }
            for k in ["grpc_listen_address", "grpc_listen_port"] { s.accept(k, why: "skald-agent serves HTTP only") }
            for k in ["register_instrumentation", "graceful_shutdown_timeout", "http_server_read_timeout", "http_server_write_timeout",
                      "http_server_idle_timeout", "log_format", "http_path_prefix", "health_check_target", "profiling_enabled",
                      "enable_runtime_reload", "grpc_server_max_recv_msg_size", "grpc_server_max_send_msg_size"] {
                s.accept(k, why: "not acted on")
            }
            try s.finish()
        }
        if top.keys.contains("client") && top.keys.contains("clients") {
            throw AgentConfigError("line \(top.line): give either client: or clients:, not both")
        }
        let singular = try top.mapping("client")
        if let singular { config.clients.append(try client(singular, url: clientURL)) }
        for c in try top.mappings("clients") { config.clients.append(try client(c, url: nil)) }
        if singular == nil, let clientURL {
            config.clients.append(try client(try YAMLMapping(.scalar(.init("")), path: "client", warnings: sink), url: clientURL))
        }
        if var p = try top.mapping("positions") {
            if let v = try p.string("filename") { config.positions.filename = v }
            if let v = try p.duration("sync_period") { config.positions.syncPeriod = v }
            if let v = try p.bool("ignore_invalid_yaml") { config.positions.ignoreInvalidYAML = v }
            try p.finish()
        }
        if var t = try top.mapping("target_config") {
            if let v = try t.duration("sync_period") { config.targetSyncPeriod = max(v, 100_000_000) }
            t.accept("stdin", why: "skald-agent does not read standard input")
            try t.finish()
        }
        if var l = try top.mapping("limits_config") {
            if let v = try l.bytes("max_line_size") { config.maxLineSize = v }
            if let v = try l.bool("max_line_size_truncate") { config.maxLineSizeTruncate = v }
            if let v = try l.bool("readline_rate_enabled") { config.readlineRateEnabled = v }
            if let v = try l.string("readline_rate") {
                guard let r = Double(v), r > 0, r.isFinite else { throw AgentConfigError("line \(l.line): limits_config.readline_rate must be a number of lines per second above 0, got \(v)") }
                config.readlineRate = r
            }
            if let v = try l.int("readline_burst") {
                guard v > 0 else { throw AgentConfigError("line \(l.line): limits_config.readline_burst must be at least 1, got \(v)") }
                config.readlineBurst = v
            }
            if let v = try l.bool("readline_rate_drop") { config.readlineRateDrop = v }
            if let v = try l.int("max_streams") {
                guard v >= 0 else { throw AgentConfigError("line \(l.line): limits_config.max_streams must be 0 (no limit) or more, got \(v)") }
                config.maxStreams = v
            }
            try l.finish()
        }
        for k in ["tracing", "options", "wal"] { top.accept(k, why: "not implemented") }
        for s in try top.mappings("scrape_configs") { config.scrapeConfigs.append(try scrape(s)) }
        try top.finish()

        var seen = Set<String>()
        for s in config.scrapeConfigs where !seen.insert(s.jobName).inserted {
            throw AgentConfigError("found multiple scrape configs with job name \"\(s.jobName)\": job names must be unique")
        }
        return Loaded(config: config, warnings: sink.messages)
    }

    static func client(_ m: YAMLMapping, url: String?) throws(AgentConfigError) -> AgentConfig.Client {
        var m = m
        var c = AgentConfig.Client()
        c.url = try m.string("url") ?? ""
        if let url, !url.isEmpty { c.url = url }
        if let v = try m.string("tenant_id") { c.tenantID = v }
        if let v = try m.duration("batchwait") { c.batchWait = v }
        if let v = try m.bytes("batchsize") { c.batchSize = max(v, 1) }
        if let v = try m.duration("timeout") { c.timeout = v }
        if let v = try m.stringMap("external_labels") { c.externalLabels = v }
        if let v = try m.stringMap("headers") { c.headers = v }
        if let v = try m.bool("drop_rate_limited_batches") { c.dropRateLimitedBatches = v }
        if let v = try m.string("proxy_url") { c.proxyURL = v }
        if var b = try m.mapping("backoff_config") {
            if let v = try b.duration("min_period") { c.minBackoff = v }
            if let v = try b.duration("max_period") { c.maxBackoff = v }
            if let v = try b.int("max_retries") { c.maxRetries = v }
            try b.finish()
        }
        if var a = try m.mapping("basic_auth") {
            let user = try a.string("username") ?? ""
            var password = try a.string("password") ?? ""
            if let file = try a.string("password_file") { password = try readSecret(file, key: a.qualified("password_file")) }
            try a.finish()
            c.basicAuth = (user, password)
        }
        c.bearerToken = try m.string("bearer_token")
        if let file = try m.string("bearer_token_file") {
            c.bearerToken = try readSecret(file, key: m.qualified("bearer_token_file"))
            c.bearerTokenFile = file
        }
        if let t = try m.mapping("tls_config") { c.tls = try tls(t) }
        for k in ["oauth2", "follow_redirects", "enable_http2", "stream_lag_labels", "authorization"] { m.accept(k, why: "not implemented") }
        try m.finish()
        guard !c.url.isEmpty else {
            throw AgentConfigError("line \(m.line): a client needs a url (the push endpoint, e.g. http://skald:3100/loki/api/v1/push), or pass -client.url")
        }
        guard c.url.hasPrefix("http://") || c.url.hasPrefix("https://") else {
            throw AgentConfigError("line \(m.line): client url \"\(c.url)\" must start with http:// or https://")
        }
        if c.basicAuth != nil && c.bearerToken != nil {
            throw AgentConfigError("line \(m.line): at most one of basic_auth and bearer_token may be configured")
        }
        return c
    }

    static func tls(_ m: YAMLMapping) throws(AgentConfigError) -> AgentConfig.TLS {
        var m = m
        var t = AgentConfig.TLS()
        t.caFile = try m.string("ca_file")
        t.certFile = try m.string("cert_file")
        t.keyFile = try m.string("key_file")
        t.insecureSkipVerify = try m.bool("insecure_skip_verify") ?? false
        m.accept("server_name", why: "the URL's host name is verified")
        m.accept("min_version", why: "TLS versions are libcurl's defaults")
        try m.finish()
        return t
    }

    static func readSecret(_ path: String, key: String) throws(AgentConfigError) -> String {
        guard let d = FileManager.default.contents(atPath: path), let s = String(data: d, encoding: .utf8) else {
            throw AgentConfigError("cannot read \(key) \(path): check that the file exists and is readable")
        }
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func scrape(_ m: YAMLMapping) throws(AgentConfigError) -> AgentConfig.ScrapeConfig {
        var m = m
        var s = AgentConfig.ScrapeConfig()
        guard let name = try m.string("job_name"), !name.isEmpty else {
            throw AgentConfigError("line \(m.line): every scrape config needs a job_name")
        }
        s.jobName = name
        if let n = m.node("pipeline_stages") {
            guard case .sequence(let seq) = n else {
                throw AgentConfigError("line \(YAMLMapping.line(n)): \"\(m.qualified("pipeline_stages"))\" wants a list of stages")
            }
            s.pipelineStages = seq.map(settings)
        }
        for st in try m.mappings("static_configs") {
            var st = st
            var t = AgentConfig.StaticTargets()
            t.targets = try st.strings("targets") ?? []
            t.labels = try st.stringMap("labels") ?? [:]
            try st.finish()
            s.staticConfigs.append(t)
        }
        for f in try m.mappings("file_sd_configs") {
            var f = f
            var d = AgentConfig.FileDiscovery()
            d.files = try f.strings("files") ?? []
            if let v = try f.duration("refresh_interval") { d.refreshInterval = v }
            try f.finish()
            s.fileSDConfigs.append(d)
        }
        for k in try m.mappings("kubernetes_sd_configs") { s.kubernetesSDConfigs.append(try kubernetes(k)) }
        for r in try m.mappings("relabel_configs") { s.relabelConfigs.append(try relabel(r)) }
        s.encoding = try m.string("encoding")
        do { _ = try LineTranscoder.make(s.encoding) } catch { throw AgentConfigError("line \(m.line): scrape config \"\(name)\": \(error.message)") }
        for k in ["journal", "syslog", "loki_push_api", "windows_events", "gcplog", "gelf", "cloudflare", "heroku_drain",
                  "kafka", "azure_event_hubs", "docker_sd_configs", "consul_sd_configs", "consulagent_sd_configs", "decompression"] {
            m.accept(k, why: "this target kind is not implemented; only file targets (static, file and Kubernetes discovery) are")
        }
        try m.finish()
        return s
    }

    static func kubernetes(_ m: YAMLMapping) throws(AgentConfigError) -> AgentConfig.KubernetesDiscovery {
        var m = m
        var k = AgentConfig.KubernetesDiscovery()
        if let r = try m.string("role") {
            guard r == "pod" else {
                throw AgentConfigError("line \(m.line): kubernetes_sd_configs role \"\(r)\" is not supported; skald-agent discovers pods (role: pod)")
            }
            k.role = r
        }
        k.apiServer = try m.string("api_server")
        k.kubeconfigFile = try m.string("kubeconfig_file")
        if var n = try m.mapping("namespaces") {
            k.namespaces = try n.strings("names") ?? []
            k.ownNamespace = try n.bool("own_namespace") ?? false
            try n.finish()
        }
        for sel in try m.mappings("selectors") {
            var sel = sel
            let role = try sel.string("role") ?? ""
            guard role == "pod" else { throw AgentConfigError("line \(sel.line): selector role \"\(role)\" does not match the discovery role pod") }
            k.labelSelector = try sel.string("label")
            k.fieldSelector = try sel.string("field")
            try sel.finish()
        }
        k.bearerToken = try m.string("bearer_token")
        k.bearerTokenFile = try m.string("bearer_token_file")
        if let t = try m.mapping("tls_config") { k.tls = try tls(t) }
        for key in ["attach_metadata", "follow_redirects", "enable_http2", "proxy_url", "basic_auth", "oauth2", "authorization"] {
            m.accept(key, why: "not implemented for Kubernetes discovery")
        }
        try m.finish()
        return k
    }

    static func relabel(_ m: YAMLMapping) throws(AgentConfigError) -> RelabelRule.Configuration {
        var m = m
        var r = RelabelRule.Configuration()
        r.sourceLabels = try m.strings("source_labels") ?? []
        r.separator = try m.string("separator")
        r.regex = try m.string("regex")
        if let (v, l) = try m.scalar("modulus") {
            guard let n = UInt64(v) else { throw AgentConfigError("line \(l): \"\(m.qualified("modulus"))\" wants a positive integer, got \"\(v)\"") }
            r.modulus = n
        }
        r.targetLabel = try m.string("target_label")
        r.replacement = try m.string("replacement")
        if let (v, l) = try m.scalar("action") {
            guard let a = RelabelAction(name: v) else {
                throw AgentConfigError("line \(l): unknown relabel action \"\(v)\"; one of \(RelabelAction.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            r.action = a
        }
        try m.finish()
        do { _ = try RelabelRule(r) } catch { throw AgentConfigError("line \(m.line): \(error.message)") }
        return r
    }

    /// A stage's YAML as a `StageSettings` tree (stages check their own keys when built).
    static func settings(_ n: Node) -> StageSettings {
        let line = YAMLMapping.line(n)
        switch n {
        case .scalar(let s): return StageSettings(YAMLMapping.isNull(s) ? .null : .scalar(s.string), line: line)
        case .sequence(let seq): return StageSettings(.list(seq.map(settings)), line: line)
        case .mapping(let m): return StageSettings(.map(m.map { (key: $0.key.scalar?.string ?? "", value: settings($0.value)) }), line: line)
        case .alias: return StageSettings(.null, line: line)
        }
    }
}
