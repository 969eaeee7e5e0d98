public import Logging
import Metrics
import Storage

/// The bounded pool of flush workers (`ingester.concurrent_flushes`): each takes a closed chunk,
/// writes it to the chunk store, records it in the store index, then marks it flushed in its
/// stream. A failed write is retried with exponential backoff (1 s doubling to 30 s) for as long as
/// it takes: the chunk stays in memory and in the log meanwhile, so nothing is lost.
final class FlushQueue: Sendable {
    struct Job {
        let heads: TenantHeads
        let stream: StreamHead
        let chunk: MemoryChunk
        var attempts = 0
    }

    static let minBackoff: Int64 = 1_000_000_000
    static let maxBackoff: Int64 = 30_000_000_000

    private let pool: WorkerPool<Job>

    /// - Parameter retain: `chunk_retain_period`.
    init(store: ChunkStore, index: StoreIndex, workers: Int, retain: Int64, clock: any Clock, logger: Logger) {
        pool = WorkerPool(name: "skald-flush", workers: workers, clock: clock) { j in
            do {
                let ref = try store.put(header: j.chunk.header, blocks: j.chunk.blocks)
                // Order matters: queries learn the key first (so they never count the chunk twice),
                // then the index, then the stream (so log truncation always sees the chunk somewhere).
                j.heads.noteStored(j.chunk, key: ref.key)
                index.add(ref, labels: j.stream.labels)
                j.heads.markFlushed(j.chunk, in: j.stream, ref: ref, now: clock.monotonic(), retain: retain)
                Counter(label: "loki_ingester_chunks_flushed_total", dimensions: [("reason", j.chunk.reason.rawValue)]).increment()
                Counter(label: "loki_ingester_chunk_stored_bytes_total", dimensions: [("tenant", j.chunk.header.tenant)]).increment(by: ref.size)
                return nil
            } catch {
                j.attempts += 1
                Counter(label: "skald_ingester_chunk_flush_failures_total").increment()
                logger.error("chunk flush failed; will retry", metadata: [
                    "tenant": "\(j.chunk.header.tenant)", "stream": "\(j.chunk.header.labels)",
                    "attempt": "\(j.attempts)", "error": "\(error)",
                ])
                return min(Self.maxBackoff, Self.minBackoff << min(j.attempts - 1, 5))
            }
        }
    }

    func start() { pool.start() }

    func enqueue(_ jobs: [(TenantHeads, StreamHead, MemoryChunk)]) {
        pool.enqueue(jobs.map { Job(heads: $0.0, stream: $0.1, chunk: $0.2) })
    }

    /// Chunks queued, waiting to retry, or being written.
    var backlog: Int { pool.backlog }

    /// Blocks until every queued chunk is flushed (or `timeout` seconds pass); returns whether it drained.
    @discardableResult
    func drain(timeout: Double) -> Bool { pool.drain(timeout: timeout) }

    /// Stops the workers after their current write; queued chunks stay in the log for the next start.
    func stop() { pool.stop() }
}
