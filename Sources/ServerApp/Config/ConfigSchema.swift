import ChunkFormat
import Storage
import Foundation
import LogModel
import WriteAheadLog

/// Every config key Skald knows, under Loki's names: its type, and either what it sets or why it
/// is accepted without effect (each such key logs one warning at startup). A key not listed here,
/// and not under an `.ignoredTree`, stops startup with its line number.
enum ConfigSchema {
    enum Effect {
        case apply(@Sendable (inout SkaldConfig, ConfigValue) throws(ConfigError) -> Void)
        /// Accepted for Loki compatibility, not acted on; the text says why.
        case ignored(String)
        /// An older name, acted on, with a warning naming the newer one.
        case applyWarning(String, @Sendable (inout SkaldConfig, ConfigValue) throws(ConfigError) -> Void)
        case none
    }

    struct Rule {
        let kind: ConfigKind
        let effect: Effect
    }

    static func set(_ kind: ConfigKind, _ f: @escaping @Sendable (inout SkaldConfig, ConfigValue) throws(ConfigError) -> Void) -> Rule {
        Rule(kind: kind, effect: .apply(f))
    }

    static func ignored(_ kind: ConfigKind, _ why: String) -> Rule { Rule(kind: kind, effect: .ignored(why)) }
    static let section = Rule(kind: .section, effect: .none)

    static let singleNode = "single-node Skald has no ring; the setting has no effect"
    static let boltdb = "Skald keeps its own sorted index under <data>/index; BoltDB shipper settings have no effect"
    static let tableManager = "retention is the compactor's job in Skald; table_manager settings have no effect"
    static let httpOnly = "Skald serves HTTP only"
    static let notActedOn = "not acted on"
    static let localVolume = "Skald keeps chunks and index on its own volume (storage_config.filesystem); settings of other stores have no effect"
    static let noRuler = "the ruler is not implemented"
    static let noDeletes = "log deletion is not implemented"

    /// Subtrees accepted whole; every leaf under them logs one warning.
    static let ignoredTrees: [String: String] = [
        "storage_config.boltdb_shipper": boltdb,
        "storage_config.tsdb_shipper": boltdb,
        "table_manager": tableManager,
        "ingester.lifecycler": singleNode,
        "common.ring": singleNode,
        "compactor": "Skald's compactor runs in the server on its own volume; this compactor setting has no effect",
        "chunk_store_config": "Skald has no chunk cache; chunk_store_config has no effect",
        "query_range": "query splitting and caching settings are not acted on yet",
        "frontend": "single binary: no query frontend",
        "frontend_worker": "single binary: no query frontend",
        "query_scheduler": "single binary: no query scheduler",
        "memberlist": singleNode,
        "analytics": "Skald sends no usage reports",
        "ruler": "the ruler is not implemented",
        "tracing": "tracing is not implemented",
        "querier": "querier tuning other than tail_max_duration is not acted on",
        "internal_server": "Skald serves one HTTP listener",
        "ingester_client": singleNode,
        "index_gateway": "single binary: no index gateway",
        "compactor_grpc_client": "single binary: no compactor client",
        "distributor.rate_store": singleNode,
        "server.http_tls_config": "Skald serves plain HTTP; terminate TLS in front of it",
        "server.grpc_tls_config": httpOnly,
        "storage_config.alibabacloud": localVolume,
        "storage_config.aws": localVolume,
        "storage_config.azure": localVolume,
        "storage_config.bos": localVolume,
        "storage_config.bigtable": localVolume,
        "storage_config.gcs": localVolume,
        "storage_config.cassandra": localVolume,
        "storage_config.boltdb": localVolume,
        "storage_config.swift": localVolume,
        "storage_config.grpc_store": localVolume,
        "storage_config.hedging": localVolume,
        "storage_config.named_stores": localVolume,
        "storage_config.index_queries_cache_config": "Skald has no index cache",
        "limits_config.shard_streams": "Skald does not shard streams",
        "limits_config.ruler_remote_write_headers": noRuler,
        "limits_config.ruler_remote_write_sigv4_config": noRuler,
        "limits_config.ruler_alertmanager_config": noRuler,
    ]

