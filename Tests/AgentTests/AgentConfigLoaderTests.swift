import Foundation
import Testing
@testable import Agent
import Relabel

@Suite struct AgentConfigLoaderTests {
    static func seed() throws -> String {
        let url = try #require(Bundle.module.url(forResource: "promtail-seed", withExtension: "yaml", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func theSeedConfigLoadsWithItsFiveJobs() throws {
        // The seed's DaemonSet passes -client.url; its client: block has no url.
        let loaded = try AgentConfigLoader.parse(try Self.seed(), clientURL: "http://skald:3100/loki/api/v1/push")
        let c = loaded.config
        #expect(c.clients.count == 1)
        #expect(c.clients[0].url == "http://skald:3100/loki/api/v1/push")
        #expect(c.clients[0].batchSize == 4_194_304)
        #expect(c.clients[0].batchWait == 1_000_000_000)
        #expect(c.clients[0].minBackoff == 500_000_000 && c.clients[0].maxBackoff == 300_000_000_000 && c.clients[0].maxRetries == 10)
        #expect(c.clients[0].timeout == 10_000_000_000)
        #expect(c.positions.filename == "/run/promtail/positions.yaml")
        #expect(c.server.httpListenPort == 3101)
        #expect(c.targetSyncPeriod == 10_000_000_000)
        #expect(c.scrapeConfigs.map(\.jobName) == ["kubernetes-pods-name", "kubernetes-pods-app", "kubernetes-pods-direct-controllers",
                                                    "kubernetes-pods-indirect-controller", "kubernetes-pods-static"])
        for s in c.scrapeConfigs {
            #expect(s.kubernetesSDConfigs.count == 1 && s.kubernetesSDConfigs[0].role == "pod")
            #expect(s.pipelineStages.count == 1)
            #expect(s.relabelConfigs.last?.targetLabel == "__path__")
        }
        #expect(c.scrapeConfigs[0].relabelConfigs[3].action == .labelmap)
        #expect(c.scrapeConfigs[0].relabelConfigs[2].regex == "", "a quoted '' is an empty regex, not an absent one")
        #expect(c.scrapeConfigs[0].relabelConfigs[0].regex == nil)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
    }

    @Test func withoutAURLTheClientIsRefused() throws {
        #expect(throws: AgentConfigError.self) { try AgentConfigLoader.parse(try Self.seed()) }
    }

    @Test func unknownKeysNameTheKeyAndLine() {
        let text = """
            server:
              http_listen_port: 9080
            clients:
              - url: http://localhost:3100/loki/api/v1/push
                batchsizee: 10
            """
        #expect(throws: AgentConfigError("line 5: unknown config key \"clients[].batchsizee\": not a Promtail setting skald-agent knows; check the spelling and indentation, or remove it")) {
            try AgentConfigLoader.parse(text)
        }
    }

    @Test func badValuesAreClearErrors() {
        let cases = [
            "clients: [{url: 'http://x/push', batchwait: soon}]",
            "clients: [{url: 'ftp://x/push'}]",
            "server: {log_level: loud}",
            "clients: [{url: 'http://x/push'}]\nscrape_configs: [{job_name: a}, {job_name: a}]",
            "clients: [{url: 'http://x/push'}]\nscrape_configs: [{job_name: a, relabel_configs: [{action: hashmod, source_labels: [x], target_label: y}]}]",
            "clients: [{url: 'http://x/push'}]\nscrape_configs: [{job_name: a, relabel_configs: [{action: explode}]}]",
            "clients: [{url: 'http://x/push'}]\nscrape_configs: [{job_name: a, kubernetes_sd_configs: [{role: node}]}]",
            "clients: [{url: 'http://x/push', basic_auth: {username: u, password: p}, bearer_token: t}]",
            "- a list",
            "clients: {url: x",
        ]
        for text in cases {
            #expect(throws: AgentConfigError.self, "\(text)") { try AgentConfigLoader.parse(text) }
        }
    }

    /// `limits_config`: Promtail's defaults, what is set, and values that cannot work refused.
    @Test func limitsConfig() throws {
        let plain = try AgentConfigLoader.parse("clients: [{url: 'http://x/push'}]").config
        #expect(!plain.readlineRateEnabled && plain.readlineRate == 10_000 && plain.readlineBurst == 10_000 && plain.readlineRateDrop && plain.maxStreams == 0)
        let set = try AgentConfigLoader.parse("""
            clients: [{url: 'http://x/push'}]
            limits_config: {readline_rate_enabled: true, readline_rate: 2.5, readline_burst: 7, readline_rate_drop: false, max_streams: 3}
            """).config
        #expect(set.readlineRateEnabled && set.readlineRate == 2.5 && set.readlineBurst == 7 && !set.readlineRateDrop && set.maxStreams == 3)
        for bad in ["readline_rate: 0", "readline_rate: fast", "readline_burst: 0", "max_streams: -1", "readline_rate_drop: maybe"] {
            #expect(throws: AgentConfigError.self, "\(bad)") { try AgentConfigLoader.parse("clients: [{url: 'http://x/push'}]\nlimits_config: {\(bad)}") }
        }
    }

    /// `bearer_token_file`: read at start (a missing file is an error then) and kept, to be read again.
    @Test func aClientTokenFileIsKeptToBeReadAgain() throws {
        let file = NSTemporaryDirectory() + "/skald-client-token-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "s3cret\n".write(toFile: file, atomically: true, encoding: .utf8)
        let c = try AgentConfigLoader.parse("clients: [{url: 'http://x/push', bearer_token_file: \(file)}]").config.clients[0]
        #expect(c.bearerToken == "s3cret" && c.bearerTokenFile == file)
        #expect(throws: AgentConfigError.self) { try AgentConfigLoader.parse("clients: [{url: 'http://x/push', bearer_token_file: /no/such/token}]") }
    }

    @Test func unsupportedButKnownKeysWarnOnce() throws {
        let text = """
            clients: [{url: 'http://x/push', oauth2: {client_id: a}}]
            server: {grpc_listen_port: 0}
            scrape_configs: [{job_name: j, journal: {max_age: 12h}}]
            """
        let loaded = try AgentConfigLoader.parse(text)
        #expect(loaded.warnings.count == 3, "\(loaded.warnings)")
    }

    @Test func expandEnv() throws {
        let text = "clients: [{url: '${URL}', tenant_id: '${TENANT:-team-a}'}]"
        let c = try AgentConfigLoader.parse(text, expandEnv: true, environment: ["URL": "http://h:3100/loki/api/v1/push"]).config
        #expect(c.clients[0].url == "http://h:3100/loki/api/v1/push")
        #expect(c.clients[0].tenantID == "team-a")
    }
}
