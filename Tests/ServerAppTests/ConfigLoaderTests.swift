import Foundation
import LogModel
import Storage
import Testing
@testable import ServerApp

@Suite struct ConfigLoaderTests {
    static var seedPath: String {
        Bundle.module.path(forResource: "loki-seed", ofType: "yaml", inDirectory: "Fixtures")!
    }

    @Test func seedConfigLoadsUnchanged() throws {
        let loaded = try ConfigLoader.load(path: Self.seedPath, expandEnv: false)
        let c = loaded.config
        #expect(c.authEnabled == false)
        #expect(c.server.httpListenPort == 3100)
        #expect(c.ingester.chunkIdlePeriod == 3 * 60 * 1_000_000_000)
        #expect(c.ingester.chunkBlockSize == 262_144)
        #expect(c.ingester.chunkRetainPeriod == 60 * 1_000_000_000)
        #expect(c.limits.rejectOldSamples == true)
        #expect(c.limits.rejectOldSamplesMaxAge == 168 * 3600 * 1_000_000_000)
        #expect(c.filesystemDirectory == "/data/loki/chunks")
        // Everything lands on the seed's volume, /data.
        #expect(c.dataDirectory == "/data/loki")
        #expect(c.walDirectory == "/data/loki/wal")
        #expect(c.compactorDirectory == "/data/loki/boltdb-shipper-compactor")
        #expect(c.compactor.retentionEnabled == false && c.limits.retentionPeriod == 0) // the seed's retention is off
        let w = loaded.warnings.joined(separator: "\n")
        for key in ["ingester.max_transfer_retries", "ingester.lifecycler.ring.kvstore.store", "ingester.lifecycler.ring.replication_factor",
                    "limits_config.enforce_metric_name", "storage_config.boltdb_shipper.active_index_directory",
                    "storage_config.boltdb_shipper.shared_store", "table_manager.retention_deletes_enabled",
                    "table_manager.retention_period", "compactor.shared_store", "chunk_store_config.max_look_back_period",
                    "schema_config.configs[].store", "schema_config.configs[].schema", "schema_config.configs[].object_store"] {
            #expect(w.contains("config key \"\(key)\""), "no warning for \(key)")
        }
        // One warning per key, none for keys that take effect.
        #expect(!w.contains("\"auth_enabled\""))
        #expect(!w.contains("\"limits_config.reject_old_samples\""))
        #expect(!w.contains("\"schema_config.configs[].from\"") && !w.contains("index.period"))
        #expect(c.schemaPeriods == [SchemaPeriods.Period(from: 18559 * SchemaPeriods.day, prefix: "index_", period: SchemaPeriods.day)])
        #expect(Set(loaded.warnings).count == loaded.warnings.count)
    }

    /// Loki 2.8.11's whole effective config, as it prints it: every key Loki accepts loads, those
    /// Skald does not act on with one warning each; the ones it does act on take effect.
    @Test func everyLoki28KeyIsAccepted() throws {
        let path = Bundle.module.path(forResource: "loki-2.8.11-full", ofType: "yaml", inDirectory: "Fixtures")!
        let loaded = try ConfigLoader.load(path: path, expandEnv: false)
        #expect(loaded.config.server.httpListenPort == 3199)
        #expect(loaded.config.limits.maxQuerySeries == 500)
        #expect(loaded.config.limits.maxQueryLookback == 0)
        let w = loaded.warnings.joined(separator: "\n")
        for key in ["server.grpc_server_max_connection_age", "storage_config.aws.s3", "ingester.query_store_max_look_back_period",
                    "limits_config.ruler_remote_write_url", "schema_config.configs[].index.tags", "shutdown_delay"] {
            #expect(w.contains("config key \"\(key)"), "no warning for \(key)")
        }
        #expect(Set(loaded.warnings).count == loaded.warnings.count)
    }

    /// `limits_config.per_tenant_override_config`, Loki's older name for the overrides file, is
    /// used when `runtime_config.file` is not set.
    @Test func perTenantOverrideConfigNamesTheOverridesFile() throws {
        var c = try ConfigLoader.parse("limits_config:\n  per_tenant_override_config: /etc/o.yaml\n  per_tenant_override_period: 20s\n", expandEnv: false).config
        #expect(c.runtimeConfig.file == "/etc/o.yaml")
        #expect(c.runtimeConfig.period == 20 * 1_000_000_000)
        c = try ConfigLoader.parse("runtime_config:\n  file: /etc/r.yaml\nlimits_config:\n  per_tenant_override_config: /etc/o.yaml\n", expandEnv: false).config
        #expect(c.runtimeConfig.file == "/etc/r.yaml")
    }