    static func limit(_ kind: ConfigKind, _ f: @escaping @Sendable (inout Limits, ConfigValue) -> Void) -> Rule {
        set(kind) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in f(&c.limits, v) }
    }

    /// `limits_config` keys, shared with the per-tenant runtime overrides file.
    static let limitRules: [String: Rule] = [
        "ingestion_rate_mb": limit(.float) { $0.ingestionRateMB = $1.float },
        "ingestion_burst_size_mb": limit(.float) { $0.ingestionBurstSizeMB = $1.float },
        "ingestion_rate_strategy": ignored(.string, "single node: the local strategy always applies"),
        "max_global_streams_per_user": limit(.int) { $0.maxGlobalStreamsPerUser = $1.int },
        "max_streams_per_user": limit(.int) { $0.maxStreamsPerUser = $1.int },
        "per_stream_rate_limit": limit(.bytes) { $0.perStreamRateLimit = $1.int },
        "per_stream_rate_limit_burst": limit(.bytes) { $0.perStreamRateLimitBurst = $1.int },
        "max_label_names_per_series": limit(.int) { $0.maxLabelNamesPerSeries = $1.int },
        "max_label_name_length": limit(.int) { $0.maxLabelNameLength = $1.int },
        "max_label_value_length": limit(.int) { $0.maxLabelValueLength = $1.int },
        "reject_old_samples": limit(.bool) { $0.rejectOldSamples = $1.bool },
        "reject_old_samples_max_age": limit(.duration) { $0.rejectOldSamplesMaxAge = $1.duration },
        "creation_grace_period": limit(.duration) { $0.creationGracePeriod = $1.duration },
        "max_line_size": limit(.bytes) { $0.maxLineSize = $1.int },
        "max_line_size_truncate": limit(.bool) { $0.maxLineSizeTruncate = $1.bool },
        "unordered_writes": limit(.bool) { $0.unorderedWrites = $1.bool },
        "max_entries_limit_per_query": limit(.int) { $0.maxEntriesLimitPerQuery = $1.int },
        "max_query_series": limit(.int) { $0.maxQuerySeries = $1.int },
        "max_query_length": limit(.duration) { $0.maxQueryLength = $1.duration },
        "max_query_lookback": limit(.duration) { $0.maxQueryLookback = $1.duration },
        "enforce_metric_name": ignored(.bool, "Loki ignores it for logs too; it has no effect"),
        "max_cache_freshness_per_query": ignored(.duration, "Skald has no results cache"),
        "split_queries_by_interval": limit(.duration) { $0.splitQueriesByInterval = $1.duration },
        "max_query_parallelism": ignored(.int, "single process: parallelism is not configurable"),
        "retention_period": limit(.duration) { $0.retentionPeriod = $1.duration },
        "max_chunks_per_query": ignored(.int, "not acted on yet"),
        "max_concurrent_tail_requests": limit(.int) { $0.maxConcurrentTailRequests = $1.int },
        "query_timeout": limit(.duration) { $0.queryTimeout = $1.duration },
        "volume_enabled": limit(.bool) { $0.volumeEnabled = $1.bool },
        "allow_structured_metadata": ignored(.bool, "structured metadata is always accepted and kept"),
        "increment_duplicate_timestamp": limit(.bool) { $0.incrementDuplicateTimestamp = $1.bool },
        "tsdb_max_query_parallelism": ignored(.int, "single process: parallelism is not configurable"),
        "cardinality_limit": ignored(.int, notActedOn),
        "max_streams_matchers_per_query": ignored(.int, notActedOn),
        "max_queriers_per_tenant": ignored(.int, "single binary: no querier shuffle sharding"),
        "query_ready_index_num_days": ignored(.int, "Skald's index is ready as it is written"),
        "min_sharding_lookback": ignored(.duration, "Skald does not shard queries"),
        "deletion_mode": set(.string) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
            guard let m = Limits.DeletionMode(rawValue: v.string) else {
                throw ConfigError("deletion_mode must be disabled, filter-only or filter-and-delete, got \"\(v.string)\"")
            }
            c.limits.deletionMode = m
        },
        "allow_deletes": Rule(kind: .bool, effect: .applyWarning("use deletion_mode (disabled, filter-only, filter-and-delete)") {
            $0.limits.deletionMode = $1.bool ? .filterAndDelete : .disabled
        }),
        "ruler_evaluation_delay_duration": ignored(.duration, noRuler),
        "ruler_max_rules_per_rule_group": ignored(.int, noRuler),
        "ruler_max_rule_groups_per_tenant": ignored(.int, noRuler),
        "ruler_tenant_shard_size": ignored(.int, noRuler),
        "ruler_remote_write_disabled": ignored(.bool, noRuler),
        "ruler_remote_write_url": ignored(.string, noRuler),
        "ruler_remote_write_timeout": ignored(.duration, noRuler),
        "ruler_remote_write_queue_capacity": ignored(.int, noRuler),
        "ruler_remote_write_queue_min_shards": ignored(.int, noRuler),
        "ruler_remote_write_queue_max_shards": ignored(.int, noRuler),
        "ruler_remote_write_queue_max_samples_per_send": ignored(.int, noRuler),
        "ruler_remote_write_queue_batch_send_deadline": ignored(.duration, noRuler),
        "ruler_remote_write_queue_min_backoff": ignored(.duration, noRuler),
        "ruler_remote_write_queue_max_backoff": ignored(.duration, noRuler),
        "ruler_remote_write_queue_retry_on_ratelimit": ignored(.bool, noRuler),
    ]

    static let rules: [String: Rule] = {
        var r: [String: Rule] = [
            "target": set(.string) { $0.target = $1.string },
            "http_prefix": ignored(.string, "Skald serves the API at its standard paths"),
            "ballast_bytes": ignored(.int, "Skald has no garbage collector to hold off"),
            "use_buffered_logger": ignored(.bool, "Skald's logs are its own"),
            "use_sync_logger": ignored(.bool, "Skald's logs are its own"),
            "legacy_read_target": ignored(.bool, "single binary: no read and write targets"),
            "shutdown_delay": ignored(.duration, "on SIGTERM /ready turns 503 at once and the server drains"),
            "server.http_listen_network": ignored(.string, "Skald listens on TCP"),
            "server.http_listen_conn_limit": ignored(.int, notActedOn),
            "server.grpc_listen_network": ignored(.string, httpOnly),
            "server.grpc_listen_conn_limit": ignored(.int, httpOnly),
            "server.tls_cipher_suites": ignored(.string, "Skald serves plain HTTP; terminate TLS in front of it"),
            "server.tls_min_version": ignored(.string, "Skald serves plain HTTP; terminate TLS in front of it"),
            "server.grpc_server_max_connection_idle": ignored(.duration, httpOnly),
            "server.grpc_server_max_connection_age": ignored(.duration, httpOnly),
            "server.grpc_server_max_connection_age_grace": ignored(.duration, httpOnly),
            "server.grpc_server_keepalive_time": ignored(.duration, httpOnly),
            "server.grpc_server_keepalive_timeout": ignored(.duration, httpOnly),
            "server.grpc_server_min_time_between_pings": ignored(.duration, httpOnly),
            "server.grpc_server_ping_without_stream_allowed": ignored(.bool, httpOnly),
            "server.log_source_ips_enabled": ignored(.bool, notActedOn),
            "server.log_source_ips_header": ignored(.string, notActedOn),
            "server.log_source_ips_regex": ignored(.string, notActedOn),
            "server.log_request_headers": ignored(.bool, notActedOn),
            "server.log_request_at_info_level_enabled": ignored(.bool, notActedOn),
            "server.log_request_exclude_headers_list": ignored(.string, notActedOn),
            "server.http_path_prefix": ignored(.string, "Skald serves the API at its standard paths"),
            "common.persist_tokens": ignored(.bool, singleNode),
            "common.instance_interface_names": ignored(.anything, singleNode),
            "common.instance_addr": ignored(.string, singleNode),
            "common.compactor_address": ignored(.string, "single binary: the compactor runs in-process"),
            "common.compactor_grpc_address": ignored(.string, "single binary: the compactor runs in-process"),
            "ingester.sync_period": ignored(.duration, "chunks are cut by size and age"),
            "ingester.sync_min_utilization": ignored(.float, "chunks are cut by size and age"),
            "ingester.max_returned_stream_errors": ignored(.int, notActedOn),
            "ingester.query_store_max_look_back_period": ignored(.duration, "Skald reads memory and the store as one"),
            "ingester.index_shards": ignored(.int, "Skald's in-memory index has no shards"),
            "ingester.max_dropped_streams": ignored(.int, notActedOn),
            "storage_config.index_cache_validity": ignored(.duration, "Skald has no index cache"),
            "storage_config.disable_broad_index_queries": ignored(.bool, notActedOn),
            "storage_config.max_parallel_get_chunk": ignored(.int, notActedOn),
            "storage_config.max_chunk_batch_size": ignored(.int, notActedOn),
            "schema_config.configs[].index.tags": ignored(.anything, "Skald's index tables carry no tags"),
            // Loki's older names for the runtime overrides file (runtime_config wins when both are set).
            "limits_config.per_tenant_override_config": set(.string) { $0.perTenantOverrideConfig = $1.string },
            "limits_config.per_tenant_override_period": set(.duration) { $0.perTenantOverridePeriod = $1.duration },
            "auth_enabled": set(.bool) { $0.authEnabled = $1.bool },
            "server": section,
            "server.http_listen_address": set(.string) { $0.server.httpListenAddress = $1.string },
            "server.http_listen_port": set(.int) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                guard (0...65535).contains(v.int) else { throw ConfigError("server.http_listen_port must be 0…65535, got \(v.int)") }
                c.server.httpListenPort = v.int
            },
            "server.grpc_listen_port": ignored(.int, "Skald serves HTTP only"),
            "server.grpc_listen_address": ignored(.string, "Skald serves HTTP only"),
            "server.log_level": set(.string) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                guard ["debug", "info", "warn", "error"].contains(v.string) else {
                    throw ConfigError("server.log_level must be debug, info, warn or error, got \"\(v.string)\"")
                }
                c.server.logLevel = v.string
            },
            "server.log_format": set(.string) { $0.server.logFormat = $1.string },
            "server.graceful_shutdown_timeout": set(.duration) { $0.server.gracefulShutdownTimeout = $1.duration },
            "server.http_server_read_timeout": ignored(.duration, "not acted on yet"),
            "server.http_server_write_timeout": ignored(.duration, "not acted on yet"),
            "server.http_server_idle_timeout": ignored(.duration, "not acted on yet"),
            "server.grpc_server_max_recv_msg_size": ignored(.int, "Skald serves HTTP only"),
            "server.grpc_server_max_send_msg_size": ignored(.int, "Skald serves HTTP only"),
            "server.grpc_server_max_concurrent_streams": ignored(.int, "Skald serves HTTP only"),
            "server.register_instrumentation": ignored(.bool, "/metrics is always served"),
            "common": section,
            "common.path_prefix": set(.string) { $0.pathPrefix = $1.string },
            "common.replication_factor": ignored(.int, singleNode),
            "common.storage": ignored(.anything, "set storage under storage_config; common.storage is not acted on"),
            "distributor": section,
            "distributor.max_recv_msg_size": set(.bytes) { $0.maxRecvMsgSize = $1.int },
            "distributor.ring": ignored(.anything, singleNode),
            "ingester": section,
            "ingester.chunk_idle_period": set(.duration) { $0.ingester.chunkIdlePeriod = $1.duration },
            "ingester.chunk_block_size": set(.bytes) { $0.ingester.chunkBlockSize = $1.int },
            "ingester.chunk_target_size": set(.bytes) { $0.ingester.chunkTargetSize = $1.int },
            "ingester.chunk_retain_period": set(.duration) { $0.ingester.chunkRetainPeriod = $1.duration },
            "ingester.chunk_encoding": set(.string) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                guard ChunkEncoding(configName: v.string) != nil else {
                    throw ConfigError("ingester.chunk_encoding must be lz4, gzip, snappy or none, got \"\(v.string)\"")
                }
                c.ingester.chunkEncoding = v.string
            },
            "ingester.max_chunk_age": set(.duration) { $0.ingester.maxChunkAge = $1.duration },
            "ingester.max_transfer_retries": ignored(.int, "Skald replays its WAL instead of transferring chunks between ingesters"),
            "ingester.concurrent_flushes": set(.int) { $0.ingester.concurrentFlushes = max(1, $1.int) },
            "ingester.memory_budget": set(.bytes) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                guard v.int == 0 || v.int >= 16 << 20 else {
                    throw ConfigError("ingester.memory_budget must be 0 (no bound) or at least 16MB, got \(v.string)")
                }
                c.ingester.memoryBudget = v.int
            },
            "ingester.flush_check_period": set(.duration) { $0.ingester.flushCheckPeriod = max($1.duration, 1_000_000) },
            "ingester.flush_op_timeout": ignored(.duration, "a failed flush is retried with backoff until it succeeds; there is no per-operation timeout"),
            "ingester.autoforget_unhealthy": ignored(.bool, singleNode),
            "ingester.wal": section,
            "ingester.wal.enabled": set(.bool) { $0.ingester.wal.enabled = $1.bool },
            "ingester.wal.dir": set(.string) { $0.ingester.wal.dir = $1.string },
            "ingester.wal.checkpoint_duration": set(.duration) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                guard v.duration >= 1_000_000 else { throw ConfigError("ingester.wal.checkpoint_duration must be at least 1ms, got \(v.string)") }
                c.ingester.wal.checkpointDuration = v.duration
            },
            "ingester.wal.flush_on_shutdown": set(.bool) { $0.ingester.wal.flushOnShutdown = $1.bool },
            "ingester.wal.replay_memory_ceiling": set(.bytes) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                guard v.int > 0 else { throw ConfigError("ingester.wal.replay_memory_ceiling must be more than 0 bytes, got \(v.string)") }
                c.ingester.wal.replayMemoryCeiling = v.int
            },
            "ingester.wal.fsync": set(.string) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                switch v.string {
                case "always": c.ingester.wal.fsync = .always
                case "never": c.ingester.wal.fsync = .never
                case "interval": c.ingester.wal.fsync = .interval(milliseconds: Int(c.ingester.wal.fsyncInterval / 1_000_000))
                default: throw ConfigError("ingester.wal.fsync must be always, interval or never, got \"\(v.string)\"")
                }
            },
            "ingester.wal.fsync_interval": set(.duration) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                guard v.duration >= 1_000_000 else { throw ConfigError("ingester.wal.fsync_interval must be at least 1ms") }
                c.ingester.wal.fsyncInterval = v.duration
                if case .interval = c.ingester.wal.fsync { c.ingester.wal.fsync = .interval(milliseconds: Int(v.duration / 1_000_000)) }
            },
            "ingester.wal.segment_size": set(.bytes) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                guard v.int >= 64 << 10 else { throw ConfigError("ingester.wal.segment_size must be at least 64KiB, got \(v.int)") }
                c.ingester.wal.segmentSize = v.int
            },
            "limits_config": section,
            "limits_config.retention_stream": Rule(kind: .list, effect: .none),
            "limits_config.retention_stream[].selector": set(.string) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                try setRetentionSelector(&c.limits, v.string)
            },
            "limits_config.retention_stream[].priority": set(.int) { $0.limits.retentionStreams[$0.limits.retentionStreams.count - 1].priority = $1.int },
            "limits_config.retention_stream[].period": set(.duration) { $0.limits.retentionStreams[$0.limits.retentionStreams.count - 1].period = $1.duration },
            "compactor": section,
            "table_manager": section,
            "table_manager.retention_deletes_enabled": Rule(kind: .bool, effect: .applyWarning(
                "Skald applies table_manager retention through its compactor; use compactor.retention_enabled") { $0.tableManager.deletesEnabled = $1.bool }),
            "table_manager.retention_period": Rule(kind: .duration, effect: .applyWarning(
                "Skald applies table_manager retention through its compactor; use limits_config.retention_period") { $0.tableManager.retentionPeriod = $1.duration }),
            "compactor.working_directory": set(.string) { $0.compactor.workingDirectory = $1.string },
            "compactor.compaction_interval": set(.duration) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                guard v.duration >= 0 else { throw ConfigError("compactor.compaction_interval must be 0 (passes only when asked: POST /compactor/run) or above, got \(TimeParser.formatDuration(v.duration))") }
                c.compactor.compactionInterval = v.duration
            },
            "compactor.retention_enabled": set(.bool) { $0.compactor.retentionEnabled = $1.bool },
            "compactor.retention_delete_delay": set(.duration) { $0.compactor.retentionDeleteDelay = $1.duration },
            "compactor.delete_request_cancel_period": set(.duration) { $0.compactor.deleteRequestCancelPeriod = $1.duration },
            "runtime_config": section,
            "runtime_config.file": set(.string) { $0.runtimeConfig.file = $1.string },
            "runtime_config.period": set(.duration) { $0.runtimeConfig.period = $1.duration },
            "storage_config": section,
            "storage_config.filesystem": section,
            "storage_config.filesystem.directory": set(.string) { $0.filesystemDirectory = $1.string },
            "querier": section,
            "querier.tail_max_duration": set(.duration) { $0.querier.tailMaxDuration = $1.duration },
            "querier.engine": section,
            "querier.engine.max_look_back_period": set(.duration) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                // Loki's rule: 0 means the 30 s default.
                c.querier.maxLookBackPeriod = v.duration > 0 ? v.duration : 30 * 1_000_000_000
            },
            "schema_config": section,
            "schema_config.configs": Rule(kind: .list, effect: .none),
            "schema_config.configs[].from": set(.string) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                guard let from = schemaDate(v.string) else {
                    throw ConfigError("schema_config.configs[].from must be a date like 2020-10-24, got \"\(v.string)\"")
                }
                c.schemaPeriods[c.schemaPeriods.count - 1].from = from
            },
            "schema_config.configs[].store": ignored(.string, "Skald keeps its own sorted index for every period, whatever the store"),
            "schema_config.configs[].object_store": ignored(.string, "chunks go to storage_config.filesystem.directory"),
            "schema_config.configs[].schema": ignored(.string, "Skald's index and chunk formats are its own, for every schema version"),
            "schema_config.configs[].row_shards": ignored(.int, "Skald's index has no row shards"),
            "schema_config.configs[].chunks": ignored(.anything, "chunk object keys are Skald's own"),
            "schema_config.configs[].index": section,
            "schema_config.configs[].index.prefix": set(.string) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                guard !v.string.isEmpty, !v.string.contains("/"), v.string != "..", v.string != "." else {
                    throw ConfigError("schema_config.configs[].index.prefix must be a non-empty name without \"/\", got \"\(v.string)\"")
                }
                c.schemaPeriods[c.schemaPeriods.count - 1].prefix = v.string
            },
            "schema_config.configs[].index.period": set(.duration) { (c: inout SkaldConfig, v: ConfigValue) throws(ConfigError) in
                let hour: Int64 = 3600 * 1_000_000_000
                guard v.duration >= hour, v.duration % hour == 0 else {
                    throw ConfigError("schema_config.configs[].index.period must be a whole number of hours (Loki uses 24h), got \(TimeParser.formatDuration(v.duration))")
                }
                c.schemaPeriods[c.schemaPeriods.count - 1].period = v.duration
            },
        ]
        for (k, v) in limitRules { r["limits_config." + k] = v }
        return r
    }()

    /// Runs before each item of a list is walked (its keys then fill in the new element).
    static let listItemStart: [String: @Sendable (inout SkaldConfig) -> Void] = [
        "schema_config.configs": { $0.schemaPeriods.append(.init(from: -1)) },
        "limits_config.retention_stream": { $0.limits.retentionStreams.append(RetentionStream(selector: "", matchers: [], priority: 0, period: -1)) },
    ]

    /// A `retention_stream` selector: parsed as a stream selector, as Loki does.
    static func setRetentionSelector(_ l: inout Limits, _ text: String) throws(ConfigError) {
        let matchers: [LabelMatcher]
        do { matchers = try SelectorParser.parse(text) } catch {
            throw ConfigError("retention_stream selector \"\(text)\" is not a stream selector: \(error.message)")
        }
        l.retentionStreams[l.retentionStreams.count - 1].selector = text
        l.retentionStreams[l.retentionStreams.count - 1].matchers = matchers
    }

    /// What a finished `retention_stream` item must have.
    static func checkRetentionStream(_ l: Limits) throws(ConfigError) {
        guard let r = l.retentionStreams.last else { return }
        guard !r.selector.isEmpty else { throw ConfigError("a retention_stream item has no selector; each needs one, like selector: '{namespace=\"dev\"}'") }
        guard r.period >= 0 else { throw ConfigError("retention_stream \(r.selector) has no period; each needs one, like period: 24h") }
    }

    /// Runs after each item of a list is walked: checks what the item as a whole must satisfy.
    static let listItemEnd: [String: @Sendable (inout SkaldConfig) throws(ConfigError) -> Void] = [
        "limits_config.retention_stream": { (c: inout SkaldConfig) throws(ConfigError) in try checkRetentionStream(c.limits) },
        "schema_config.configs": { (c: inout SkaldConfig) throws(ConfigError) in
            let n = c.schemaPeriods.count
            guard c.schemaPeriods[n - 1].from >= 0 else {
                throw ConfigError("schema_config.configs item \(n) has no \"from\" date; every period needs one, like from: 2020-10-24")
            }
            if n > 1, c.schemaPeriods[n - 1].from <= c.schemaPeriods[n - 2].from {
                throw ConfigError("schema_config.configs must be in increasing \"from\" order; item \(n) does not start after item \(n - 1)")
            }
        },
    ]

    /// `YYYY-MM-DD` as nanoseconds at midnight UTC.
    static func schemaDate(_ s: String) -> Int64? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int64(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), (1...31).contains(d), y >= 1970 else { return nil }
        return GoTime.days(year: y, month: m, day: d) * SchemaPeriods.day
    }

    /// The ignored subtree a path falls under, if any.
    static func ignoredTree(_ path: String) -> (String, String)? {
        var p = path
        while true {
            let base = p.replacingOccurrences(of: "[]", with: "")
            if let why = ignoredTrees[base] { return (base, why) }
            guard let dot = p.lastIndex(of: ".") else { return nil }
            p = String(p[..<dot])
        }
    }
}

