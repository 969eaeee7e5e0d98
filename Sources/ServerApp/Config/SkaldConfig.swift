public import LogModel
public import Storage
public import WriteAheadLog

/// The server's effective configuration, under Loki's key names (see ConfigSchema for the mapping).
public struct SkaldConfig: Sendable {
    public struct Server: Sendable {
        public var httpListenAddress = "0.0.0.0"
        public var httpListenPort = 3100
        public var logLevel = "info"
        public var logFormat = "logfmt"
        public var gracefulShutdownTimeout: Int64 = 30 * 1_000_000_000
    }

    public struct WAL: Sendable {
        public var enabled = true
        /// Empty = `<data>/wal`.
        public var dir = ""
        public var fsync: FsyncPolicy = .always
        public var fsyncInterval: Int64 = 100 * 1_000_000
        public var segmentSize = 64 << 20
        public var checkpointDuration: Int64 = 5 * 60 * 1_000_000_000
        public var flushOnShutdown = false
        public var replayMemoryCeiling = 4 << 30
    }

    public struct Ingester: Sendable {
        public var chunkIdlePeriod: Int64 = 30 * 60 * 1_000_000_000
        public var chunkBlockSize = 262_144
        public var chunkTargetSize = 1_572_864
        public var chunkRetainPeriod: Int64 = 0
        public var maxChunkAge: Int64 = 2 * 3600 * 1_000_000_000
        public var chunkEncoding = "lz4"
        /// `ingester.concurrent_flushes` (Loki: 32).
        public var concurrentFlushes = 32
        /// `ingester.flush_check_period` (Loki: 30 s): how often idle and old chunks are looked for.
        public var flushCheckPeriod: Int64 = 30 * 1_000_000_000
        /// `ingester.memory_budget` (Skald's own; 0 = unbounded): bytes of log data the heads may hold.
        public var memoryBudget = 192 << 20
        public var wal = WAL()
    }

    public struct Querier: Sendable {
        /// `querier.tail_max_duration` (1 h): how long a live tail may stay open.
        public var tailMaxDuration: Int64 = 3600 * 1_000_000_000
        /// `querier.engine.max_look_back_period` (30 s): how far back an instant log query reads.
        public var maxLookBackPeriod: Int64 = 30 * 1_000_000_000
    }

    /// `compactor`: index compaction, retention and (later) deletes, run inside the server.
    public struct Compactor: Sendable {
        /// `working_directory` (default `<data>/compactor`): retention markers live here, on the volume.
        public var workingDirectory = ""
        /// `compaction_interval` (10m); 0: no periodic pass, only those asked for (`POST /compactor/run`).
        public var compactionInterval: Int64 = 10 * 60 * 1_000_000_000
        /// `retention_enabled` (false): without it the compactor only compacts.
        public var retentionEnabled = false
        /// `retention_delete_delay` (2h): marked chunks are deleted this long after they left the index.
        public var retentionDeleteDelay: Int64 = 2 * 3600 * 1_000_000_000
        /// `delete_request_cancel_period` (24h): how long a delete request may be cancelled; then
        /// the compactor removes its lines from the chunk files.
        public var deleteRequestCancelPeriod: Int64 = 24 * 3600 * 1_000_000_000
    }

    public struct RuntimeConfig: Sendable {
        public var file = ""
        public var period: Int64 = 10 * 1_000_000_000
    }

    public var target = "all"
    public var authEnabled = true
    public var server = Server()
    /// `common.path_prefix`: the data directory everything defaults under.
    public var pathPrefix = ""
    public var ingester = Ingester()
    public var limits = Limits()
    public var querier = Querier()
    public var compactor = Compactor()
    /// `table_manager.retention_deletes_enabled` / `retention_period`: Loki's older retention,
    /// mapped onto the compactor's when the config is loaded.
    public var tableManager = (deletesEnabled: false, retentionPeriod: Int64(0))
    public var maxRecvMsgSize = 100 << 20
    public var runtimeConfig = RuntimeConfig()
    /// `limits_config.per_tenant_override_config` / `_period`: Loki's older names for the runtime
    /// overrides file, used when `runtime_config.file` is not set (as Loki does).
    public var perTenantOverrideConfig = ""
    public var perTenantOverridePeriod: Int64 = 10 * 1_000_000_000
    /// `storage_config.filesystem.directory`: where chunk files go.
    public var filesystemDirectory = ""
    /// `schema_config.configs`: index table naming per period (empty: daily `index_` tables).
    public var schemaPeriods: [SchemaPeriods.Period] = []

    public init() {}

    /// Where data lives: `common.path_prefix`, else the parent of the filesystem chunk directory
    /// (so the seed's `/data/loki/chunks` puts everything under `/data/loki`, on its volume), else `./data`.
    public var dataDirectory: String {
        if !pathPrefix.isEmpty { return pathPrefix }
        if !filesystemDirectory.isEmpty { return DurableFile.parent(of: filesystemDirectory.hasSuffix("/") ? String(filesystemDirectory.dropLast()) : filesystemDirectory) }
        return "./data"
    }

    public var walDirectory: String { ingester.wal.dir.isEmpty ? dataDirectory + "/wal" : ingester.wal.dir }

    /// The index tables and their manifest: `<data>/index`.
    public var indexDirectory: String { dataDirectory + "/index" }

    /// The compactor's working directory: `compactor.working_directory`, else `<data>/compactor`.
    public var compactorDirectory: String { compactor.workingDirectory.isEmpty ? dataDirectory + "/compactor" : compactor.workingDirectory }

    /// The chunk store's root: `storage_config.filesystem.directory`, else `<data>/chunks`.
    public var chunksDirectory: String { filesystemDirectory.isEmpty ? dataDirectory + "/chunks" : filesystemDirectory }

    /// The configuration used with no `-config.file`: like Loki's local config (auth off), all under ./data.
    public static let embeddedDefaultYAML = """
    # Skald's embedded default: single binary, no auth, everything under ./data.
    auth_enabled: false
    server:
      http_listen_port: 3100
    common:
      path_prefix: ./data
    ingester:
      wal:
        fsync: always
    """
}
