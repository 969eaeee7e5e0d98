import ChunkFormat
public import Compactor
public import Logging
import LogModel
public import Storage
public import WriteAheadLog
public import WritePath

/// A volume opened as a config describes it — the one wiring the server and the offline jobs share:
/// the volume lock, the chunk store, the index, the overrides, the ingester's and the compactor's
/// settings.
public struct Volume {
    public let config: SkaldConfig
    public let lock: FileLock
    public let store: ChunkStore
    public let index: StoreIndex
    public let overrides: Overrides

    public struct Busy: Error, CustomStringConvertible {
        public let description: String
    }

    /// Takes `<data>/skald.lock` (`busy` words the refusal), then opens the store and the index.
    public init(_ config: SkaldConfig, retiredTableGrace: Double? = nil, logger: Logger, busy: (FileLock.Held) -> String) throws {
        self.config = config
        do { lock = try FileLock.acquire(config.dataDirectory + "/skald.lock") } catch let held as FileLock.Held {
            throw Busy(description: busy(held))
        }
        overrides = Overrides(defaults: config.limits)
        if !config.runtimeConfig.file.isEmpty {
            let n = try RuntimeConfigService.load(path: config.runtimeConfig.file, overrides: overrides)
            logger.info("runtime config loaded", metadata: ["file": "\(config.runtimeConfig.file)", "tenants": "\(n)"])
        }
        store = ChunkStore(objects: try FilesystemObjectStore(root: config.chunksDirectory))
        var indexConfig = StoreIndex.Configuration()
        indexConfig.schema = SchemaPeriods(config.schemaPeriods)
        if let retiredTableGrace { indexConfig.retiredTableGrace = retiredTableGrace }
        index = try StoreIndex(objects: try FilesystemObjectStore(root: config.indexDirectory), chunks: store, configuration: indexConfig, logger: logger)
    }

    /// The ingester's settings from the config, logging to `walDirectory`.
    public func ingesterConfiguration(walDirectory: String? = nil) -> Ingester.Configuration {
        let walConfig = LogWriter.Configuration(directory: walDirectory ?? config.walDirectory, segmentSize: config.ingester.wal.segmentSize,
                                                fsync: config.ingester.wal.fsync)
        var c = Ingester.Configuration(wal: walConfig, maxChunkAge: config.ingester.maxChunkAge)
        c.blockSize = config.ingester.chunkBlockSize
        c.targetSize = config.ingester.chunkTargetSize
        c.encoding = ChunkEncoding(configName: config.ingester.chunkEncoding) ?? .lz4
        c.idlePeriod = config.ingester.chunkIdlePeriod
        c.retainPeriod = config.ingester.chunkRetainPeriod
        c.concurrentFlushes = config.ingester.concurrentFlushes
        // Chunks flushed since the last sweep become an index table at the next one (at most one
        // table per tenant and period per flush check; the merging keeps their number bounded).
        c.indexWriteInterval = config.ingester.flushCheckPeriod
        c.replayMemoryCeiling = config.ingester.wal.replayMemoryCeiling
        c.memoryBudget = config.ingester.memoryBudget
        return c
    }

    /// Delete requests, which exist with the compactor's retention (as in Loki).
    public func deleteRequests() throws -> DeleteRequestStore? {
        config.compactor.retentionEnabled ? try DeleteRequestStore(directory: config.compactorDirectory) : nil
    }

    /// The compactor the config describes.
    public func compactor(deletes: DeleteRequestStore?, logger: Logger) -> Compactor {
        var c = Compactor.Configuration(workingDirectory: config.compactorDirectory)
        c.retentionEnabled = config.compactor.retentionEnabled
        c.deleteDelay = config.compactor.retentionDeleteDelay
        c.deleteRequestCancelPeriod = config.compactor.deleteRequestCancelPeriod
        let overrides = overrides, walDirectory = config.walDirectory
        return Compactor(configuration: c, index: index, chunks: store, limits: { tenant in
            (try? TenantID(tenant)).map { overrides.limits(for: $0) } ?? overrides.limits(for: TenantID.fake)
        }, replayFloor: { Ingester.replayFloor(walDirectory: walDirectory) }, deletes: deletes, logger: logger)
    }
}
