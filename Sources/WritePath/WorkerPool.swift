import Foundation
import WriteAheadLog

/// Worker threads draining a FIFO of jobs: the mechanism under the block compressor and the flush
/// queue. `work` returns nil when a job is done, or a delay in nanoseconds after which the job runs
/// again (retry with backoff). Blocking work (compression, fsync) runs on these threads, never on
/// the cooperative pool.
final class WorkerPool<Job>: @unchecked Sendable {
    /// Guards every var below.
    private let cond = NSCondition()
    /// FIFO of ready jobs; a taken slot is cleared at once so the job's memory goes with it, not
    /// when the array is next compacted.
    private var ready: [Job?] = []
    private var head = 0
    /// Jobs waiting for their retry time (monotonic nanoseconds).
    private var delayed: [(job: Job, at: Int64)] = []
    private var busy = 0
    private var stopping = false
    private var started = false

    private let name: String
    private let workers: Int
    private let clock: any Clock
    private let work: (inout Job) -> Int64?

    init(name: String, workers: Int, clock: any Clock, work: @escaping (inout Job) -> Int64?) {
        self.name = name
        self.workers = max(1, workers)
        self.clock = clock
        self.work = work
    }

    /// Starts the threads (once).
    func start() {
        cond.lock()
        defer { cond.unlock() }
        guard !started else { return }
        started = true
        for i in 0..<workers {
            Thread.named("\(name)-\(i)") { [self] in loop() }.start()
        }
    }

    /// Queues `jobs`, at most up to `limit` ready jobs waiting; returns those that did not fit.
    @discardableResult
    func enqueue(_ jobs: [Job], limit: Int = .max) -> ArraySlice<Job> {
        guard !jobs.isEmpty else { return [] }
        cond.lock()
        let room = max(0, limit - (ready.count - head))
        ready += jobs.prefix(room).map { Optional($0) }
        cond.broadcast()
        cond.unlock()
        return jobs.dropFirst(room)
    }

    /// Jobs queued, waiting to retry, or running.
    var backlog: Int {
        cond.lock()
        defer { cond.unlock() }
        return ready.count - head + delayed.count + busy
    }

    /// Blocks until no job is queued, waiting or running (or `timeout` seconds pass); returns whether it drained.
    @discardableResult
    func drain(timeout: Double = .infinity) -> Bool {
        let deadline = timeout.isFinite ? Date().addingTimeInterval(timeout) : nil
        cond.lock()
        defer { cond.unlock() }
        while head < ready.count || !delayed.isEmpty || busy > 0 {
            // (Linux Foundation traps on `wait(until: .distantFuture)`: wait without a deadline instead.)
            if let deadline {
                if !cond.wait(until: deadline) { return false }
            } else {
                cond.wait()
            }
        }
        return true
    }

    /// Stops the threads after their current job; what is still queued is dropped.
    func stop() {
        cond.lock()
        stopping = true
        cond.broadcast()
        cond.unlock()
    }

    private func loop() {
        while true {
            cond.lock()
            var job: Job?
            while job == nil {
                if stopping { cond.unlock(); return }
                let now = clock.monotonic()
                if let i = delayed.firstIndex(where: { $0.at <= now }) {
                    job = delayed.remove(at: i).job
                } else if head < ready.count {
                    job = ready[head]
                    ready[head] = nil
                    head += 1
                    if head >= 1024 && head * 2 >= ready.count {
                        ready.removeFirst(head)
                        head = 0
                    }
                } else if let soonest = delayed.map(\.at).min() {
                    _ = cond.wait(until: Date().addingTimeInterval(Double(soonest - now) / 1e9))
                } else {
                    cond.wait()
                }
            }
            busy += 1
            cond.unlock()

            var j = job!
            let retry = work(&j)

            cond.lock()
            busy -= 1
            if let delay = retry { delayed.append((j, clock.monotonic() + delay)) }
            cond.broadcast()
            cond.unlock()
        }
    }
}
