import Foundation
public import Logging
import Metrics
import Storage

/// The bounded pool of flush workers (`ingester.concurrent_flushes`): each takes a closed chunk,
/// writes it to the chunk store, records it in the store index, then marks it flushed in its
/// stream. A failed write is retried with exponential backoff (1 s doubling to 30 s) for as long as
/// it takes: the chunk stays in memory and in the log meanwhile, so nothing is lost.
final class FlushQueue: @unchecked Sendable {
    struct Job {
        let heads: TenantHeads
        let stream: StreamHead
        let chunk: MemoryChunk
        var attempts = 0
        var notBefore: Int64 = 0
    }

    let store: ChunkStore
    let index: StoreIndex
    let clock: any Clock
    let logger: Logger
    /// Guards `pending`, `inFlight` and `stopping`.
    private let cond = NSCondition()
    private var pending: [Job] = []
    private var inFlight = 0
    private var stopping = false
    private var threads: [Thread] = []
    private let workers: Int

    static let minBackoff: Int64 = 1_000_000_000
    static let maxBackoff: Int64 = 30_000_000_000

    /// `chunk_retain_period`.
    let retain: Int64

    init(store: ChunkStore, index: StoreIndex, workers: Int, retain: Int64, clock: any Clock, logger: Logger) {
        self.retain = retain
        self.store = store
        self.index = index
        self.workers = max(1, workers)
        self.clock = clock
        self.logger = logger
    }

    func start() {
        for i in 0..<workers {
            let t = Thread { [self] in work() }
            t.name = "skald-flush-\(i)"
            threads.append(t)
            t.start()
        }
    }

    func enqueue(_ jobs: [(TenantHeads, StreamHead, MemoryChunk)]) {
        guard !jobs.isEmpty else { return }
        cond.lock()
        pending += jobs.map { Job(heads: $0.0, stream: $0.1, chunk: $0.2) }
        cond.broadcast()
        cond.unlock()
    }

    /// Chunks queued or being written.
    var backlog: Int {
        cond.lock()
        defer { cond.unlock() }
        return pending.count + inFlight
    }

    /// Blocks until every queued chunk is flushed (or `timeout` passes); returns whether it drained.
    @discardableResult
    func drain(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        cond.lock()
        defer { cond.unlock() }
        while !pending.isEmpty || inFlight > 0 {
            if !cond.wait(until: deadline) { return false }
        }
        return true
    }

    /// Stops the workers after their current write; queued chunks stay in the log for the next start.
    func stop() {
        cond.lock()
        stopping = true
        cond.broadcast()
        cond.unlock()
    }

    private func work() {
        while true {
            cond.lock()
            var job: Job?
            while job == nil {
                if stopping { cond.unlock(); return }
                let now = clock.monotonic()
                if let i = pending.firstIndex(where: { $0.notBefore <= now }) {
                    job = pending.remove(at: i)
                } else if let soonest = pending.map(\.notBefore).min() {
                    _ = cond.wait(until: Date().addingTimeInterval(Double(soonest - now) / 1e9))
                } else {
                    cond.wait()
                }
            }
            inFlight += 1
            cond.unlock()

            var j = job!
            let ok = flush(j)
            cond.lock()
            inFlight -= 1
            if !ok {
                j.attempts += 1
                let backoff = min(Self.maxBackoff, Self.minBackoff << min(j.attempts - 1, 5))
                j.notBefore = clock.monotonic() + backoff
                pending.append(j)
            }
            cond.broadcast()
            cond.unlock()
        }
    }

    private func flush(_ j: Job) -> Bool {
        do {
            let ref = try store.put(header: j.chunk.header, blocks: j.chunk.blocks)
            index.add(ref, labels: j.stream.labels)
            j.heads.markFlushed(j.chunk, in: j.stream, ref: ref, now: clock.monotonic(), retain: retain)
            Counter(label: "loki_ingester_chunks_flushed_total", dimensions: [("reason", j.chunk.reason.rawValue)]).increment()
            Counter(label: "loki_ingester_chunk_stored_bytes_total", dimensions: [("tenant", j.chunk.header.tenant)]).increment(by: ref.size)
            return true
        } catch {
            Counter(label: "skald_ingester_chunk_flush_failures_total").increment()
            logger.error("chunk flush failed; will retry", metadata: [
                "tenant": "\(j.chunk.header.tenant)", "stream": "\(j.chunk.header.labels)",
                "attempt": "\(j.attempts + 1)", "error": "\(error)",
            ])
            return false
        }
    }
}
