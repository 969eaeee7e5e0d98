import Logging
import ServiceLifecycle
import WritePath

/// Every `ingester.wal.checkpoint_duration`, writes a checkpoint of the ingester's memory so the log
/// can be deleted up to it and a restart reads the checkpoint plus a short tail. Idle until replay
/// has finished; the final checkpoint at shutdown is the ingester's own.
struct CheckpointService: Service {
    let ingester: Ingester
    /// Nanoseconds.
    let period: Int64
    let readiness: Readiness
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(period, 1_000_000)))
                guard readiness.isReady, !Task.isCancelled else { continue }
                await BlockingWork.run("skald-checkpoint") { [ingester, logger] in
                    do {
                        try ingester.checkpoint()
                    } catch {
                        logger.error("checkpoint failed; the previous one and the log still hold everything, retrying at the next period",
                                     metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }
}
