import LogModel
import Storage
import WriteAheadLog

/// The effective configuration as YAML, under Loki's key names (`GET /config`, `-print-config-stderr`).
enum ConfigPrinter {
    static func yaml(_ c: SkaldConfig) -> String {
        func d(_ ns: Int64) -> String { TimeParser.formatDuration(ns) }
        let l = c.limits
        let fsync: String = switch c.ingester.wal.fsync {
        case .always: "always"
        case .interval: "interval"
        case .never: "never"
        }
        let schema = SchemaPeriods(c.schemaPeriods).periods.map { p in
            "  - from: \(GoTime.rfc3339(p.from).prefix(10))\n    index:\n      prefix: \(p.prefix)\n      period: \(d(p.period))\n"
        }.joined()
        return """
        target: \(c.target)
        auth_enabled: \(c.authEnabled)
        server:
          http_listen_address: "\(c.server.httpListenAddress)"
          http_listen_port: \(c.server.httpListenPort)
          log_level: \(c.server.logLevel)
          log_format: \(c.server.logFormat)
          graceful_shutdown_timeout: \(d(c.server.gracefulShutdownTimeout))
        common:
          path_prefix: "\(c.dataDirectory)"
        distributor:
          max_recv_msg_size: \(c.maxRecvMsgSize)
        ingester:
          chunk_idle_period: \(d(c.ingester.chunkIdlePeriod))
          chunk_block_size: \(c.ingester.chunkBlockSize)
          chunk_target_size: \(c.ingester.chunkTargetSize)
          chunk_retain_period: \(d(c.ingester.chunkRetainPeriod))
          chunk_encoding: \(c.ingester.chunkEncoding)
          max_chunk_age: \(d(c.ingester.maxChunkAge))
          concurrent_flushes: \(c.ingester.concurrentFlushes)
          flush_check_period: \(d(c.ingester.flushCheckPeriod))
          memory_budget: \(c.ingester.memoryBudget)
          wal:
            enabled: \(c.ingester.wal.enabled)
            dir: "\(c.walDirectory)"
            fsync: \(fsync)
            fsync_interval: \(d(c.ingester.wal.fsyncInterval))
            segment_size: \(c.ingester.wal.segmentSize)
            checkpoint_duration: \(d(c.ingester.wal.checkpointDuration))
            flush_on_shutdown: \(c.ingester.wal.flushOnShutdown)
            replay_memory_ceiling: \(c.ingester.wal.replayMemoryCeiling)
        limits_config:
          ingestion_rate_mb: \(l.ingestionRateMB)
          ingestion_burst_size_mb: \(l.ingestionBurstSizeMB)
          max_global_streams_per_user: \(l.maxGlobalStreamsPerUser)
          max_streams_per_user: \(l.maxStreamsPerUser)
          per_stream_rate_limit: \(l.perStreamRateLimit)
          per_stream_rate_limit_burst: \(l.perStreamRateLimitBurst)
          max_label_names_per_series: \(l.maxLabelNamesPerSeries)
          max_label_name_length: \(l.maxLabelNameLength)
          max_label_value_length: \(l.maxLabelValueLength)
          reject_old_samples: \(l.rejectOldSamples)
          reject_old_samples_max_age: \(d(l.rejectOldSamplesMaxAge))
          creation_grace_period: \(d(l.creationGracePeriod))
          max_line_size: \(l.maxLineSize)
          max_line_size_truncate: \(l.maxLineSizeTruncate)
          unordered_writes: \(l.unorderedWrites)
          increment_duplicate_timestamp: \(l.incrementDuplicateTimestamp)
          max_entries_limit_per_query: \(l.maxEntriesLimitPerQuery)
          max_query_series: \(l.maxQuerySeries)
          max_query_length: \(d(l.maxQueryLength))
          max_query_lookback: \(d(l.maxQueryLookback))
          query_timeout: \(d(l.queryTimeout))
          split_queries_by_interval: \(d(l.splitQueriesByInterval))
          volume_enabled: \(l.volumeEnabled)
          max_concurrent_tail_requests: \(l.maxConcurrentTailRequests)
        querier:
          tail_max_duration: \(d(c.querier.tailMaxDuration))
          engine:
            max_look_back_period: \(d(c.querier.maxLookBackPeriod))
        runtime_config:
          file: "\(c.runtimeConfig.file)"
          period: \(d(c.runtimeConfig.period))
        storage_config:
          filesystem:
            directory: "\(c.chunksDirectory)"
        schema_config:
          configs:
        \(schema)
        """
    }
}
