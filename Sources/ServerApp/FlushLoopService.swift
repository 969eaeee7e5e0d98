import ServiceLifecycle
import WritePath

/// Every `ingester.flush_check_period`, closes idle and too-old chunks, queues them for the flush
/// workers, and drops flushed chunks whose retain period is over. Idle until replay has finished.
struct FlushLoopService: Service {
    let ingester: Ingester
    /// Nanoseconds.
    let period: Int64
    let readiness: Readiness

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(period, 1_000_000)))
                if readiness.isReady { await BlockingWork.run("skald-sweep") { [ingester] in ingester.sweep() } }
            }
        }
    }
}
