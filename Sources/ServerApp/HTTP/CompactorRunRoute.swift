import Compactor
import Foundation
import Hummingbird
import Logging

/// `POST /compactor/run` (Skald's own endpoint; Loki has none): one compaction pass — index
/// tables merged, retention and processed delete requests applied — now, on the server that owns
/// the volume, answered with what it did. A volume belongs to one process (`<data>/skald.lock`),
/// so a Kubernetes CronJob schedules compaction by asking the server (`skald-tool compact --once
/// --server URL`) instead of opening the volume itself. Passes never overlap: the compactor runs
/// one at a time, and a request that arrives during the periodic pass waits for it.
struct CompactorRunRoute: Sendable {
    let compactor: Compactor
    let readiness: Readiness
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        router.post("/compactor/run") { _, _ in await handle() }
    }

    func handle() async -> Response {
        guard readiness.isReady else {
            return HTTPResponses.text(.serviceUnavailable, "not ready: \(readiness.message); retry once /ready answers 200\n")
        }
        let compactor = self.compactor
        do {
            let report = try await BlockingWork.run("skald-compactor-run") {
                try compactor.run(now: Int64(Date().timeIntervalSince1970 * 1e9))
            }
            return HTTPResponses.json(Self.json(report, retentionEnabled: compactor.retentionEnabled))
        } catch {
            logger.error("requested compaction failed", metadata: ["error": "\(error)"])
            return HTTPResponses.text(.internalServerError, "compaction failed: \(error); the index stays valid (a pass is crash-safe, the next one finishes the job) — see the server log, then retry\n")
        }
    }

    /// The report as `{"retention_enabled":…,"groups":…,"tables_before":…,…}`.
    static func json(_ r: Compactor.Report, retentionEnabled: Bool) -> [UInt8] {
        var w = JSONWriter()
        w.raw(#"{"retention_enabled":\#(retentionEnabled),"#)
        for (i, (k, v)) in Self.fields(r).enumerated() {
            if i > 0 { w.raw(",") }
            w.string(k)
            w.raw(":\(v)")
        }
        w.raw("}")
        return w.bytes
    }

    static func fields(_ r: Compactor.Report) -> [(String, Int)] {
        [("groups", r.groups), ("tables_before", r.tablesBefore), ("tables_after", r.tablesAfter),
         ("expired_chunks", r.expired), ("missing_chunks", r.missing), ("orphan_chunks", r.orphans), ("deleted_chunks", r.deletedChunks),
         ("deleted_bytes", r.deletedBytes), ("delete_requests_processed", r.deleteRequestsProcessed),
         ("lines_deleted", r.linesDeleted)]
    }
}
