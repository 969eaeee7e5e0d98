public import Compactor
import Foundation
public import Logging
import LogModel
import Storage
import WriteAheadLog
import WritePath

/// Jobs run on a volume with no server on it (`skald-tool compact --once`, a Kubernetes CronJob):
/// the same wiring as the server's, under the same volume lock, so they cannot run beside one.
public enum OfflineJobs {
    public struct VolumeBusy: Error, CustomStringConvertible {
        public let detail: String
        public var description: String { detail }
    }

    /// One compaction (and retention, when the config enables it) over the config's volume.
    public static func compact(config: SkaldConfig, now: Int64, logger: Logger) throws -> Compactor.Report {
        let lock: FileLock
        do { lock = try FileLock.acquire(config.dataDirectory + "/skald.lock") } catch let held as FileLock.Held {
            throw VolumeBusy(detail: "\(held); a running server compacts its own volume every compactor.compaction_interval — stop it to compact offline")
        }
        defer { withExtendedLifetime(lock) {} }
        let overrides = Overrides(defaults: config.limits)
        if !config.runtimeConfig.file.isEmpty { _ = try RuntimeConfigService.load(path: config.runtimeConfig.file, overrides: overrides) }
        let store = ChunkStore(objects: try FilesystemObjectStore(root: config.chunksDirectory))
        var indexConfig = StoreIndex.Configuration()
        indexConfig.schema = SchemaPeriods(config.schemaPeriods)
        indexConfig.retiredTableGrace = 0 // no query can be reading: nothing else runs on the volume
        let index = try StoreIndex(objects: try FilesystemObjectStore(root: config.indexDirectory), chunks: store, configuration: indexConfig, logger: logger)
        var c = Compactor.Configuration(workingDirectory: config.compactorDirectory)
        c.retentionEnabled = config.compactor.retentionEnabled
        c.deleteDelay = config.compactor.retentionDeleteDelay
        c.deleteRequestCancelPeriod = config.compactor.deleteRequestCancelPeriod
        let deletes = config.compactor.retentionEnabled ? try DeleteRequestStore(directory: config.compactorDirectory) : nil
        let walDirectory = config.walDirectory
        let compactor = Compactor(configuration: c, index: index, chunks: store, limits: { tenant in
            (try? TenantID(tenant)).map { overrides.limits(for: $0) } ?? overrides.limits(for: TenantID.fake)
        }, replayFloor: { Ingester.replayFloor(walDirectory: walDirectory) }, deletes: deletes, logger: logger)
        return try compactor.run(now: now)
    }
}
