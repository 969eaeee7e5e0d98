import Logging
import ServiceLifecycle
import WritePath

/// Every `ingester.wal.checkpoint_duration` — or sooner, once `recordBytesTrigger` of records (as
/// replay decodes them) arrived since the last one — writes a checkpoint of the ingester's memory so the log
/// can be deleted up to it and a restart reads the checkpoint plus a short tail. Idle until replay
/// has finished; the final checkpoint at shutdown is the ingester's own.
struct CheckpointService: Service {
    let ingester: Ingester
    /// Nanoseconds.
    let period: Int64
    let readiness: Readiness
    let logger: Logger
    /// Skald's own bound on the log tail a restart replays (Loki checkpoints by time only): under a
    /// heavy load whose chunks stay open, five minutes of log could take long to replay.
    var recordBytesTrigger: UInt64 = 512 << 20

    func run() async throws {
        let tick = UInt64(min(max(period, 1_000_000), 1_000_000_000))
        await cancelWhenGracefulShutdown {
            var waited: Int64 = 0
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: tick)
                waited += Int64(tick)
                guard readiness.isReady, !Task.isCancelled else { continue }
                guard waited >= period || ingester.recordBytesSinceCheckpoint >= recordBytesTrigger else { continue }
                waited = 0
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
