import Prometheus
import WriteAheadLog
import WritePath

/// `/metrics`: the registry's counters and histograms (pushed by swift-metrics) plus the gauges
/// read at scrape time from the ingester and the log (no cost on the hot path).
enum MetricsText {
    static func render(registry: PrometheusCollectorRegistry, ingester: Ingester, replay: ReplayState) -> [UInt8] {
        var out: [UInt8] = []
        registry.emit(into: &out)
        var s = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            s += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, v) in samples {
                let value = v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
                s += "\(name)\(labels) \(value)\n"
            }
        }
        let mem = ingester.memoryStats()
        metric("loki_ingester_memory_streams", "gauge", "The total number of streams in memory per tenant.",
               mem.map { ("{tenant=\"\($0.tenant)\"}", Double($0.streams)) })
        metric("loki_ingester_memory_chunks", "gauge", "The total number of chunks in memory (open, closed and retained) per tenant.",
               mem.map { ("{tenant=\"\($0.tenant)\"}", Double($0.chunks)) })
        metric("skald_ingester_memory_chunk_bytes", "gauge", "Bytes held by in-memory chunks per tenant (compressed blocks plus head blocks).",
               mem.map { ("{tenant=\"\($0.tenant)\"}", Double($0.bytes)) })
        metric("skald_ingester_flush_queue_length", "gauge", "Closed chunks waiting for or being written by a flush worker.",
               [("", Double(ingester.flushBacklog))])
        let heap = AllocatorStats.read()
        if !heap.isEmpty {
            metric("skald_allocator_bytes", "gauge", "jemalloc's heap statistics: allocated (live), active (their pages), resident, retained (mapped but returned).",
                   heap.map { ("{kind=\"\($0.name)\"}", Double($0.bytes)) })
        }
        let stored = ingester.storeIndex.totals()
        metric("skald_store_chunks", "gauge", "Chunks in the store per tenant.", stored.map { ("{tenant=\"\($0.tenant)\"}", Double($0.chunks)) })
        metric("skald_store_chunk_bytes", "gauge", "Bytes of chunk files in the store per tenant.", stored.map { ("{tenant=\"\($0.tenant)\"}", Double($0.bytes)) })
        let tables = ingester.storeIndex.tableStats()
        metric("skald_index_tables", "gauge", "Index tables listed by the manifest.", [("", Double(tables.tables))])
        metric("skald_index_table_bytes", "gauge", "Bytes of index tables listed by the manifest.", [("", Double(tables.bytes))])
        metric("skald_index_damaged_tables", "gauge", "Index tables found damaged, waiting to be quarantined and rebuilt from chunk headers.",
               [("", Double(tables.damaged))])
        let open = ingester.storeIndex.openTables()
        metric("skald_index_open_table_bytes", "gauge", "Memory held by index tables opened for queries: their bytes plus what is parsed from them (least recently used dropped past 128 MiB).",
               [("", Double(open.bytes))])
        metric("skald_index_pending_chunks", "gauge", "Flushed chunks not yet written into an index table (their log records are kept).",
               [("", Double(ingester.storeIndex.pendingChunks))])
        if let w = ingester.walStats {
            metric("loki_ingester_wal_records_logged_total", "counter", "Records appended to the write-ahead log.", [("", Double(w.records))])
            metric("loki_ingester_wal_logged_bytes_total", "counter", "Bytes appended to the write-ahead log.", [("", Double(w.bytes))])
            metric("skald_wal_fsyncs_total", "counter", "fsync calls on write-ahead log segments.", [("", Double(w.fsyncs))])
            metric("skald_wal_fsync_seconds_total", "counter", "Seconds spent in write-ahead log fsync.", [("", w.fsyncSeconds)])
            metric("skald_wal_segments_deleted_total", "counter", "Write-ahead log segments deleted because everything in them is in flushed chunks.",
                   [("", Double(w.segmentsDeleted))])
            metric("skald_wal_commit_groups_total", "counter", "Group commits (one write, at most one fsync, many pushes).", [("", Double(w.groups))])
            metric("skald_wal_volume_full", "gauge", "1 while the data volume is full: pushes are refused with 503, queries keep working.",
                   [("", w.volumeFull ? 1 : 0)])
            metric("skald_wal_volume_full_rejections_total", "counter", "Groups of pushes refused with 503 because the data volume was full.",
                   [("", Double(w.volumeFullRejections))])
            metric("skald_wal_segment_current", "gauge", "Index of the segment being written.", [("", Double(w.segment))])
            metric("skald_wal_last_lsn", "gauge", "Sequence number of the last record appended.", [("", Double(w.lastLSN))])
        }
        let r = replay.snapshot
        metric("loki_ingester_wal_replay_active", "gauge", "Whether the write-ahead log is being replayed.", [("", r.active ? 1 : 0)])
        let ratio = r.progress.bytesTotal > 0 ? Double(r.progress.bytesRead) / Double(r.progress.bytesTotal) : (r.active ? 0 : 1)
        metric("skald_wal_replay_progress_ratio", "gauge", "Fraction of the write-ahead log replayed.", [("", ratio)])
        if let rep = r.report {
            metric("skald_wal_replay_records_total", "counter", "Records replayed at startup.", [("", Double(rep.records))])
            metric("skald_wal_replay_bytes_total", "counter", "Segment bytes read at startup.", [("", Double(rep.bytes))])
            metric("skald_wal_replay_bytes_lost_total", "counter", "Bytes of damaged log cut or quarantined at startup.", [("", Double(rep.bytesLost))])
            var kinds: [String: Int] = [:]
            for d in rep.damage { kinds[d.kind.rawValue, default: 0] += 1 }
            metric("skald_wal_replay_damage_total", "counter", "Damage found and repaired at startup, by kind.",
                   ReplayReport.DamageKind.allKinds.map { ("{kind=\"\($0)\"}", Double(kinds[$0] ?? 0)) })
            metric("loki_ingester_wal_corruptions_total", "counter", "Write-ahead log corruptions found at startup.",
                   [("", Double(rep.damage.filter { $0.kind != .tornTail }.count))])
        }
        out.append(contentsOf: s.utf8)
        return out
    }
}

extension ReplayReport.DamageKind {
    static let allKinds = ["torn_tail", "corrupt_region", "bad_header", "missing_segment"]
}