    @Test func unknownKeyAndWrongTypeNameKeyAndLine() {
        let cases: [(String, String)] = [
            ("auth_enabled: false\ningester:\n  chunk_idle_priod: 3m\n", #"line 3: unknown config key "ingester.chunk_idle_priod""#),
            ("server:\n  http_listen_port: abc\n", #"line 2: "server.http_listen_port" wants an integer, got "abc""#),
            ("limits_config:\n  reject_old_samples_max_age: forever\n", #"line 2: "limits_config.reject_old_samples_max_age" wants a duration"#),
            ("auth_enabled: maybe\n", #"line 1: "auth_enabled" wants true or false, got "maybe""#),
            ("server: 5\n", #"line 1: "server" must be a mapping of keys"#),
            ("ingester:\n  wal:\n    fsync: sometimes\n", #"line 3: ingester.wal.fsync must be always, interval or never"#),
            ("server:\n  http_listen_port: 70000\n", "line 2: server.http_listen_port must be 0…65535"),
            ("server:\n  http_listen_port: [1, 2]\n", #"line 2: "server.http_listen_port" wants an integer, got a list"#),
            ("a: [\n", "the config is not valid YAML"),
            ("ingester:\n  chunk_encoding: zstd\n", #"line 2: ingester.chunk_encoding must be lz4, gzip, snappy or none, got "zstd""#),
            ("ingester:\n  memory_budget: 1MB\n", "line 2: ingester.memory_budget must be 0 (no bound) or at least 16MB"),
            ("ingester:\n  wal:\n    checkpoint_duration: 0s\n", "line 3: ingester.wal.checkpoint_duration must be at least 1ms"),
            ("ingester:\n  wal:\n    replay_memory_ceiling: 0\n", "line 3: ingester.wal.replay_memory_ceiling must be more than 0 bytes"),
        ]
        for (yaml, fragment) in cases {
            do {
                _ = try ConfigLoader.parse(yaml, expandEnv: false)
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect(error.message.contains(fragment), "\(yaml) → \(error.message)")
            }
        }
    }

    @Test func environmentExpansion() throws {
        let yaml = "server:\n  http_listen_port: ${PORT}\ningester:\n  wal:\n    dir: ${WAL_DIR:-/var/wal}\n    fsync: ${FSYNC:-never}\n"
        let env = ["PORT": "4100", "FSYNC": "interval"]
        let c = try ConfigLoader.parse(yaml, expandEnv: true, environment: env).config
        #expect(c.server.httpListenPort == 4100)
        #expect(c.ingester.wal.dir == "/var/wal")
        #expect(c.ingester.wal.fsync == .interval(milliseconds: 100))
        #expect(EnvExpansion.expand("a $$ b $1 ${X}", environment: ["X": "y"]) == "a $ b $1 y")
        // Without -config.expand-env the text is taken literally.
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml, expandEnv: false) }
    }

    @Test func tailSettings() throws {
        let yaml = "querier:\n  tail_max_duration: 30m\n  max_concurrent: 4\nlimits_config:\n  max_concurrent_tail_requests: 3\n"
        let loaded = try ConfigLoader.parse(yaml, expandEnv: false)
        #expect(loaded.config.querier.tailMaxDuration == 30 * 60 * 1_000_000_000)
        #expect(loaded.config.limits.maxConcurrentTailRequests == 3)
        // Other querier keys are accepted with a warning, not acted on.
        #expect(loaded.warnings.contains { $0.contains("querier.max_concurrent") })
        #expect(Limits().maxConcurrentTailRequests == 10)
        #expect(SkaldConfig().querier.tailMaxDuration == 3600 * 1_000_000_000)
        let printed = ConfigPrinter.yaml(loaded.config)
        #expect(printed.contains("tail_max_duration: 30m"))
        #expect(printed.contains("max_concurrent_tail_requests: 3"))
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("querier:\n  tail_max_duration: soon\n", expandEnv: false) }
    }

    @Test func embeddedDefaultRunsUnderData() throws {
        let loaded = try ConfigLoader.load(path: nil, expandEnv: false)
        #expect(loaded.config.authEnabled == false)
        #expect(loaded.config.server.httpListenPort == 3100)
        #expect(loaded.config.walDirectory == "./data/wal")
        #expect(loaded.config.ingester.wal.fsync == .always)
        #expect(loaded.warnings.isEmpty)
    }

    @Test func runtimeOverrides() throws {
        let yaml = "overrides:\n  team-a:\n    ingestion_rate_mb: 10\n    max_line_size: 1KB\n"
        let o = try ConfigLoader.parseOverrides(yaml, defaults: .init())
        #expect(o["team-a"]?.ingestionRateMB == 10)
        #expect(o["team-a"]?.maxLineSize == 1024)
        #expect(o["team-a"]?.maxLabelNamesPerSeries == 30)
        #expect(throws: ConfigError.self) { try ConfigLoader.parseOverrides("overrides:\n  x:\n    bogus: 1\n", defaults: .init()) }
        #expect(throws: ConfigError.self) { try ConfigLoader.parseOverrides("overrides:\n  ../x:\n    ingestion_rate_mb: 1\n", defaults: .init()) }
    }

    @Test func retentionSettings() throws {
        let yaml = """
        compactor:
          working_directory: /v/compactor
          compaction_interval: 5m
          retention_enabled: true
          retention_delete_delay: 30m
          retention_delete_worker_count: 150
        limits_config:
          retention_period: 744h
          retention_stream:
          - selector: '{namespace="dev"}'
            priority: 1
            period: 24h
        """
        let c = try ConfigLoader.parse(yaml, expandEnv: false).config
        #expect(c.compactorDirectory == "/v/compactor" && c.compactor.compactionInterval == 300 * 1_000_000_000)
        #expect(c.compactor.retentionEnabled && c.compactor.retentionDeleteDelay == 1800 * 1_000_000_000)
        #expect(c.limits.retentionPeriod == 744 * 3600 * 1_000_000_000)
        #expect(c.limits.retentionStreams.count == 1 && c.limits.retentionStreams[0].priority == 1)
        #expect(c.limits.retentionStreams[0].period == 24 * 3600 * 1_000_000_000)
        #expect(c.limits.retentionStreams[0].matchers == (try SelectorParser.parse(#"{namespace="dev"}"#)))

        let o = try ConfigLoader.parseOverrides("""
        overrides:
          "29":
            retention_period: 168h
            retention_stream:
            - selector: '{namespace="prod"}'
              priority: 2
              period: 336h
        """, defaults: c.limits)
        let week: Int64 = 168 * 3600 * 1_000_000_000
        #expect(o["29"]?.retentionPeriod == week)
        #expect(o["29"]?.retentionStreams.map(\.selector) == [#"{namespace="prod"}"#]) // replaces the global list

        for (bad, says) in [
            ("limits_config:\n  retention_stream:\n  - selector: 'namespace=dev'\n    period: 24h\n", "is not a stream selector"),
            ("limits_config:\n  retention_stream:\n  - selector: '{a=\"b\"}'\n", "has no period"),
            ("limits_config:\n  retention_stream:\n  - period: 24h\n", "has no selector"),
            ("compactor:\n  compaction_interval: -1m\n", "must be 0 (passes only when asked"),
        ] {
            do { _ = try ConfigLoader.parse(bad, expandEnv: false); Issue.record("accepted: \(bad)") } catch {
                #expect(error.message.contains(says), "\(error.message)")
                #expect(error.message.contains("line "), "\(error.message)")
            }
        }
        // 0: no periodic pass (a CronJob asks for them: POST /compactor/run).
        #expect(try ConfigLoader.parse("compactor:\n  compaction_interval: 0s\n", expandEnv: false).config.compactor.compactionInterval == 0)
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parseOverrides("overrides:\n  x:\n    retention_stream:\n    - selector: '{a=\"b\"}'\n      when: now\n", defaults: .init())
        }
    }

    /// Loki's older `table_manager` retention means the same retention, with a warning.
    @Test func tableManagerRetentionMapsToTheCompactor() throws {
        let loaded = try ConfigLoader.parse("table_manager:\n  retention_deletes_enabled: true\n  retention_period: 336h\n", expandEnv: false)
        #expect(loaded.config.compactor.retentionEnabled)
        #expect(loaded.config.limits.retentionPeriod == 336 * 3600 * 1_000_000_000)
        #expect(loaded.warnings.contains { $0.contains("table_manager.retention_period") && $0.contains("limits_config.retention_period") })
        // The newer setting wins when both are given.
        let both = try ConfigLoader.parse("table_manager:\n  retention_deletes_enabled: true\n  retention_period: 336h\nlimits_config:\n  retention_period: 24h\n", expandEnv: false)
        #expect(both.config.limits.retentionPeriod == 24 * 3600 * 1_000_000_000)
    }

    @Test func effectiveConfigPrintsLokiKeys() throws {
        let c = try ConfigLoader.load(path: Self.seedPath, expandEnv: false).config
        let y = ConfigPrinter.yaml(c)
        #expect(y.contains("reject_old_samples_max_age: 168h0m0s"))
        #expect(y.contains("chunk_block_size: 262144"))
        #expect(y.contains("dir: \"/data/loki/wal\""))
        #expect(y.contains("schema_config:\n  configs:\n  - from: 2020-10-24\n    index:\n      prefix: index_\n      period: 24h0m0s\n"))
        // What /config prints loads back.
        let back = try ConfigLoader.parse(y, expandEnv: false).config
        #expect(back.limits.rejectOldSamplesMaxAge == c.limits.rejectOldSamplesMaxAge)
        #expect(back.schemaPeriods == c.schemaPeriods)
    }

    @Test func schemaPeriodsLoadInOrderAndBadOnesNameTheLine() throws {
        let two = """
        schema_config:
          configs:
          - from: 2020-10-24
            store: boltdb-shipper
            index:
              prefix: index_
              period: 24h
          - from: "2024-01-01"
            store: tsdb
            schema: v13
            index:
              period: 168h
              prefix: tsdb_
        """
        let c = try ConfigLoader.parse(two, expandEnv: false).config
        let day = SchemaPeriods.day
        #expect(c.schemaPeriods == [.init(from: 18559 * day, prefix: "index_", period: day), .init(from: 19723 * day, prefix: "tsdb_", period: 7 * day)])
        let bad: [(String, String)] = [
            ("schema_config:\n  configs:\n  - from: 2020-13-01\n", "line 3: schema_config.configs[].from must be a date like 2020-10-24, got \"2020-13-01\""),
            ("schema_config:\n  configs:\n  - store: tsdb\n", "line 3: schema_config.configs item 1 has no \"from\" date"),
            ("schema_config:\n  configs:\n  - from: 2021-01-01\n  - from: 2020-01-01\n", "line 4: schema_config.configs must be in increasing \"from\" order"),
            ("schema_config:\n  configs:\n  - from: 2021-01-01\n    index:\n      period: 90m\n", "line 5: schema_config.configs[].index.period must be a whole number of hours"),
            ("schema_config:\n  configs:\n  - from: 2021-01-01\n    index:\n      prefix: a/b\n", "line 5: schema_config.configs[].index.prefix must be a non-empty name"),
            ("schema_config:\n  configs:\n  - from: 2021-01-01\n    index:\n      prefx: a\n", "line 5: unknown config key \"schema_config.configs[].index.prefx\""),
            ("schema_config:\n  configs: 7\n", "line 2: \"schema_config.configs\" must be a list"),
        ]
        for (yaml, message) in bad {
            do {
                _ = try ConfigLoader.parse(yaml, expandEnv: false)
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect(error.message.hasPrefix(message), "\(error.message)")
            }
        }
    }
}

@Suite struct ServerFlagsTests {
    @Test func lokiStyleFlags() throws {
        let f = try ServerFlags.parse(["-config.file=/etc/loki/loki.yaml", "-config.expand-env=true", "-target=all",
                                       "-log.level", "debug", "--server.http-listen-port=0", "-verify-config"])
        #expect(f.configFile == "/etc/loki/loki.yaml")
        #expect(f.expandEnv)
        #expect(f.target == "all")
        #expect(f.logLevel == "debug")
        #expect(f.httpListenPort == 0)
        #expect(f.verifyConfig)
    }

    @Test func badFlagsAreClear() {
        for (args, fragment) in [(["-nope"], "flag provided but not defined: -nope"), (["-config.file"], "needs a value"),
                                 (["-target=ruler"], "unknown -target"), (["-config.expand-env=perhaps"], "invalid boolean"),
                                 (["stray"], "unexpected argument"), (["-server.http-listen-port=99999"], "want a port")] {
            do {
                _ = try ServerFlags.parse(args)
                Issue.record("accepted \(args)")
            } catch {
                #expect(error.message.contains(fragment))
            }
        }
        #expect(ServerFlags.helpText.contains("-config.file"))
        #expect(ServerFlags.helpText.contains("-verify-config"))
    }
}
