import ChunkFormat
import Foundation

/// Compresses full head blocks off the write path: the log's apply thread only copies lines into
/// head blocks and hands full ones here, so a push never waits for compression. A few worker
/// threads compress, give each block back to its stream (which keeps cut order), and pass chunks
/// that reached their target size to the flush queue.
final class BlockCompressor: @unchecked Sendable {
    struct Job {
        let heads: TenantHeads
        let stream: StreamHead
        let block: HeadBlock
    }

    let encoding: ChunkEncoding
    let flushQueue: FlushQueue
    /// Guards `queue`, `busy` and `stopping`.
    private let cond = NSCondition()
    /// FIFO of jobs; taken slots are set to nil at once so a compressed block's raw copy is freed
    /// immediately, not when the array is next compacted.
    private var queue: [Job?] = []
    private var head = 0
    private var busy = 0
    private var stopping = false
    private var started = false
    private let workers: Int

    init(encoding: ChunkEncoding, workers: Int, flushQueue: FlushQueue) {
        self.encoding = encoding
        self.workers = max(1, workers)
        self.flushQueue = flushQueue
    }

    /// Starts the workers (once).
    func start() {
        cond.lock()
        defer { cond.unlock() }
        guard !started else { return }
        started = true
        for i in 0..<workers {
            let t = Thread { [self] in work() }
            t.name = "skald-compress-\(i)"
            t.start()
        }
    }

    /// Blocks waiting beyond which the caller compresses the rest itself: with a slow encoding
    /// (gzip) or a busy machine the workers fall behind, and uncompressed blocks must not pile up in
    /// memory; compressing on the log's apply thread slows pushes down instead (backpressure).
    static let maxBacklog = 64

    func enqueue(_ jobs: [Job]) {
        guard !jobs.isEmpty else { return }
        cond.lock()
        let room = max(0, Self.maxBacklog - (queue.count - head))
        queue += jobs.prefix(room).map { Optional($0) }
        cond.broadcast()
        cond.unlock()
        for job in jobs.dropFirst(room) { run(job) }
    }

    private func run(_ job: Job) {
        let sealed = job.block.seal(encoding: encoding)
        if let chunk = job.heads.sealed(sealed, sequence: job.block.sequence, in: job.stream) {
            flushQueue.enqueue([(job.heads, job.stream, chunk)])
        }
    }

    /// Blocks until every queued block is compressed and handed back.
    func drain() {
        cond.lock()
        while head < queue.count || busy > 0 { cond.wait() }
        cond.unlock()
    }

    func stop() {
        cond.lock()
        stopping = true
        cond.broadcast()
        cond.unlock()
    }

    private func work() {
        while true {
            cond.lock()
            while head >= queue.count && !stopping { cond.wait() }
            if stopping && head >= queue.count { cond.unlock(); return }
            let job = queue[head]!
            queue[head] = nil
            head += 1
            if head >= 1024 && head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            busy += 1
            cond.unlock()

            run(job)

            cond.lock()
            busy -= 1
            cond.broadcast()
            cond.unlock()
        }
    }
}
