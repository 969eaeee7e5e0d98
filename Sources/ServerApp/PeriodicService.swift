import ServiceLifecycle

/// Runs blocking `work` on a thread of its own every `period` once replay has finished, until
/// graceful shutdown: the flush sweep (`flush_check_period`) and the memory budget (every second).
struct PeriodicService: Service {
    let name: String
    /// Nanoseconds.
    let period: Int64
    let readiness: Readiness
    let work: @Sendable () -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(period, 1_000_000)))
                guard readiness.isReady, !Task.isCancelled else { continue }
                await BlockingWork.run(name, work)
            }
        }
    }
}
