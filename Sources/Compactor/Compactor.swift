#if canImport(Glibc)
import Glibc
#endif
public import ChunkFormat
public import IndexFormat
public import LogModel
public import Logging
import Dispatch
import Synchronization
import Metrics
public import Storage
import WriteAheadLog

/// Keeps the index tidy and the volume bounded: every `compaction_interval` (in the server, or once
/// from `skald-tool compact --once`) it merges each period's tables per tenant into one, drops
/// references to chunk files that are gone, and — with retention on — drops the chunks retention
/// says must go, notes them in a marker file, and deletes the files once the delete delay has
/// passed (queries that read the index before may still open them). Chunk files no index lists
/// (orphans: written before a crash cut the index write short, torn by one, or taken out of the
/// index just before a crash lost their marker) are marked the same way and deleted after the same
/// delay, unless the index lists them by then. Idempotent: a crash anywhere leaves a valid index,
/// and the next run finishes the job.
public final class Compactor: Sendable {
    public struct Configuration: Sendable {
        /// Where marker files are kept (on the volume: they are the only record of what to delete).
        public var workingDirectory: String
        public var retentionEnabled = false
        /// Nanoseconds between a chunk leaving the index and its file being deleted.
        public var deleteDelay: Int64 = 2 * 3600 * 1_000_000_000
        /// Nanoseconds a delete request may still be cancelled; then its lines are removed from disk.
        public var deleteRequestCancelPeriod: Int64 = 24 * 3600 * 1_000_000_000

        public init(workingDirectory: String) { self.workingDirectory = workingDirectory }
    }

    /// What one run did.
    public struct Report: Sendable, Equatable {
        public var groups = 0
        public var tablesBefore = 0
        public var tablesAfter = 0
        /// Chunks that left the index because retention expired them (marked for deletion).
        public var expired = 0
        /// Chunk references dropped because their files were already gone.
        public var missing = 0
        /// Chunk files deleted this run (markers whose delay had passed), and their bytes.
        public var deletedChunks = 0
        public var deletedBytes = 0
        /// Chunk files no index lists nor marker holds, marked for deletion this run.
        public var orphans = 0
        /// Delete requests applied to the chunk files this run, and the lines they removed.
        public var deleteRequestsProcessed = 0
        public var linesDeleted = 0
        public init() {}
    }

    let config: Configuration
    let index: StoreIndex
    let chunks: ChunkStore
    let limits: @Sendable (String) -> Limits
    /// The lowest LSN the write-ahead log or the checkpoint may still hold (removed ranges below it
    /// can be forgotten: nothing can replay them).
    let replayFloor: @Sendable () -> UInt64
    /// Delete requests (nil: deletion is off).
    let deletes: DeleteRequestStore?
    let logger: Logger

    public init(configuration: Configuration, index: StoreIndex, chunks: ChunkStore, limits: @escaping @Sendable (String) -> Limits,
                replayFloor: @escaping @Sendable () -> UInt64, deletes: DeleteRequestStore? = nil, logger: Logger) {
        self.deletes = deletes
        self.config = configuration
        self.index = index
        self.chunks = chunks
        self.limits = limits
        self.replayFloor = replayFloor
        self.logger = logger
    }

    var markerDirectory: String { config.workingDirectory + "/retention" }

    /// Whether passes apply retention (`compactor.retention_enabled`).
    public var retentionEnabled: Bool { config.retentionEnabled }

    /// Held through a pass: the periodic loop and a requested pass (`POST /compactor/run`) take
    /// turns, never overlapping.
    private let passes = Mutex(())

    /// One pass at wall-clock time `now` (Unix ns); a pass already running is waited for first.
    public func run(now: Int64) throws -> Report {
        try passes.withLock { _ throws in try pass(now: now) }
    }

