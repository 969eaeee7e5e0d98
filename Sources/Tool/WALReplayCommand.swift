import Foundation
import Logging
import ServerApp

/// `wal replay DIR --into DATA | -config.file FILE [--dry-run]`.
struct WALReplayCommand: Encodable {
    struct Tenant: Encodable {
        var tenant: String
        var streams: Int
        var chunks: Int
        var bytes: Int
    }

    var walDirectory: String
    var dataDirectory: String
    var dryRun: Bool
    var records: Int
    var firstLSN: UInt64
    var lastLSN: UInt64
    var damage: [String]
    var tenants: [Tenant]
    var chunks: Int
    var tables: Int

    static func run(_ wal: String, into: String?, configPath: String?, dryRun: Bool) throws(ToolError) -> WALReplayCommand {
        var config: SkaldConfig
        do {
            config = try ConfigLoader.load(path: configPath, expandEnv: false).config
        } catch {
            throw .input(error.message)
        }
        if let into {
            // The target volume is DATA laid out as the config says (the embedded default: all under it).
            config.pathPrefix = into
            config.filesystemDirectory = ""
            config.ingester.wal.dir = ""
        } else if configPath == nil {
            throw .usage("give the target volume: --into DATA, or -config.file FILE of the server that owns it")
        }
        let s: OfflineJobs.ReplaySummary
        do {
            s = try OfflineJobs.replay(walDirectory: wal, config: config, dryRun: dryRun, logger: Logger(label: "skald-tool"))
        } catch {
            throw .input("\(error)")
        }
        return WALReplayCommand(walDirectory: wal, dataDirectory: config.dataDirectory, dryRun: dryRun, records: s.records, firstLSN: s.firstLSN,
                                lastLSN: s.lastLSN, damage: s.damage,
                                tenants: s.tenants.map { Tenant(tenant: $0.tenant, streams: $0.streams, chunks: $0.chunks, bytes: $0.bytes) },
                                chunks: s.chunksWritten, tables: s.tables)
    }

    var text: String {
        var o = "\(dryRun ? "would replay" : "replayed") \(walDirectory) into \(dataDirectory): \(records) records"
        if records > 0 { o += " (LSN \(firstLSN)…\(lastLSN))" }
        o += "\n"
        for t in tenants { o += "  tenant \(t.tenant): \(t.streams) streams, \(t.chunks) chunks, \(t.bytes) bytes\(dryRun ? " would be" : "") written\n" }
        if !dryRun { o += "  index: \(tables) tables\n" }
        for d in damage { o += "  damage skipped (as the server would): \(d)\n" }
        return o
    }
}
