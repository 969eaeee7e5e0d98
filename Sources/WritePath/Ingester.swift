public import ChunkFormat
public import LogModel
public import Logging
public import Storage
public import WriteAheadLog
import CheckpointFormat
import Codecs
import Foundation
import Metrics
import Synchronization

/// Holds every tenant's stream heads and the write-ahead log that feeds them. A push is checked
/// against the heads (stream count, per-stream rate, out-of-order window), appended to the log,
/// and applied to the heads by the log's apply thread in LSN order — the same code path replay
/// uses, so the state after a crash and replay equals the state before it.
public final class Ingester: Sendable {
    public struct Configuration: Sendable {
        public var wal: LogWriter.Configuration
        /// `ingester.max_chunk_age` (2 h): a chunk spanning more is closed; half of it is the
        /// out-of-order acceptance window.
        public var maxChunkAge: Int64 = 2 * 3600 * 1_000_000_000
        /// `ingester.chunk_block_size` (256 KiB of raw entries per compressed block).
        public var blockSize = 262_144
        /// `ingester.chunk_target_size` (1.5 MiB compressed closes a chunk).
        public var targetSize = 1_572_864
        /// `ingester.chunk_encoding`.
        public var encoding: ChunkEncoding = .lz4
        /// `ingester.chunk_idle_period` (30 m without a push closes a chunk).
        public var idlePeriod: Int64 = 30 * 60 * 1_000_000_000
        /// `ingester.chunk_retain_period` (0: flushed chunks leave memory at the next sweep; the store index
        /// already answers for them, so there is no gap either way).
        public var retainPeriod: Int64 = 0
        /// `ingester.concurrent_flushes`: at most this many chunks are written at once, and no more
        /// than one per core (`flushWorkers`).
        public var concurrentFlushes = 32
        /// Flush threads: `concurrentFlushes`, at most one per core. Loki's 32 are for uploads to
        /// object storage, which wait on the network; a flush to the filesystem store is CPU work
        /// (encoding, checksum, the copy into the page cache), and when 100 busy streams close their
        /// chunks together, 32 runnable flush threads took the cores from pushes for 100–300 ms
        /// (docs/performance.md: JSON p99 64 → 44 ms with one or two).
        public var flushWorkers: Int {
            Self.flushWorkers(concurrentFlushes: concurrentFlushes, cores: ProcessInfo.processInfo.activeProcessorCount)
        }

