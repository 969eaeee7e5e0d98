public import Foundation
public import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The segmented log's single writer, with group commit: concurrent `append`s queue up, the writer
/// thread frames them with consecutive LSNs and writes them with one `writev`, hands the group — in
/// LSN order — to `onCommit` on a second thread, and (policy permitting) fsyncs meanwhile. Callers
/// resume once their group is both durable and applied, whichever comes last. So every consumer of
/// the log (live or replay) sees records in the same order, a group's apply overlaps its own fsync,
/// and no caller hears of success before its record is on disk.
///
/// Threads, not tasks: fsync blocks, and a blocked cooperative-pool thread would stall the server.
public final class LogWriter: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var directory: String
        /// Rotate to a new segment once the current one would pass this size (default 64 MiB).
        public var segmentSize: Int = 64 << 20
        public var fsync: FsyncPolicy = .always

        public init(directory: String, segmentSize: Int = 64 << 20, fsync: FsyncPolicy = .always) {
            self.directory = directory
            self.segmentSize = segmentSize
            self.fsync = fsync
        }
    }

    /// What the writer hands to `onCommit`: the LSN it assigned and the caller's context object.
    public struct Committed: @unchecked Sendable {
        public let lsn: UInt64
        public let tenant: String
        public let context: AnyObject?
    }

    public enum WriterError: Error, CustomStringConvertible, Sendable {
        case closed
        case volumeFull(String)
        case failed(String)

        public var description: String {
            switch self {
            case .closed: "the write-ahead log is closed (the server is shutting down); retry against a running server"
            case .volumeFull(let d): "the data volume is full (\(d)); free space or grow the volume, then retry"
            case .failed(let d): "the write-ahead log failed (\(d)); the server accepts no writes until it is restarted"
            }
        }
    }

    /// Counters, read by /metrics.
    public struct Stats: Sendable {
        public var records: UInt64 = 0
        public var bytes: UInt64 = 0
        public var fsyncs: UInt64 = 0
        public var groups: UInt64 = 0
        public var segment: UInt64 = 0
        public var lastLSN: UInt64 = 0
        public var fsyncSeconds: Double = 0
        /// Segments deleted because everything in them was flushed to chunks.
        public var segmentsDeleted: UInt64 = 0
        /// Whether the last write failed because the volume is full (pushes get 503 until a write succeeds).
        public var volumeFull = false
        /// Groups of appends refused because the volume was full.
        public var volumeFullRejections: UInt64 = 0
    }

    struct Pending {
        let type: WALFormat.RecordType
        let tenant: String
        let payload: [UInt8]
        let context: AnyObject?
        let continuation: CheckedContinuation<UInt64, any Error>
    }

    let config: Configuration
    let logger: Logger
    /// Called on the apply thread with each committed group, in LSN order.
    let onCommit: @Sendable ([Committed]) -> Void

    // Guarded by `lock`: the queue, the closing flag, the failure, stats.
    private let lock = NSCondition()
    private var queue: [Pending] = []
    private var closing = false
    private var closed = false
    private var failure: WriterError?
    private var stats = Stats()

    /// The interval-fsync thread sleeps on its own condition: sharing `lock` would let an append's
    /// `signal()` wake the timer instead of the writer, leaving the append unwritten.
    private let timer = NSCondition()
    private var timerStop = false

    // Guarded by `applyLock`: written groups awaiting apply, or failed ones awaiting their callers' resumption.
    private let applyLock = NSCondition()
    private var applyQueue: [(committed: [Committed], ticket: GroupTicket, error: (any Error)?)] = []
    private var applyDone = false

    /// Guarded by `lock`: segments no longer written to, oldest first, with their last LSN.
    /// Only `deleteSegments` removes entries, one call at a time (`truncation`).
    private var sealedSegments: [(index: UInt64, lastLSN: UInt64)] = []
    private let truncation = NSLock()

    // Owned by the writer thread only.
    private var fd: Int32 = -1
    private var segmentIndex: UInt64
    private var segmentBytes = 0
    private var nextLSN: UInt64
    private var dirty = false

    /// Whether synced segment pages are dropped from the page cache (SKALD_WAL_KEEP_CACHE=1 keeps them, for A/B).
    private let dropCleanPages = getenv("SKALD_WAL_KEEP_CACHE") == nil

    private var writerThread: Thread?
    private var applyThread: Thread?
    private var intervalThread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - nextLSN: the LSN of the first record this writer appends (last replayed + 1).
    ///   - segmentIndex: index of the new segment this writer opens (after every existing one).
    ///   - sealedSegments: the segments replay found (`ReplayReport.segmentLastLSN`), so they can be
    ///     deleted once what they hold is flushed.
    public init(configuration: Configuration, nextLSN: UInt64, segmentIndex: UInt64,
                sealedSegments: [(index: UInt64, lastLSN: UInt64)] = [], logger: Logger,
                onCommit: @escaping @Sendable ([Committed]) -> Void) throws {
        self.config = configuration
        self.sealedSegments = sealedSegments
        self.logger = logger
        self.nextLSN = nextLSN
        self.segmentIndex = segmentIndex
        self.onCommit = onCommit
        try DurableFile.createDirectory(configuration.directory)
        if let error = openFirstSegment() {
            guard error.isNoSpace else { throw error }
            // Start anyway, read-only: queries keep working and the segment is opened by the first
            // append after space returns.
            let detail = error.description
            logger.warning("the data volume is full: starting without an open wal segment; pushes get 503 until space is freed",
                           metadata: ["error": .string(detail)])
            stats.volumeFull = true
        }
        stats.lastLSN = nextLSN - 1
        stats.segment = segmentIndex
    }

    /// Starts the writer and apply threads.
    public func start() {
        let w = Thread.named("skald-wal-write") { [self] in writerLoop() }
        w.qualityOfService = .userInitiated
        writerThread = w
        let a = Thread.named("skald-wal-apply") { [self] in applyLoop() }
        applyThread = a
        w.start()
        a.start()
        if case .interval(let ms) = config.fsync {
            let t = Thread.named("skald-wal-fsync") { [self] in intervalLoop(ms) }
            intervalThread = t
            t.start()
        }
    }

    /// Appends one record; returns its LSN once it is durable per the fsync policy and applied.
    public func append(type: WALFormat.RecordType, tenant: String, payload: [UInt8], context: AnyObject? = nil) async throws -> UInt64 {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<UInt64, any Error>) in
            lock.lock()
            if let f = failure {
                lock.unlock()
                c.resume(throwing: f)
                return
            }
            if closing {
                lock.unlock()
                c.resume(throwing: WriterError.closed)
                return
            }
            queue.append(Pending(type: type, tenant: tenant, payload: payload, context: context, continuation: c))
            lock.signal()
            lock.unlock()
        }
    }

    public var currentStats: Stats {
        lock.lock()
        defer { lock.unlock() }
        return stats
    }

    /// Stops accepting appends, drains the queue, fsyncs and closes the segment. Idempotent; blocks.
    public func close() {
        lock.lock()
        if closed {
            lock.unlock()
            return
        }
        if writerThread == nil { // never started: no thread owns the descriptor
            closed = true
            closing = true
            lock.unlock()
            if fd >= 0 { _ = fsync(fd); Glibc.close(fd); fd = -1 }
            return
        }
        closed = true
        lock.unlock()
        // Stop the fsync timer first: it reads the descriptor the writer closes on its way out.
        if intervalThread != nil {
            timer.lock()
            timerStop = true
            timer.broadcast()
            timer.unlock()
            finished.wait() // only the timer can have finished: the writer is not closing yet
        }
        lock.lock()
        closing = true
        lock.broadcast()
        lock.unlock()
        finished.wait() // writer thread
        finished.wait() // apply thread
    }

    // MARK: writer thread

    private func writerLoop() {
        var buffer: [[UInt8]] = []
        while true {
            lock.lock()
            while queue.isEmpty && !closing { lock.wait() }
            if queue.isEmpty && closing {
                lock.unlock()
                break
            }
            let group = queue
            queue.removeAll(keepingCapacity: true)
            lock.unlock()

            var committed: [Committed] = []
            committed.reserveCapacity(group.count)
            var error: WriterError?
            let firstLSN = nextLSN
            do throws(WriterError) {
                buffer.removeAll(keepingCapacity: true)
                if fd < 0 {
                    // No open segment: the volume was full at start or at the last rotation.
                    do { try openSegment(segmentIndex) } catch {
                        throw error.isNoSpace ? .volumeFull(error.description) : .failed(error.description)
                    }
                }
                for p in group {
                    let frame = WALFormat.frameSize(tenant: p.tenant, payloadCount: p.payload.count)
                    if segmentBytes > WALFormat.segmentHeaderSize && segmentBytes + pendingBytes(buffer) + frame > config.segmentSize {
                        try writeBuffer(&buffer)
                        try rotate()
                    }
                    buffer.append(WALFormat.frameHeader(lsn: nextLSN, type: p.type, tenant: p.tenant, payload: p.payload))
                    buffer.append(p.payload)
                    committed.append(Committed(lsn: nextLSN, tenant: p.tenant, context: p.context))
                    nextLSN += 1
                }
                try writeBuffer(&buffer)
            } catch let e {
                error = e
                nextLSN = firstLSN
                committed.removeAll()
            }
            let syncing = error == nil && config.fsync == .always
            let ticket = GroupTicket(continuations: group.map(\.continuation), lsns: committed.map(\.lsn), waitingFor: syncing ? 2 : 1)
            if !syncing { record(error, group: group.count) }
            // Written: the apply may start now, while the fsync runs.
            applyLock.lock()
            applyQueue.append((committed, ticket, error))
            applyLock.signal()
            applyLock.unlock()
            guard syncing else { continue }
            var syncError: WriterError?
            do { try sync() } catch let e { syncError = e }
            // (A failed fsync leaves the group applied in memory but unacknowledged: its callers get
            // the error and may retry, which the heads deduplicate; the writer accepts nothing more.)
            record(syncError, group: group.count)
            ticket.done(syncError)
        }
        if fd >= 0 {
            if dirty { _ = fsync(fd) }
            Glibc.close(fd)
            fd = -1
        }
        applyLock.lock()
        applyDone = true
        applyLock.signal()
        applyLock.unlock()
        finished.signal()
    }

    /// Records a group's outcome in the stats (and a failure, which refuses every later append).
    private func record(_ error: WriterError?, group: Int) {
        lock.lock()
        defer { lock.unlock() }
        if let e = error {
            if case .failed = e { failure = e }
            if case .volumeFull = e {
                stats.volumeFull = true
                stats.volumeFullRejections += 1
            }
        } else {
            stats.volumeFull = false
            stats.records += UInt64(group)
            stats.groups += 1
            stats.lastLSN = nextLSN - 1
            stats.segment = segmentIndex
        }
    }

    private func pendingBytes(_ parts: [[UInt8]]) -> Int { parts.reduce(0) { $0 + $1.count } }

    /// Writes the frames gathered so far with `writev` (headers and payloads in place, no copy).
    private func writeBuffer(_ buffer: inout [[UInt8]]) throws(WriterError) {
        guard !buffer.isEmpty else { return }
        let before = segmentBytes
        let total = pendingBytes(buffer)
        do {
            try DurableFile.writeAll(fd, parts: buffer, path: segmentPath(segmentIndex))
        } catch {
            // Cut any partial frame so the next append does not follow garbage.
            _ = ftruncate(fd, off_t(before))
            _ = lseek(fd, off_t(before), SEEK_SET)
            if error.isNoSpace { throw .volumeFull(error.description) }
            throw .failed(error.description)
        }
        segmentBytes += total
        lock.lock()
        stats.bytes += UInt64(total)
        lock.unlock()
        dirty = true
        buffer.removeAll(keepingCapacity: true)
    }

    private func sync() throws(WriterError) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        // After a failed fsync the kernel may have dropped the dirty pages: the only safe
        // course is to stop accepting writes (the PostgreSQL "fsyncgate" lesson).
        guard fsync(fd) == 0 else { throw .failed("fsync \(segmentPath(segmentIndex)): \(String(cString: strerror(errno)))") }
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        dirty = false
        // The log is read only at replay: once its pages are clean, drop them from the page cache
        // instead of letting gigabytes of cold WAL crowd out memory the server uses.
        if dropCleanPages { _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED)) }
        lock.lock()
        stats.fsyncs += 1
        stats.fsyncSeconds += dt
        lock.unlock()
    }

    private func rotate() throws(WriterError) {
        try sync()
        lock.lock()
        sealedSegments.append((segmentIndex, nextLSN - 1))
        lock.unlock()
        Glibc.close(fd)
        fd = -1
        // The next segment's index is taken now, so a failed open is retried with the same index.
        segmentIndex += 1
        do { try openSegment(segmentIndex) } catch {
            throw error.isNoSpace ? .volumeFull(error.description) : .failed(error.description)
        }
        logger.debug("wal segment rotated", metadata: ["wal.segment": "\(segmentIndex)"])
    }

    /// Deletes the oldest sealed segments whose every record has an LSN below `watermark` (all of it is
    /// in flushed chunks), never the segment being written, oldest first so no gap ever appears.
    /// Returns how many were deleted. Callers on several threads (the checkpoint and the flush sweep
    /// both truncate) are taken one at a time: two overlapping calls would otherwise pick the same
    /// segments, and the second would drop from the list segments it did not delete.
    @discardableResult
    public func deleteSegments(below watermark: UInt64) -> Int {
        truncation.lock()
        defer { truncation.unlock() }
        lock.lock()
        var n = 0
        while n < sealedSegments.count && sealedSegments[n].lastLSN < watermark { n += 1 }
        let doomed = sealedSegments.prefix(n).map(\.index)
        lock.unlock()
        var deleted: Set<UInt64> = []
        for index in doomed {
            let path = segmentPath(index)
            if unlink(path) != 0 && errno != ENOENT {
                logger.error("could not delete a flushed wal segment", metadata: ["wal.segment": "\(path)", "errno": "\(errno)"])
                break
            }
            deleted.insert(index)
        }
        if !deleted.isEmpty {
            try? DurableFile.syncDirectory(config.directory)
            lock.lock()
            // By index, not by count: only this call removes entries (rotation appends at the end).
            sealedSegments.removeAll { deleted.contains($0.index) }
            stats.segmentsDeleted += UInt64(deleted.count)
            lock.unlock()
        }
        return deleted.count
    }

    /// Opens the first segment, returning the error instead of throwing it (`init` starts read-only on
    /// a full volume and rethrows anything else; a `do/catch where` in `init` crashes the 6.1 compiler).
    private func openFirstSegment() -> DurableFile.IOError? {
        do {
            try openSegment(segmentIndex)
            return nil
        } catch {
            return error
        }
    }

    private func segmentPath(_ index: UInt64) -> String { config.directory + "/" + SegmentName.name(index) }

    private func openSegment(_ index: UInt64) throws(DurableFile.IOError) {
        let path = segmentPath(index)
        let f = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard f >= 0 else { throw DurableFile.IOError(path: path, operation: "open", errno: errno) }
        let header = WALFormat.segmentHeader(index: index)
        do throws(DurableFile.IOError) {
            try DurableFile.writeAll(f, header, path: path)
            guard fsync(f) == 0 else { throw DurableFile.IOError(path: path, operation: "fsync", errno: errno) }
            try DurableFile.syncDirectory(config.directory)
        } catch {
            // Leave no headerless segment behind for replay to trip over.
            Glibc.close(f)
            unlink(path)
            throw error
        }
        fd = f
        segmentIndex = index
        segmentBytes = header.count
        dirty = false
    }

    // MARK: apply thread

    private func applyLoop() {
        while true {
            applyLock.lock()
            while applyQueue.isEmpty && !applyDone { applyLock.wait() }
            if applyQueue.isEmpty && applyDone {
                applyLock.unlock()
                break
            }
            let work = applyQueue
            applyQueue.removeAll(keepingCapacity: true)
            applyLock.unlock()
            for (committed, ticket, error) in work {
                if let e = error {
                    ticket.done(e)
                    continue
                }
                onCommit(committed)
                ticket.done(nil)
            }
        }
        finished.signal()
    }

    // MARK: interval fsync

    private func intervalLoop(_ ms: Int) {
        while true {
            timer.lock()
            if !timerStop { _ = timer.wait(until: Date(timeIntervalSinceNow: Double(ms) / 1000)) }
            let stop = timerStop
            timer.unlock()
            if stop { break }
            // fsync of a descriptor another thread writes to is safe; rotation fsyncs on its own.
            // The writer closes its descriptor only after this thread has stopped (see close()).
            let f = fd
            if f >= 0 { _ = fsync(f) }
            lock.lock()
            stats.fsyncs += 1
            lock.unlock()
        }
        finished.signal()
    }
}

/// One group's callers, resumed when the last of the group's pending steps (its apply and, when the
/// policy syncs, its fsync) is done — with the first error any step reported.
final class GroupTicket: @unchecked Sendable {
    private let lock = NSLock()
    private var waiting: Int
    private var error: (any Error)?
    private let continuations: [CheckedContinuation<UInt64, any Error>]
    private let lsns: [UInt64]

    init(continuations: [CheckedContinuation<UInt64, any Error>], lsns: [UInt64], waitingFor steps: Int) {
        self.continuations = continuations
        self.lsns = lsns
        waiting = steps
    }

    func done(_ stepError: (any Error)?) {
        lock.lock()
        if error == nil { error = stepError }
        waiting -= 1
        let last = waiting == 0
        let outcome = error
        lock.unlock()
        guard last else { return }
        for (i, c) in continuations.enumerated() {
            if let e = outcome { c.resume(throwing: e) } else { c.resume(returning: lsns[i]) }
        }
    }
}
