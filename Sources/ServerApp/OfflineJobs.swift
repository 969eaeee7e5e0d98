public import Compactor
import Foundation
public import Logging
import LogModel
import Storage
import WriteAheadLog
import WritePath

/// Jobs run on a volume with no server on it (`skald-tool compact --once`, `wal replay`, a
/// Kubernetes CronJob): the server's own wiring (`Volume`), under the same volume lock, so they
/// cannot run beside one.
public enum OfflineJobs {
    /// One compaction (and retention, when the config enables it) over the config's volume.
    public static func compact(config: SkaldConfig, now: Int64, logger: Logger) throws -> Compactor.Report {
        // No query can be reading: nothing else runs on the volume, so retired tables go at once.
        let volume = try Volume(config, retiredTableGrace: 0, logger: logger) { held in
            "\(held); a running server compacts its own volume every compactor.compaction_interval — stop it to compact offline"
        }
        defer { withExtendedLifetime(volume.lock) {} }
        return try volume.compactor(deletes: try volume.deleteRequests(), logger: logger).run(now: now)
    }
}

extension OfflineJobs {
    /// What `wal replay` wrote (or, dry, would write).
    public struct ReplaySummary: Sendable {
        public var records = 0
        public var firstLSN: UInt64 = 0
        public var lastLSN: UInt64 = 0
        public var damage: [String] = []
        /// Per tenant: streams, chunks and bytes replay rebuilt in memory (what goes to the store).
        public var tenants: [(tenant: String, streams: Int, chunks: Int, bytes: Int)] = []
        /// Chunks that went into the store, and index tables after.
        public var chunksWritten = 0
        public var tables = 0
    }

    /// Replays the write-ahead log in `walDirectory` (copied off a dead pod's volume, say) into the
    /// volume `config` describes, as a restarting server would: the checkpoint and the log are
    /// applied (records the target's index already holds are skipped), then every chunk is flushed
    /// and indexed. The log itself is not changed (a copy is replayed). `dryRun` replays into a
    /// scratch directory holding a copy of the target's index and reports what would be written.
    public static func replay(walDirectory: String, config: SkaldConfig, dryRun: Bool, logger: Logger) throws -> ReplaySummary {
        guard DurableFile.size(walDirectory) != nil else { throw Volume.Busy(description: "\(walDirectory): no such directory") }
        var target = config
        var scratch: String?
        if dryRun {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skald-replay-dry-\(getpid())-\(UInt32.random(in: 0 ... .max))").path
            scratch = dir
            target.pathPrefix = dir
            target.filesystemDirectory = ""
            target.ingester.wal.dir = ""
            try copyTree(config.indexDirectory, to: target.indexDirectory)
        }
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        let volume = try Volume(target, logger: logger) { held in
            "\(held); stop the server on the target volume first (or replay into another one)"
        }
        defer { withExtendedLifetime(volume.lock) {} }
        // The log is replayed from a copy on the target volume: replay repairs, checkpoints and
        // deletes segments as it goes, and the original must stay as it was.
        let copy = target.dataDirectory + "/.replay-wal-\(getpid())"
        try? FileManager.default.removeItem(atPath: copy)
        try copyTree(walDirectory, to: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let ingester = Ingester(configuration: volume.ingesterConfiguration(walDirectory: copy), store: volume.store, index: volume.index,
                                overrides: volume.overrides, logger: logger)
        let report = try ingester.replay()
        var s = ReplaySummary()
        s.records = report.records
        s.firstLSN = report.firstLSN
        s.lastLSN = report.lastLSN
        s.damage = report.damage.map(\.description)
        s.tenants = ingester.memoryStats().sorted { $0.tenant < $1.tenant }
        s.chunksWritten = s.tenants.reduce(0) { $0 + $1.chunks }
        try ingester.start(after: report)
        ingester.stop(flush: true, flushTimeout: 24 * 3600, checkpoint: false)
        s.tables = volume.index.tableStats().tables
        return s
    }

    /// Copies `source` and everything under it into `destination`, file by file, durably.
    static func copyTree(_ source: String, to destination: String) throws {
        try DurableFile.createDirectory(destination)
        for name in DurableFile.list(source) {
            let path = source + "/" + name
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                try copyTree(path, to: destination + "/" + name)
            } else {
                try DurableFile.writeAtomically(try DurableFile.read(path), to: destination + "/" + name)
            }
        }
    }
}
