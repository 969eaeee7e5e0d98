import Compactor
import Foundation
import Logging
import ServerApp

/// `compact --once`: the server's compactor, run once over the volume a server config describes —
/// or, with `--server URL`, by the running server that owns the volume (`POST /compactor/run`).
struct CompactCommand: Encodable {
    /// The volume (offline), or the server asked (`--server`).
    var dataDirectory: String
    var retentionEnabled: Bool
    var groups: Int
    var tablesBefore: Int
    var tablesAfter: Int
    var expired: Int
    var missing: Int
    var orphans: Int
    var deletedChunks: Int
    var deletedBytes: Int
    var warnings: [String]

    static func run(configPath: String?) throws(ToolError) -> CompactCommand {
        let loaded: ConfigLoader.Loaded
        do { loaded = try ConfigLoader.load(path: configPath, expandEnv: false) } catch { throw .input("\(error.message)") }
        let c = loaded.config
        let r: Compactor.Report
        do {
            r = try OfflineJobs.compact(config: c, now: Int64(Date().timeIntervalSince1970 * 1e9), logger: Logger(label: "skald-tool"))
        } catch {
            throw .input("\(error)")
        }
        return CompactCommand(dataDirectory: c.dataDirectory, retentionEnabled: c.compactor.retentionEnabled, groups: r.groups,
                              tablesBefore: r.tablesBefore, tablesAfter: r.tablesAfter, expired: r.expired, missing: r.missing,
                              orphans: r.orphans, deletedChunks: r.deletedChunks, deletedBytes: r.deletedBytes, warnings: loaded.warnings)
    }

    /// Asks the server at `server` to run one pass now and reports what it did.
    static func run(server: String, timeout: Double) throws(ToolError) -> CompactCommand {
        let answer: [String: Any]
        do {
            answer = try LokiClient(address: server, orgID: nil, timeout: timeout).request("POST", "/compactor/run", [])
        } catch {
            throw .input("\(error); is --server the Skald server's HTTP address (like http://skald-0.skald-headless:3100)?")
        }
        func n(_ k: String) -> Int { (answer[k] as? NSNumber)?.intValue ?? 0 }
        return CompactCommand(dataDirectory: server, retentionEnabled: (answer["retention_enabled"] as? Bool) ?? false,
                              groups: n("groups"), tablesBefore: n("tables_before"), tablesAfter: n("tables_after"),
                              expired: n("expired_chunks"), missing: n("missing_chunks"), orphans: n("orphan_chunks"), deletedChunks: n("deleted_chunks"),
                              deletedBytes: n("deleted_bytes"), warnings: [])
    }

    var text: String {
        """
        compacted \(dataDirectory): \(groups) period(s) rewritten, \(tablesBefore) → \(tablesAfter) tables
          retention \(retentionEnabled ? "on" : "off (compactor.retention_enabled: false)"): \(expired) chunk(s) expired and marked, \(deletedChunks) deleted (\(deletedBytes) bytes)
          \(missing) reference(s) to missing chunk files dropped
          \(orphans) chunk file(s) no index lists marked for deletion after the delete delay

        """
    }
}