    func pass(now: Int64) throws -> Report {
        let began = DispatchTime.now().uptimeNanoseconds
        var report = Report()
        var expired: [String] = []
        var missing = 0
        var periods: [String: Limits] = [:]
        // Delete requests past their cancel period, for tenants whose mode removes lines from disk.
        let due = (deletes?.all ?? []).filter {
            $0.status == .received && now &- $0.createdAt >= config.deleteRequestCancelPeriod
                && (periods[$0.tenant] ?? limits($0.tenant)).deletionMode == .filterAndDelete
        }
        var processor = DeleteProcessor(requests: due, chunks: chunks)
        let compaction = try index.compact(replayFloor: replayFloor()) { tenant, labels, chunk in
            let key = ChunkRef.key(tenant: tenant, labels: labels.canonical, minTime: chunk.minTime, maxTime: chunk.maxTime, checksum: chunk.checksum)
            // Only a file that is not there is missing: one that cannot be looked up now (EIO,
            // permissions) keeps its place in the index.
            do {
                _ = try chunks.objects.size(key)
            } catch let e as DurableFile.IOError where e.errno == ENOENT {
                missing += 1
                return .drop
            } catch {
                logger.warning("chunk file could not be looked up; kept in the index", metadata: ["chunk": "\(key)", "error": "\(error)"])
            }
            let deleted = try processor.decide(tenant: tenant, labels: labels, chunk: chunk)
            if case .keep = deleted {} else { return deleted }
            guard config.retentionEnabled else { return .keep }
            let l = periods[tenant] ?? limits(tenant)
            periods[tenant] = l
            let period = l.retentionPeriod(for: labels)
            // Loki: expired once the chunk's end is more than the period ago; 0 keeps for ever.
            if period > 0, now &- chunk.maxTime > period {
                expired.append(key)
                return .remove
            }
            return .keep
        }
        report.groups = compaction.groups
        report.tablesBefore = compaction.tablesBefore
        report.tablesAfter = compaction.tablesAfter
        report.missing = missing
        report.expired = expired.count
        // The index no longer lists them (the manifest switched above); a crash before the marker
        // is written leaves their files unreferenced, never a listed chunk without its file.
        let gone = expired + processor.replaced
        if !gone.isEmpty { try RetentionMarkers.write(gone, at: now, in: markerDirectory) }
        // The index no longer lists the deleted lines: the requests are done.
        for r in due { try deletes?.markProcessed(r.requestID) }
        report.deleteRequestsProcessed = due.count
        report.linesDeleted = processor.linesDeleted
        // Read after the manifest switch and the marker: what the index lists now, pending included.
        // A table that cannot be read may be rebuilt from the chunk files' headers: then no file is
        // marked or deleted this run.
        let referenced: [String: Set<ChunkID>]?
        do { referenced = try index.chunkIDs() } catch {
            referenced = nil
            logger.warning("the index could not be read whole; no chunk file is marked or deleted until it is", metadata: ["error": "\(error)"])
        }
        if let referenced {
            report.orphans = try markOrphans(referenced: referenced, now: now)
            (report.deletedChunks, report.deletedBytes) = try sweep(now: now, referenced: referenced)
        }
        Gauge(label: "loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds").record(Double(now) / 1e9)
        if config.retentionEnabled {
            Gauge(label: "loki_compactor_apply_retention_last_successful_run_timestamp_seconds").record(Double(now) / 1e9)
        }
        Counter(label: "skald_compactor_chunks_marked_total").increment(by: expired.count)
        Counter(label: "skald_compactor_missing_chunks_dropped_total").increment(by: missing)
        Counter(label: "skald_compactor_orphans_marked_total").increment(by: report.orphans)
        Counter(label: "skald_compactor_chunks_deleted_total").increment(by: report.deletedChunks)
        Counter(label: "skald_compactor_bytes_deleted_total").increment(by: report.deletedBytes)
        if report.groups > 0 || report.deletedChunks > 0 || report.orphans > 0 {
            logger.info("compaction finished", metadata: [
                "compactor.groups": "\(report.groups)", "compactor.tables_before": "\(report.tablesBefore)",
                "compactor.tables_after": "\(report.tablesAfter)", "compactor.expired": "\(report.expired)",
                "compactor.missing": "\(report.missing)", "compactor.orphans": "\(report.orphans)",
                "compactor.deleted_chunks": "\(report.deletedChunks)",
                "compactor.deleted_bytes": "\(report.deletedBytes)",
                "compactor.seconds": "\(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9)",
            ])
        }
        return report
    }

    /// Marks the chunk files no index lists (`referenced`, read after this pass's index write) and no
    /// marker holds yet. A file written a moment ago whose chunk is not recorded yet may be marked
    /// too: by the time the delay has passed the index lists it, and `sweep` keeps it.
    func markOrphans(referenced: [String: Set<ChunkID>], now: Int64) throws -> Int {
        let marked = try RetentionMarkers.allKeys(in: markerDirectory)
        var orphans: [String] = []
        for tenant in try chunks.tenants() {
            let listed = referenced[tenant] ?? []
            for key in try chunks.objects.list(tenant) {
                guard let (_, id) = ChunkRef.id(ofKey: key), !listed.contains(id), !marked.contains(key) else { continue }
                orphans.append(key)
            }
        }
        guard !orphans.isEmpty else { return 0 }
        orphans.sort()
        try RetentionMarkers.write(orphans, at: now, in: markerDirectory)
        logger.info("chunk files no index lists were marked for deletion after the delete delay", metadata: [
            "compactor.orphans": "\(orphans.count)", "compactor.first": "\(orphans[0])",
        ])
        return orphans.count
    }

    /// Deletes the chunks of every marker whose delay has passed — except any the index lists
    /// (`referenced`): a chunk written again under the same key since it was marked — then the
    /// marker (a crash between leaves the marker, whose deletions are repeated harmlessly next time).
    func sweep(now: Int64, referenced: [String: Set<ChunkID>]) throws -> (Int, Int) {
        var deleted = 0, bytes = 0
        for m in RetentionMarkers.list(in: markerDirectory) where now &- m.time >= config.deleteDelay {
            for key in try RetentionMarkers.read(m.path) {
                if let (tenant, id) = ChunkRef.id(ofKey: key), referenced[tenant]?.contains(id) == true {
                    logger.info("a marked chunk file is listed in the index again; kept", metadata: ["chunk": "\(key)"])
                    continue
                }
                // Gone already (a run a crash cut short): nothing to do. Any other failure stops
                // the sweep with the marker kept, so the next run tries again.
                let size: Int
                do { size = try chunks.objects.size(key) } catch let e as DurableFile.IOError where e.errno == ENOENT { continue }
                try chunks.objects.delete(key)
                deleted += 1
                bytes += size
            }
            _ = DurableFile.remove(m.path)
        }
        return (deleted, bytes)
    }
}
