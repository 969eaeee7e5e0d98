public import AgentStages
public import Relabel

/// Promtail's configuration, as skald-agent understands it (`-config.file`). Defaults are Promtail
/// 2.8's; every field says where it comes from.
public struct AgentConfig: Sendable {
    public struct Server: Sendable {
        /// `server.http_listen_address` / `http_listen_port` (Promtail: 0.0.0.0:80; the seed sets 3101).
        public var httpListenAddress = "0.0.0.0"
        public var httpListenPort = 80
        /// `server.log_level`: debug, info, warn, error.
        public var logLevel = "info"
        /// `server.disable`: no HTTP listener at all.
        public var disable = false
    }

    public struct TLS: Sendable, Equatable {
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
        public var insecureSkipVerify = false
    }

    /// One `clients[]` entry (or the single `client:`).
    public struct Client: Sendable {
        public var url = ""
        public var tenantID = ""
        /// `batchwait` (1s) and `batchsize` (1 MiB: 1048576 bytes of line text per batch).
        public var batchWait: Int64 = 1_000_000_000
        public var batchSize = 1 << 20
        /// `backoff_config`: 500ms → 5m, 10 retries.
        public var minBackoff: Int64 = 500_000_000
        public var maxBackoff: Int64 = 300_000_000_000
        public var maxRetries = 10
        /// `timeout` of one push (10s).
        public var timeout: Int64 = 10_000_000_000
        public var externalLabels: [String: String] = [:]
        public var headers: [String: String] = [:]
        public var basicAuth: (username: String, password: String)?
        /// `bearer_token`, or what `bearer_token_file` held at start (the file is read again while running).
        public var bearerToken: String?
        public var bearerTokenFile: String?
        public var tls = TLS()
        public var proxyURL: String?
        /// `drop_rate_limited_batches`: drop a batch the server answers 429 instead of retrying.
        public var dropRateLimitedBatches = false
    }

    public struct Positions: Sendable {
        /// `positions.filename` (Promtail: /var/log/positions.yaml) and `sync_period` (10s).
        public var filename = "/var/log/positions.yaml"
        public var syncPeriod: Int64 = 10_000_000_000
        /// `ignore_invalid_yaml`: start from scratch instead of refusing a damaged positions file.
        public var ignoreInvalidYAML = false
    }

    public struct StaticTargets: Sendable {
        public var targets: [String] = []
        public var labels: [String: String] = [:]
    }

    public struct FileDiscovery: Sendable {
        public var files: [String] = []
        /// `refresh_interval` (5m).
        public var refreshInterval: Int64 = 300_000_000_000
    }

    public struct KubernetesDiscovery: Sendable {
        public var role = "pod"
        public var apiServer: String?
        public var kubeconfigFile: String?
        public var namespaces: [String] = []
        public var ownNamespace = false
        public var labelSelector: String?
        public var fieldSelector: String?
        public var bearerToken: String?
        public var bearerTokenFile: String?
        public var tls = TLS()
    }

    public struct ScrapeConfig: Sendable {
        public var jobName = ""
        public var pipelineStages: [StageSettings] = []
        public var staticConfigs: [StaticTargets] = []
        public var fileSDConfigs: [FileDiscovery] = []
        public var kubernetesSDConfigs: [KubernetesDiscovery] = []
        public var relabelConfigs: [RelabelRule.Configuration] = []
        /// `encoding`: the files' character set (IANA name); nil: UTF-8.
        public var encoding: String?
    }

    public var server = Server()
    public var clients: [Client] = []
    public var positions = Positions()
    /// `target_config.sync_period` (10s): how often globs and discovery are re-read.
    public var targetSyncPeriod: Int64 = 10_000_000_000
    /// `limits_config.max_line_size` (0: none) and whether longer lines are cut rather than dropped.
    public var maxLineSize = 0
    public var maxLineSizeTruncate = false
    /// `limits_config.readline_rate*`: at most `readlineRate` lines a second (bursts of
    /// `readlineBurst`) leave the pipelines, over all targets; past it a line is dropped
    /// (`readlineRateDrop`, the default) or waits. Off unless `readline_rate_enabled`.
    public var readlineRateEnabled = false
    public var readlineRate = 10_000.0
    public var readlineBurst = 10_000
    public var readlineRateDrop = true
    /// `limits_config.max_streams` (0: none): streams one push may hold per tenant; entries of
    /// further streams are dropped (reason `stream_limited`), as Promtail drops them.
    public var maxStreams = 0
    public var scrapeConfigs: [ScrapeConfig] = []

    public init() {}
}
