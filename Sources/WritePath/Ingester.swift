public import LogModel
public import Logging
public import WriteAheadLog
import Codecs
import Foundation
import Synchronization

/// Holds every tenant's stream heads and the write-ahead log that feeds them. A push is checked
/// against the heads (stream count, per-stream rate, out-of-order window), appended to the log,
/// and applied to the heads by the log's apply thread in LSN order — the same code path replay
/// uses, so the state after a crash and replay equals the state before it.
public final class Ingester: Sendable {
    public struct Configuration: Sendable {
        public var wal: LogWriter.Configuration
        /// `ingester.max_chunk_age` (2 h): half of it is the out-of-order acceptance window.
        public var maxChunkAge: Int64 = 2 * 3600 * 1_000_000_000

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
    let overrides: Overrides
    let clock: any Clock
    let logger: Logger
    /// Guards the tenant table (each tenant's heads have their own lock).
    private let tenants = Mutex<[TenantID: TenantHeads]>([:])
    /// Guards the writer reference (set once by `start`).
    private let writer = Mutex<LogWriter?>(nil)

    public init(configuration: Configuration, overrides: Overrides, clock: any Clock = SystemClock(), logger: Logger) {
        self.config = configuration
        self.overrides = overrides
        self.clock = clock
        self.logger = logger
    }

    func heads(_ tenant: TenantID) -> TenantHeads {
        tenants.withLock { t in
            if let h = t[tenant] { return h }
            let h = TenantHeads(tenant: tenant)
            t[tenant] = h
            return h
        }
    }

    // MARK: lifecycle

    /// Rebuilds the heads from the log. Call once, before `start`.
    public func replay(progress: (ReplayProgress) -> Void = { _ in }) throws -> ReplayReport {
        try DurableFile.createDirectory(config.wal.directory)
        var undecodable = 0
        let report = try LogReader.replay(directory: config.wal.directory, logger: logger, progress: progress) { rec in
            guard rec.type == .push, let tenant = try? TenantID(rec.tenant) else { undecodable += 1; return }
            do {
                let batch = try PushRecord.decode(rec.payload)
                heads(tenant).apply(batch, labelSets: nil)
            } catch {
                // The frame's CRC matched, so this is a bug or a foreign writer, not disk damage.
                undecodable += 1
                logger.error("skipping undecodable wal record", metadata: ["wal.lsn": "\(rec.lsn)", "error": "\(error)"])
            }
        }
        logger.info("wal replay finished", metadata: [
            "wal.segments": "\(report.segments)", "wal.records": "\(report.records)", "wal.bytes": "\(report.bytes)",
            "wal.last_lsn": "\(report.lastLSN)", "wal.damage": "\(report.damage.count)", "wal.undecodable": "\(undecodable)",
        ])
        return report
    }

    /// Opens a fresh segment after everything replayed and starts the writer.
    public func start(after report: ReplayReport) throws {
        let w = try LogWriter(configuration: config.wal, nextLSN: report.lastLSN + 1, segmentIndex: report.nextSegmentIndex,
                              logger: logger) { [weak self] group in
            guard let self else { return }
            for c in group {
                guard let box = c.context as? BatchBox else { continue }
                self.heads(box.tenant).apply(box.batch, labelSets: box.labelSets)
            }
        }
        w.start()
        writer.withLock { $0 = w }
    }

    /// Drains, syncs and closes the log. Pushes after this fail with `closed`.
    public func stop() {
        let w = writer.withLock { w -> LogWriter? in defer { w = nil }; return w }
        w?.close()
    }

    public var walStats: LogWriter.Stats? { writer.withLock { $0?.currentStats } }

    // MARK: push

    /// Checks `batch` (canonical labels, parsed as `labelSets`) against the heads, appends what
    /// passes to the log, and returns once it is durable and visible to queries.
    public func push(tenant: TenantID, batch: PushBatch, labelSets: [LabelSet]) async throws -> Outcome {
        let (accepted, acceptedSets, outcome) = admit(tenant: tenant, batch: batch, labelSets: labelSets)
        guard !accepted.streams.isEmpty else { return outcome }
        guard let w = writer.withLock({ $0 }) else { throw LogWriter.WriterError.closed }
        let payload = PushRecord.encode(accepted)
        _ = try await w.append(type: .push, tenant: tenant.value, payload: payload,
                               context: BatchBox(tenant: tenant, batch: accepted, labelSets: acceptedSets))
        return outcome
    }

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
                let created = StreamHead(labels: labels)
                h.streams[s.labels] = created
                head = created
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

    public func query(tenant: TenantID, _ q: HeadQuery) -> [QueryStream] {
        guard let h = tenants.withLock({ $0[tenant] }) else { return [] }
        return h.query(q)
    }

    public func labelSets(tenant: TenantID, matchers: [Label], start: Int64, end: Int64) -> [LabelSet] {
        guard let h = tenants.withLock({ $0[tenant] }) else { return [] }
        return h.matchingLabelSets(matchers: matchers, start: start, end: end)
    }

    /// (tenant, streams, entries, bytes) for /metrics.
    public func memoryStats() -> [(tenant: String, streams: Int, entries: Int, bytes: Int)] {
        let all = tenants.withLock { Array($0.values) }
        return all.map { h in
            h.lock.lock()
            defer { h.lock.unlock() }
            return (h.tenant.value, h.streams.count, h.entryCount, h.byteCount)
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
