import ChunkFormat

/// Compresses full head blocks off the write path: the log's apply thread only copies lines into
/// head blocks and hands full ones here, so a push never waits for compression. A few worker
/// threads compress, give each block back to its stream (which keeps cut order), and pass chunks
/// that reached their target size to the flush queue.
final class BlockCompressor: Sendable {
    struct Job {
        let heads: TenantHeads
        let stream: StreamHead
        let block: HeadBlock
    }

    /// Blocks waiting beyond which the caller compresses the rest itself: with a slow encoding
    /// (gzip) or a busy machine the workers fall behind, and uncompressed blocks must not pile up in
    /// memory; compressing on the log's apply thread slows pushes down instead (backpressure).
    static let maxBacklog = 64

    private let pool: WorkerPool<Job>
    private let compress: @Sendable (Job) -> Void

    init(encoding: ChunkEncoding, workers: Int, flushQueue: FlushQueue) {
        let compress: @Sendable (Job) -> Void = { job in
            let sealed = job.block.seal(encoding: encoding)
            if let chunk = job.heads.sealed(sealed, sequence: job.block.sequence, in: job.stream) {
                flushQueue.enqueue([(job.heads, job.stream, chunk)])
            }
        }
        self.compress = compress
        pool = WorkerPool(name: "skald-seal", workers: workers, clock: SystemClock()) { job in
            compress(job)
            return nil
        }
    }

    /// Starts the workers (once).
    func start() { pool.start() }

    func enqueue(_ jobs: [Job]) {
        for job in pool.enqueue(jobs, limit: Self.maxBacklog) { compress(job) }
    }

    /// Blocks until every queued block is compressed and handed back.
    func drain() { pool.drain() }

    func stop() { pool.stop() }
}