        static func flushWorkers(concurrentFlushes: Int, cores: Int) -> Int { max(1, min(concurrentFlushes, cores)) }
        /// Threads compressing full head blocks (Skald's own; one per core keeps up with any ingest rate
        /// the log can take on this kind of machine).
        public var compressionWorkers = min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))
        /// How often flushed chunks are written into index tables (checked at each sweep; the server
        /// uses `flush_check_period`). Until then they are found through memory and their log records are kept.
        public var indexWriteInterval: Int64 = 30 * 1_000_000_000
        /// `ingester.wal.replay_memory_ceiling` (Loki: 4 GB): when replay has this much in memory it
        /// flushes every chunk (and indexes them, so a crash right after cannot flush them twice).
        public var replayMemoryCeiling = 4 << 30
        /// Skald's own `ingester.memory_budget`: bytes of log data the heads may hold (0: no bound).
        /// Past a quarter of it in uncompressed head blocks, the biggest are compressed early; from
        /// 80% of it, the biggest open chunks are closed and flushed early (`enforceMemoryBudget`).
        public var memoryBudget = 192 << 20
        /// How much record payload replay applies between two looks at memory.
        public var ceilingCheckBytes = 16 << 20
        /// The longest a push waits while the heads are over `memoryBudget` and chunks closed for
        /// memory are still being flushed (nanoseconds; 0: never wait).
        public var pressureHold: Int64 = 1_000_000_000

        public init(wal: LogWriter.Configuration, maxChunkAge: Int64 = 2 * 3600 * 1_000_000_000) {
            self.wal = wal
            self.maxChunkAge = maxChunkAge
        }
    }

    /// The result of a push that reached the ingester.
    public struct Outcome: Sendable {
        public var accepted = 0
        public var acceptedBytes = 0
        /// Per-stream rejection texts (Loki's format) and the reason of the last one.
        public var rejections: [Rejection] = []
        public var discarded: [DiscardReason: (lines: Int, bytes: Int)] = [:]
        public init() {}
    }

    final class BatchBox: @unchecked Sendable {
        let tenant: TenantID
        let batch: PushBatch
        let labelSets: [LabelSet]
        init(tenant: TenantID, batch: PushBatch, labelSets: [LabelSet]) {
            self.tenant = tenant
            self.batch = batch
            self.labelSets = labelSets
        }
    }

    let config: Configuration
    /// Flushed chunks and their index (queries read both through the querier).
    public let store: ChunkStore
    /// New entries for live tails, published once durable.
    public let liveFeed = LiveFeed()
    public let storeIndex: StoreIndex
    let flushQueue: FlushQueue
    let compressor: BlockCompressor
    let overrides: Overrides
    let clock: any Clock
    let logger: Logger
    /// Guards the tenant table (each tenant's heads have their own lock).
    private let tenants = Mutex<[TenantID: TenantHeads]>([:])
    /// The highest LSN applied to the heads (records above it may still be on their way).
    private let appliedThrough = Atomic<UInt64>(0)
    /// When the index was last written (monotonic ns).
    private let lastIndexWrite = Atomic<Int64>(0)
    /// Guards the writer reference (set once by `start`).
    private let writer = Mutex<LogWriter?>(nil)
    /// The LSN of the newest durable checkpoint this process may rely on (0: none): log segments
    /// wholly at or below it are not needed for anything still in memory.
    private let checkpointLSN = Atomic<UInt64>(0)
    /// One checkpoint at a time.
    private let checkpointing = NSLock()
    /// Bytes of push records applied, as replay would decode them (a protobuf record counts its
    /// decompressed body): what a restart re-reads beyond the last checkpoint, in work, not log bytes.
    private let appliedRecordBytes = Atomic<UInt64>(0)
    /// `appliedRecordBytes` when the last checkpoint began.
    private let checkpointedRecordBytes = Atomic<UInt64>(0)
    /// What the last replay restored from a checkpoint.
    private let restored = Mutex<CheckpointRestore?>(nil)
    /// Set by the budget loop when the heads held more than `memoryBudget`; pushes wait while it is
    /// set and the chunks it closed are still being flushed (`waitForMemory`).
    private let overBudget = Atomic<Bool>(false)
    /// Set with `overBudget` when the heads are past the budget by more than `farOverEighths`
    /// eighths: a push then waits up to `farOverHolds` holds instead of one.
    private let farOverBudget = Atomic<Bool>(false)

    public init(configuration: Configuration, store: ChunkStore, index: StoreIndex, overrides: Overrides, clock: any Clock = SystemClock(),
                logger: Logger) {
        self.config = configuration
        self.store = store
        self.storeIndex = index
        self.flushQueue = FlushQueue(store: store, index: storeIndex, workers: configuration.flushWorkers,
                                     retain: configuration.retainPeriod, clock: clock, logger: logger)
        self.compressor = BlockCompressor(encoding: configuration.encoding, workers: configuration.compressionWorkers, flushQueue: flushQueue)
        self.overrides = overrides
        self.clock = clock
        self.logger = logger
    }

    func heads(_ tenant: TenantID) -> TenantHeads {
        tenants.withLock { t in
            if let h = t[tenant] { return h }
            let h = TenantHeads(tenant: tenant, chunking: .init(blockSize: config.blockSize, targetSize: config.targetSize, encoding: config.encoding))
            t[tenant] = h
            return h
        }
    }

    // MARK: lifecycle

    /// Rebuilds the heads: the newest checkpoint, then the log records it does not cover. Call
    /// once, before `start`. The report's `lastLSN` is the highest LSN anything durable mentions, so
    /// new records are numbered above every flushed or checkpointed one even when the log is empty.
    public func replay(progress: (ReplayProgress) -> Void = { _ in }) throws -> ReplayReport {
        try DurableFile.createDirectory(config.wal.directory)
        let directory = config.wal.directory
        var restore = CheckpointRestore.newest(in: directory, logger: logger)
        // Only chunks whose records may still be in the log or the checkpoint matter to the skip rule.
        let logFirst = LogReader.firstLSN(directory: directory) ?? 0
        let from = min(logFirst, restore?.lowestLSN ?? .max)
        if from != .max {
            for tenant in storeIndex.tenantIDs {
                guard let id = try? TenantID(tenant) else { continue }
                let ranges = try storeIndex.flushedLSNRanges(tenant: tenant, from: from)
                guard !ranges.isEmpty else { continue }
                let h = heads(id)
                h.lock.lock()
                h.coveredRanges = ranges
                h.lock.unlock()
            }
        }
        defer {
            for h in tenants.withLock({ Array($0.values) }) {
                h.lock.lock()
                h.coveredRanges = [:]
                h.lock.unlock()
            }
        }
        compressor.start()
        restore?.load(into: self, now: clock.monotonic())
        if let r = restore, r.isComplete { checkpointLSN.store(r.lsn, ordering: .relaxed) }
        restored.withLock { [restore] in $0 = restore }

        var undecodable = 0
        var sinceCheck = 0
        // Replay holds no more than the running server would.
        let replayCeiling = config.memoryBudget > 0 ? min(config.replayMemoryCeiling, config.memoryBudget) : config.replayMemoryCeiling
        var ceilingFlushes = 0
        var labelCache: [String: LabelSet] = [:]
        var report = try LogReader.replay(directory: directory, logger: logger, progress: progress) { rec in
            guard let tenant = try? TenantID(rec.tenant) else { undecodable += 1; return }
            do {
                let (batch, sets): (PushBatch, [LabelSet]?) = switch rec.type {
                case .push: (try PushRecord.decode(rec.payload), nil)
                case .pushProtobuf: try PushRecord.decodeProtobuf(rec.payload, labels: &labelCache)
                }
                let h = heads(tenant)
                compressor.enqueue(h.apply(batch, labelSets: sets, lsn: rec.lsn, now: clock.monotonic()).map { .init(heads: h, stream: $0.0, block: $0.1) })
            } catch {
                // The frame's CRC matched, so this is a bug or a foreign writer, not disk damage.
                undecodable += 1
                logger.error("skipping undecodable wal record", metadata: ["wal.lsn": "\(rec.lsn)", "error": "\(error)"])
            }
            sinceCheck += rec.payload.count
            if sinceCheck >= config.ceilingCheckBytes {
                sinceCheck = 0
                if memoryBytes() >= replayCeiling {
                    flushDuringReplay()
                    ceilingFlushes += 1
                }
            }
        }
        report.lastLSN = max(report.lastLSN, storeIndex.maxLSN, restore?.highestLSN ?? 0)
        logger.info("wal replay finished", metadata: [
            "wal.segments": "\(report.segments)", "wal.records": "\(report.records)", "wal.bytes": "\(report.bytes)",
            "wal.last_lsn": "\(report.lastLSN)", "wal.damage": "\(report.damage.count)", "wal.undecodable": "\(undecodable)",
            "wal.replay_ceiling_flushes": "\(ceilingFlushes)",
        ])
        return report
    }

    /// The lowest LSN a replay of `walDirectory` could apply: the log's first record or the lowest
    /// a checkpoint there restores (0 when something cannot be read: assume anything). Chunks whose
    /// records all lie below it can never come back from the log.
    public static func replayFloor(walDirectory: String) -> UInt64 {
        guard let first = LogReader.firstLSN(directory: walDirectory) else { return 0 }
        return min(first, CheckpointRestore.lowestLSN(in: walDirectory))
    }

    /// Bytes held by every head (open and closed chunks in memory).
    func memoryBytes() -> Int {
        tenants.withLock { Array($0.values) }.reduce(0) { $0 + $1.stats().bytes }
    }

    /// Replay reached `replay_memory_ceiling`: every chunk goes to the store and into an index table
    /// before replay goes on. The tables make the next replay skip these records, so even a crash
    /// right after cannot bring them back as second copies.
    private func flushDuringReplay() {
        let before = memoryBytes()
        compressor.drain()
        flushQueue.start()
        sweep(force: true)
        flushQueue.drain(timeout: 24 * 3600)
        writeIndex()
        Counter(label: "skald_wal_replay_ceiling_flushes_total").increment()
        logger.warning("replay reached ingester.wal.replay_memory_ceiling; flushed every chunk before going on",
                       metadata: ["bytes.before": "\(before)", "bytes.after": "\(memoryBytes())", "ceiling": "\(config.replayMemoryCeiling)"])
    }

    /// Restores one checkpoint chunk (replay's checkpoint step).
    func restore(_ c: CheckpointChunk, tenant: TenantID, now: Int64) -> TenantHeads.Restored {
        let h = heads(tenant)
        let r = h.restore(c, now: now)
        if case .closed(let stream, let chunk) = r { flushQueue.enqueue([(h, stream, chunk)]) }
        return r
    }

    /// What the last replay restored from a checkpoint (nil: there was none).
    public var lastRestore: CheckpointRestore? { restored.withLock { $0 } }

    /// Opens a fresh segment after everything replayed and starts the writer and the flush workers.
    public func start(after report: ReplayReport) throws {
        flushQueue.start()
        appliedThrough.store(report.lastLSN, ordering: .releasing)
        let w = try LogWriter(configuration: config.wal, nextLSN: report.lastLSN + 1, segmentIndex: report.nextSegmentIndex,
                              sealedSegments: report.segmentLastLSN, logger: logger) { [weak self] group in
            guard let self else { return }
            let now = self.clock.monotonic()
            var full: [BlockCompressor.Job] = []
            var bytes = 0
            for c in group {
                guard let box = c.context as? BatchBox else { continue }
                bytes += box.batch.bytes.count
                let h = self.heads(box.tenant)
                for (s, block) in h.apply(box.batch, labelSets: box.labelSets, lsn: c.lsn, now: now) { full.append(.init(heads: h, stream: s, block: block)) }
            }
            self.compressor.enqueue(full)
            self.appliedRecordBytes.add(UInt64(bytes), ordering: .relaxed)
            if let last = group.last { self.appliedThrough.store(last.lsn, ordering: .releasing) }
        }
        w.start()
        writer.withLock { $0 = w }
    }

    /// Drains, syncs and closes the log (pushes after this fail with `closed`); with `flush`, closes
    /// every open chunk and waits (up to `flushTimeout`) for all of them to reach the store. Then
    /// stops the flush workers and, with `checkpoint`, writes a checkpoint so the next start reads it
    /// instead of the log: whatever is still unflushed is in the checkpoint or the log.
    public func stop(flush: Bool = false, flushTimeout: Double = 60, checkpoint: Bool = true) {
        let w = writer.withLock { w -> LogWriter? in defer { w = nil }; return w }
        w?.close()
        compressor.drain()
        if flush {
            sweep(force: true)
            if !flushQueue.drain(timeout: flushTimeout) {
                logger.warning("shutdown flush did not finish in time; the rest replays from the log on the next start",
                               metadata: ["chunks.pending": "\(flushQueue.backlog)"])
            }
        }
        flushQueue.stop()
        compressor.stop()
        writeIndex()
        if checkpoint, let w {
            do {
                try self.checkpoint(using: w)
            } catch {
                logger.error("shutdown checkpoint failed; the next start replays the log instead", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: flush

    /// Closes idle and too-old chunks (every open chunk when `force`) and queues them for flushing;
    /// drops flushed chunks past their retain period and forgets empty idle streams. The flush loop
    /// calls this every `flush_check_period`; `/flush` calls it with `force`.
    public func sweep(force: Bool = false) {
        let now = clock.monotonic()
        var closed: [(TenantHeads, StreamHead, MemoryChunk)] = []
        for h in tenants.withLock({ Array($0.values) }) {
            for (s, c) in h.sweep(now: now, idle: config.idlePeriod, maxAge: config.maxChunkAge, retain: config.retainPeriod, force: force) {
                closed.append((h, s, c))
            }
        }
        flushQueue.enqueue(closed)
        if now - lastIndexWrite.load(ordering: .relaxed) >= config.indexWriteInterval { writeIndex() }
        truncateLog()
    }

    /// Writes the chunks flushed since the last time into index tables (then their log records may go).
    /// A failure (a full volume, say) is logged and retried at the next sweep; nothing is lost meanwhile.
    public func writeIndex() {
        lastIndexWrite.store(clock.monotonic(), ordering: .relaxed)
        do {
            try storeIndex.writePending()
        } catch {
            logger.error("writing index tables failed; will retry at the next flush check", metadata: ["error": "\(error)"])
        }
    }

    /// What one look at the memory budget did.
    public struct BudgetReport: Sendable {
        public var bytes = 0
        public var uncompressed = 0
        public var blocksCut = 0
        public var chunksClosed = 0
    }

    /// Tenths of the budget past which open chunks are closed, and down to which.
    static let closeAbove = 8, closeDownTo = 6
    /// Past the budget by this many eighths, pushes wait up to `farOverHolds` × `pressureHold`:
    /// with the CPU contended (two busy processes beside the server on 2 cores), one-second holds
    /// let the heads run 27% over the budget and RSS to 442 MB while the flush queue was 1,740
    /// chunks long; a push waiting longer there is still well inside Promtail's 10 s timeout.
    static let farOverEighths = 1, farOverHolds = 5

    /// Keeps the heads within `memoryBudget` (the server calls this every second): when
    /// uncompressed head blocks pass a quarter of the budget, the biggest are cut and compressed
    /// until they are under an eighth; when everything passes 80% of the budget, the biggest open
    /// chunks are closed and queued for flushing until the rest is under 60% of it. Closed chunks
    /// stay in memory until a flush worker has written them, and lines keep arriving meanwhile: the
    /// fifth held back is what keeps the total under the budget itself while a burst of closed
    /// chunks is written (closing only past the budget overshot it by a quarter under 10,000
    /// streams). Everything stays in the log until flushed and indexed, so closing early costs
    /// chunk size, never data.
    @discardableResult
    public func enforceMemoryBudget() -> BudgetReport {
        var report = BudgetReport()
        let budget = config.memoryBudget
        guard budget > 0 else { return report }
        let heads = tenants.withLock { Array($0.values) }
        var usage: [(heads: TenantHeads, stream: StreamHead, raw: Int, open: Int, total: Int)] = []
        for h in heads { for u in h.usage() { usage.append((h, u.stream, u.raw, u.open, u.total)) } }
        var raw = usage.reduce(0) { $0 + $1.raw }
        var total = usage.reduce(0) { $0 + $1.total }
        report.bytes = total
        report.uncompressed = raw
        overBudget.store(total > budget, ordering: .releasing)
        farOverBudget.store(total > budget + budget / 8 * Self.farOverEighths, ordering: .releasing)
        if raw > budget / 4 {
            var chosen: [ObjectIdentifier: (TenantHeads, [StreamHead])] = [:]
            for u in usage.sorted(by: { $0.raw > $1.raw }) where raw > budget / 8 && u.raw > 0 {
                chosen[ObjectIdentifier(u.heads), default: (u.heads, [])].1.append(u.stream)
                raw -= u.raw
                total -= u.raw - u.raw / 3 // roughly what compression gives back
            }
            for (h, streams) in chosen.values {
                let cut = h.cutEarly(streams)
                report.blocksCut += cut.count
                compressor.enqueue(cut.map { .init(heads: h, stream: $0.0, block: $0.1) })
            }
        }
        if total > budget / 10 * Self.closeAbove {
            var closed: [(TenantHeads, StreamHead, MemoryChunk)] = []
            var chosen: [ObjectIdentifier: (TenantHeads, [StreamHead])] = [:]
            // Chunks already closed and waiting for a flush worker cannot be helped here.
            for u in usage.sorted(by: { $0.open > $1.open }) where total > budget / 10 * Self.closeDownTo && u.open > 0 {
                chosen[ObjectIdentifier(u.heads), default: (u.heads, [])].1.append(u.stream)
                total -= u.open
            }
            for (h, streams) in chosen.values {
                closed += h.closeEarly(streams, reason: .memory).map { (h, $0.0, $0.1) }
            }
            report.chunksClosed = closed.count
            flushQueue.enqueue(closed)
        }
        if report.blocksCut > 0 || report.chunksClosed > 0 {
            logger.debug("memory budget enforced", metadata: [
                "bytes": "\(report.bytes)", "uncompressed": "\(report.uncompressed)", "budget": "\(budget)",
                "blocks_cut": "\(report.blocksCut)", "chunks_closed": "\(report.chunksClosed)",
            ])
        }
        return report
    }

    /// What one checkpoint wrote.
    public struct CheckpointReport: Sendable {
        public var lsn: UInt64
        public var chunks: Int
        public var bytes: Int
        public var seconds: Double
        public var segmentsDeleted: Int
    }

    /// Writes a checkpoint of everything in memory (`ingester.wal.checkpoint_duration`), then lets
    /// the log go up to it. Each stream is captured under its tenant's lock (no copying) and
    /// compressed and written outside it, so pushes carry on meanwhile. Returns nil when nothing
    /// was applied since the last one. A failure (a full volume, say) leaves the previous checkpoint
    /// and the log as they were.
    @discardableResult
    public func checkpoint() throws -> CheckpointReport? {
        guard let w = writer.withLock({ $0 }) else { return nil }
        return try checkpoint(using: w)
    }

    /// Record bytes (as replay decodes them) applied since the last checkpoint began: what a
    /// restart would re-read beyond the checkpoint, at most. Counted decoded because a protobuf
    /// record is ~2.3× smaller in the log than the work of replaying it.
    public var recordBytesSinceCheckpoint: UInt64 {
        appliedRecordBytes.load(ordering: .relaxed) &- checkpointedRecordBytes.load(ordering: .relaxed)
    }

    @discardableResult
    private func checkpoint(using w: LogWriter) throws -> CheckpointReport? {
        checkpointing.lock()
        defer { checkpointing.unlock() }
        // Every record up to `lsn` is in the heads now, so each stream's capture below holds all of
        // that stream's records up to it that are not already in flushed chunks.
        let lsn = appliedThrough.load(ordering: .acquiring)
        guard lsn > 0, lsn != checkpointLSN.load(ordering: .acquiring) else { return nil }
        let recordBytes = appliedRecordBytes.load(ordering: .relaxed)
        let started = clock.monotonic()
        let file: CheckpointWriter
        do {
            file = try CheckpointWriter(directory: config.wal.directory, prefix: CheckpointPrefix(lsn: lsn, createdUnixNano: clock.now()))
            do {
                for h in tenants.withLock({ Array($0.values) }) {
                    for key in h.streamKeys {
                        guard let capture = h.capture(key), !capture.isEmpty else { continue }
                        for c in capture.chunks(tenant: h.tenant.value, encoding: h.chunking.encoding) { try file.append(c) }
                    }
                }
                // Chunks that left memory before their stream was captured are not in the
                // checkpoint; their tables must be durable before it replaces the previous one.
                try storeIndex.writePending()
                try file.commit()
            } catch {
                file.abandon()
                throw error
            }
        } catch {
            Counter(label: "loki_ingester_checkpoint_creations_failed_total").increment()
            throw error
        }
        checkpointLSN.store(lsn, ordering: .releasing)
        checkpointedRecordBytes.store(recordBytes, ordering: .relaxed)
        let removed = CheckpointFiles.removeAll(in: config.wal.directory, except: lsn)
        let deleted = truncateLog(using: w)
        let report = CheckpointReport(lsn: lsn, chunks: Int(file.chunks), bytes: file.bytes,
                                      seconds: Double(clock.monotonic() - started) / 1e9, segmentsDeleted: deleted)
        Counter(label: "loki_ingester_checkpoint_creations_total").increment()
        Counter(label: "loki_ingester_checkpoint_deletions_total").increment(by: removed)
        Counter(label: "loki_ingester_checkpoint_logged_bytes_total").increment(by: report.bytes)
        Metrics.Timer(label: "loki_ingester_checkpoint_duration_seconds").recordNanoseconds(clock.monotonic() - started)
        logger.info("checkpoint written", metadata: [
            "checkpoint.lsn": "\(lsn)", "checkpoint.chunks": "\(report.chunks)", "checkpoint.bytes": "\(report.bytes)",
            "checkpoint.seconds": "\(report.seconds)", "wal.segments_deleted": "\(deleted)",
        ])
        return report
    }

    /// Deletes log segments whose records are all in flushed, indexed chunks: everything below the
    /// lowest LSN still held only in memory (open chunks, closed chunks not yet flushed, flushed chunks
    /// not yet in an index table) and not above what has been applied. Returns the number of segments deleted.
    @discardableResult
    public func truncateLog() -> Int {
        guard let w = writer.withLock({ $0 }) else { return 0 }
        return truncateLog(using: w)
    }

    /// Segments may go below the lowest LSN held only in memory — or, where a checkpoint holds
    /// memory, below the checkpoint — but never above a chunk flushed and not yet indexed, nor above
    /// what has been applied.
    private func truncateLog(using w: LogWriter) -> Int {
        // Heads first, then the index's pending chunks: a flush moves a chunk from "unflushed in a
        // head" to "pending in the index" by adding it to the index before marking it flushed, so
        // reading in this order can never miss it in both.
        let applied = appliedThrough.load(ordering: .acquiring) &+ 1
        var unflushed = UInt64.max
        for h in tenants.withLock({ Array($0.values) }) {
            unflushed = min(unflushed, h.lowestUnflushedLSN())
        }
        let checkpointed = checkpointLSN.load(ordering: .acquiring) &+ 1
        let watermark = min(applied, max(unflushed, checkpointed), storeIndex.lowestPendingLSN)
        return w.deleteSegments(below: watermark)
    }

    /// Waits until every queued chunk is in the store (tests, `/flush?wait=true`, shutdown).
    @discardableResult
    public func waitForFlushes(timeout: Double = 60) -> Bool {
        compressor.drain()
        return flushQueue.drain(timeout: timeout)
    }

    /// Chunks queued or being written.
    public var flushBacklog: Int { flushQueue.backlog }

    public var walStats: LogWriter.Stats? { writer.withLock { $0?.currentStats } }

    // MARK: push

    /// Checks `batch` (canonical labels, parsed as `labelSets`) against the heads, appends what
    /// passes to the log, and returns once it is durable and visible to queries.
    ///
    /// `protobufBody` is the body `batch` was decoded from when it is a snappy-compressed protobuf
    /// request the distributor accepted whole. If the heads admit every entry too, the log stores
    /// that body as it came (a `pushProtobuf` record: less than half the bytes to checksum and
    /// write, no re-encoding); otherwise it stores the admitted entries in Skald's own layout.
    public func push(tenant: TenantID, batch: PushBatch, labelSets: [LabelSet], protobufBody: [UInt8]? = nil) async throws -> Outcome {
        await waitForMemory()
        let (accepted, acceptedSets, outcome) = admit(tenant: tenant, batch: batch, labelSets: labelSets)
        guard !accepted.streams.isEmpty else { return outcome }
        guard let w = writer.withLock({ $0 }) else { throw LogWriter.WriterError.closed }
        let box = BatchBox(tenant: tenant, batch: accepted, labelSets: acceptedSets)
        if let body = protobufBody, outcome.accepted == batch.entryCount {
            _ = try await w.append(type: .pushProtobuf, tenant: tenant.value, payload: body, context: box)
        } else {
            _ = try await w.append(type: .push, tenant: tenant.value, payload: PushRecord.encode(accepted), context: box)
        }
        liveFeed.publish(tenant: tenant, batch: accepted, labelSets: acceptedSets)
        return outcome
    }

    /// Backpressure: while the heads are over `memoryBudget` (as the budget loop last saw them) and
    /// chunks are still waiting for a flush worker, a push waits — up to `pressureHold` (five times
    /// that when the heads are more than an eighth over), then it goes ahead anyway — so lines
    /// arrive no faster than memory is written out. Nothing is refused
    /// and nothing is lost; clients see a slower 204. Without this the heads run tens of megabytes
    /// over the budget whenever a burst of closed chunks meets a busy disk.
    func waitForMemory() async {
        guard config.pressureHold > 0, overBudget.load(ordering: .acquiring) else { return }
        // Wall time, not the injected clock: this is about how long a client waits.
        let start = ContinuousClock.now
        let far = farOverBudget.load(ordering: .acquiring)
        let hold = Duration.nanoseconds(config.pressureHold * Int64(far ? Self.farOverHolds : 1))
        var waited = Duration.zero
        while overBudget.load(ordering: .acquiring), flushQueue.backlog > 0, waited < hold {
            try? await Task.sleep(nanoseconds: 5_000_000)
            waited = ContinuousClock.now - start
        }
        // The flush workers caught up: whatever the loop measured has gone to disk.
        if flushQueue.backlog == 0 {
            overBudget.store(false, ordering: .releasing)
            farOverBudget.store(false, ordering: .releasing)
        }
        if waited > .zero {
            let c = waited.components
            Counter(label: "skald_ingester_memory_pressure_waits_total").increment()
            FloatingPointCounter(label: "skald_ingester_memory_pressure_wait_seconds_total")
                .increment(by: Double(c.seconds) + Double(c.attoseconds) / 1e18)
        }
    }

    /// Whether pushes are being held for memory (`waitForMemory`).
    var underMemoryPressure: Bool { overBudget.load(ordering: .acquiring) }

    /// The synchronous half of a push: what the heads admit, under the tenant's lock.
    func admit(tenant: TenantID, batch: PushBatch, labelSets: [LabelSet]) -> (PushBatch, [LabelSet], Outcome) {
        let limits = overrides.limits(for: tenant)
        let h = heads(tenant)
        var outcome = Outcome()
        var accepted = PushBatch(bytes: batch.bytes, streams: [], metadata: batch.metadata)
        var acceptedSets: [LabelSet] = []
        let now = clock.monotonic()
        let window = config.maxChunkAge / 2
        h.lock.lock()
        for (si, s) in batch.streams.enumerated() {
            let labels = labelSets[si]
            var head = h.streams[s.labels]
            if head == nil {
                let cap = limits.effectiveMaxStreams
                if cap > 0 && h.streams.count >= cap {
                    reject(&outcome, .streamLimit, lines: s.entries.count, bytes: s.lineBytes, message: Ingester.streamLimitMessage)
                    continue
                }
                head = h.add(s.labels, StreamHead(labels: labels))
            }
            let stream = head!
            if limits.perStreamRateLimit > 0 {
                let rate = Double(limits.perStreamRateLimit), burst = Double(max(limits.perStreamRateLimitBurst, limits.perStreamRateLimit))
                if stream.rateLimiter == nil { stream.rateLimiter = TokenBucket(rate: rate, burst: burst, now: now) }
                stream.rateLimiter!.update(rate: rate, burst: burst)
                let bytes = s.lineBytes
                if !stream.rateLimiter!.allow(bytes, now: now) {
                    let msg = "Per stream rate limit exceeded (limit: \(ByteSize.format(limits.perStreamRateLimit))/sec) while attempting to ingest for stream '\(s.labels)' totaling \(ByteSize.format(bytes)), consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased"
                    let text = Ingester.entriesIgnored(s.entries.map { ($0.timestamp, msg) }, tenant: tenant, total: s.entries.count, stream: s.labels)
                    reject(&outcome, .perStreamRateLimit, lines: s.entries.count, bytes: bytes, message: text)
                    continue
                }
            }
            var keep: [PushEntry] = []
            keep.reserveCapacity(s.entries.count)
            var failed: [(Int64, String)] = []
            var failedBytes = 0
            for e in s.entries {
                if limits.unorderedWrites {
                    if stream.admittedHighest != .min && e.timestamp < stream.admittedHighest - window {
                        failed.append((e.timestamp, "entry too far behind, oldest acceptable timestamp is: \(GoTime.rfc3339(stream.admittedHighest - window))"))
                        failedBytes += e.line.count
                        continue
                    }
                    if e.timestamp > stream.admittedHighest { stream.admittedHighest = e.timestamp }
                } else {
                    if e.timestamp < stream.admittedLast {
                        failed.append((e.timestamp, "entry out of order"))
                        failedBytes += e.line.count
                        continue
                    }
                    stream.admittedLast = e.timestamp
                    if e.timestamp > stream.admittedHighest { stream.admittedHighest = e.timestamp }
                }
                keep.append(e)
            }
            if !failed.isEmpty {
                let text = Ingester.entriesIgnored(failed, tenant: tenant, total: s.entries.count, stream: s.labels)
                reject(&outcome, limits.unorderedWrites ? .tooFarBehind : .outOfOrder, lines: failed.count, bytes: failedBytes, message: text)
            }
            if !keep.isEmpty {
                accepted.streams.append(PushStream(labels: s.labels, entries: keep))
                acceptedSets.append(labels)
                outcome.accepted += keep.count
                outcome.acceptedBytes += keep.reduce(0) { $0 + $1.line.count }
            }
        }
        h.lock.unlock()
        return (accepted, acceptedSets, outcome)
    }

    private func reject(_ o: inout Outcome, _ reason: DiscardReason, lines: Int, bytes: Int, message: String) {
        o.rejections.append(Rejection(reason, message))
        let prev = o.discarded[reason] ?? (0, 0)
        o.discarded[reason] = (prev.lines + lines, prev.bytes + bytes)
    }

    static let streamLimitMessage = "Maximum active stream limit exceeded, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased"

    /// Loki's per-entry rejection text for one stream.
    static func entriesIgnored(_ failed: [(Int64, String)], tenant: TenantID, total: Int, stream: String) -> String {
        var s = ""
        // Loki's `max_returned_stream_errors` default (10) bounds the listing.
        for (ts, why) in failed.prefix(10) {
            s += "entry with timestamp \(GoTime.string(ts)) ignored, reason: '\(why)',\n"
        }
        s += "user '\(tenant.value)', total ignored: \(failed.count) out of \(total) for stream: \(stream)"
        return s
    }

    // MARK: read

    /// What memory holds for streams matching `matchers` in [start, end) (the querier decodes it);
    /// nothing when the range is empty.
    public func snapshot(tenant: TenantID, start: Int64, end: Int64, copyEntries: Bool = true, matchers: [LabelMatcher]) -> [MemorySnapshot] {
        guard start < end, let h = tenants.withLock({ $0[tenant] }) else { return [] }
        return h.snapshot(start: start, end: end, copyEntries: copyEntries, matchers: matchers)
    }

    /// (tenant, streams, chunks, bytes) held in memory, for /metrics.
    public func memoryStats() -> [(tenant: String, streams: Int, chunks: Int, bytes: Int)] {
        tenants.withLock { Array($0.values) }.map { h in
            let s = h.stats()
            return (h.tenant.value, s.streams, s.chunks, s.bytes)
        }
    }
}

/// Byte sizes printed the way Loki's errors print them (`3MiB`, `512KiB`, `100B`).
public enum ByteSize {
    public static func format(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        if v == v.rounded() { return "\(Int(v))\(units[u])" }
        return "\((v * 100).rounded() / 100)\(units[u])"
    }
}
