import Compactor
import Foundation
import Logging
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
        // A period of 0 turns the work off (`compaction_interval: 0`): wait for shutdown only.
        guard period > 0 else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(period, 1_000_000)))
                guard readiness.isReady, !Task.isCancelled else { continue }
                await BlockingWork.run(name, work)
            }
        }
    }
}

extension PeriodicService {
    /// The compactor's loop (`compactor.compaction_interval`; 0: none): a failed pass is logged and retried next time.
    static func compactor(_ compactor: Compactor, period: Int64, readiness: Readiness, logger: Logger) -> PeriodicService {
        PeriodicService(name: "skald-compactor", period: period, readiness: readiness) {
            do {
                _ = try compactor.run(now: Int64(Date().timeIntervalSince1970 * 1e9))
            } catch {
                logger.error("compaction failed; it is retried at the next interval", metadata: ["error": "\(error)"])
            }
        }
    }
}
