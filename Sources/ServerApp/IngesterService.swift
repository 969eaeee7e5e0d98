import Foundation
import Logging
import ServiceLifecycle
import WriteAheadLog
import WritePath

/// Runs the ingester's lifecycle as a Service: replay the log (reporting progress to /ready),
/// start the writer, mark the server ready; on graceful shutdown, drain and close the log.
/// First in the service group, so it is the last to stop.
final class IngesterService: Service, Sendable {
    let ingester: Ingester
    let readiness: Readiness
    let replayState: ReplayState
    /// `ingester.wal.flush_on_shutdown`: flush every head to the store before exiting.
    let flushOnShutdown: Bool
    let logger: Logger

    init(ingester: Ingester, readiness: Readiness, replayState: ReplayState, flushOnShutdown: Bool, logger: Logger) {
        self.ingester = ingester
        self.readiness = readiness
        self.replayState = replayState
        self.flushOnShutdown = flushOnShutdown
        self.logger = logger
    }

    func run() async throws {
        replayState.setActive(true)
        // Replay reads and fsyncs files: run it on a thread of its own, not the cooperative pool.
        let report: ReplayReport = try await BlockingWork.run("skald-wal-replay") { [self] in
            let r = try ingester.replay { p in
                readiness.set(.replaying(p))
                replayState.progress(p)
            }
            try ingester.start(after: r)
            return r
        }
        replayState.finished(report)
        readiness.set(.ready)
        logger.info("ingester ready", metadata: ["wal.last_lsn": "\(report.lastLSN)", "wal.records_replayed": "\(report.records)"])
        try? await gracefulShutdown()
        readiness.set(.stopping)
        await BlockingWork.run("skald-wal-close") { [self] in ingester.stop(flush: flushOnShutdown) }
        logger.info("write-ahead log synced and closed")
    }
}

/// Flips /ready to 503 the moment shutdown begins (it is last in the group, so stopped first).
struct ReadinessService: Service {
    let readiness: Readiness
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        readiness.set(.stopping)
        logger.info("shutting down: /ready now answers 503, no new pushes are accepted")
    }
}
