import Compactor
import Foundation
import Hummingbird
import HummingbirdWebSocket
public import Logging
import LogModel
import ChunkFormat
import Metrics
import NIOCore
public import Prometheus
import ReadPath
import ServiceLifecycle
import Synchronization
import Storage
import WriteAheadLog
import WritePath

/// Wires the server: config → ingester (WAL replay) → distributor/querier → HTTP, as one
/// ServiceGroup. Services stop in reverse order: readiness (503), HTTP (drain), runtime config,
/// ingester (sync and close the log) — so nothing acknowledged is ever left unsynced.
public struct SkaldServer: Sendable {
    public let config: SkaldConfig
    public let warnings: [String]
    let registry: PrometheusCollectorRegistry

    public init(config: SkaldConfig, warnings: [String] = [], registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.config = config
        self.warnings = warnings
        self.registry = registry
    }

    /// Runs until SIGTERM/SIGINT. `onListening` receives the bound port (useful with port 0).
    public func run(logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        for w in warnings { logger.warning("\(w)") }
        if config.target == "compactor" { return try await runCompactor(logger: logger, onListening: onListening) }
        logger.info("starting skald", metadata: [
            "version": "\(BuildInfo.version)", "data_dir": "\(config.dataDirectory)", "wal_dir": "\(config.walDirectory)", "chunks_dir": "\(config.chunksDirectory)",
            "wal.fsync": "\(config.ingester.wal.fsync)", "auth_enabled": "\(config.authEnabled)",
            "allocator": "\(AllocatorTrim.allocator)",
        ])
        if !config.ingester.wal.enabled {
            logger.warning("ingester.wal.enabled=false is ignored: Skald's write path is the write-ahead log; every push is logged")
        }
        // One process per volume, for as long as this one runs (the kernel drops the lock when the
        // process dies, so a killed pod leaves none behind).
        let volume = try Volume(config, logger: logger) { held in
            "\(held); stop it first (one Skald per volume), or give this server another common.path_prefix"
        }
        defer { withExtendedLifetime(volume.lock) {} }
        let (store, index, overrides) = (volume.store, volume.index, volume.overrides)
        logger.info("index opened", metadata: [
            "index_dir": "\(config.indexDirectory)", "index.tables": "\(index.report.tables)",
            "index.rebuilt_chunks": "\(index.report.rebuiltChunks)", "index.removed_files": "\(index.report.removedFiles)",
        ])
        let ingester = Ingester(configuration: volume.ingesterConfiguration(), store: store, index: index, overrides: overrides, logger: logger)
        let deletes = try volume.deleteRequests()
        let compactor = volume.compactor(deletes: deletes, logger: logger)
        let distributor = Distributor(configuration: .init(maxRecvMsgSize: config.maxRecvMsgSize), ingester: ingester,
                                      overrides: overrides, logger: logger)
        let readiness = Readiness()
        let replay = ReplayState()
        let registry = self.registry
        let printable = ConfigPrinter.yaml(config)
        let shutdown = ShutdownTrigger()
        let querier = Querier(ingester: ingester, deletes: deletes)
        let tenancy = Tenancy(authEnabled: config.authEnabled)
        let tail = TailRoute(querier: querier, overrides: overrides, tenancy: tenancy, maxDuration: config.querier.tailMaxDuration,
                             active: TailCounter(), logger: logger)
        let routes = LokiRoutes(
            distributor: distributor, querier: querier, overrides: overrides,
            tenancy: tenancy, readiness: readiness,
            metricsText: { MetricsText.render(registry: registry, ingester: ingester, replay: replay) },
            configYAML: { printable }, maxBody: config.maxRecvMsgSize,
            flush: { wait in
                ingester.sweep(force: true)
                if wait {
                    ingester.waitForFlushes()
                    ingester.writeIndex()
                }
            },
            shutdown: { shutdown.fire() },
            tail: tail,
            instantLookback: config.querier.maxLookBackPeriod,
            logger: logger)
        let router = Router()
        routes.register(on: router)
        DeleteRoutes(store: deletes, tenancy: tenancy, overrides: overrides, cancelPeriod: config.compactor.deleteRequestCancelPeriod).register(on: router)
        CompactorRunRoute(compactor: compactor, readiness: readiness, logger: logger).register(on: router)
        UIRoutes().register(on: router)
        let app = Application(
            router: router,
            // HTTP/1.1 that upgrades live-tail requests to websockets; Loki pings its tails, and so
            // does Skald, to notice a vanished client and free its tail slot.
            server: .http1WebSocketUpgrade(
                configuration: .init(ws: .init(maxFrameSize: 1 << 20, autoPing: .enabled(timePeriod: .seconds(10)))),
                shouldUpgrade: { head, channel, _ in tail.shouldUpgrade(head, channel: channel) }),
            configuration: .init(address: .hostname(config.server.httpListenAddress, port: config.server.httpListenPort),
                                 serverName: "skald"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("server listening", metadata: ["http.port": "\(port)"])
                onListening(port)
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: IngesterService(ingester: ingester, readiness: readiness, replayState: replay,
                                               flushOnShutdown: config.ingester.wal.flushOnShutdown, logger: logger)),
                // Closes idle and too-old chunks, queues them for flushing, writes the index.
                .init(service: PeriodicService(name: "skald-sweep", period: config.ingester.flushCheckPeriod, readiness: readiness) {
                    ingester.sweep()
                }),
                // Keeps the heads within `ingester.memory_budget` (replay has `replay_memory_ceiling`).
                .init(service: PeriodicService(name: "skald-memory-budget", period: 1_000_000_000, readiness: readiness) {
                    ingester.enforceMemoryBudget()
                    AllocatorTrim.run()
                }),
                // Merges each period's index tables, drops vanished chunks and, with retention on,
                // expired ones (deleted after retention_delete_delay).
                .init(service: PeriodicService.compactor(compactor, period: config.compactor.compactionInterval, readiness: readiness, logger: logger)),
                .init(service: CheckpointService(ingester: ingester, period: config.ingester.wal.checkpointDuration, readiness: readiness, logger: logger)),
                .init(service: RuntimeConfigService(path: config.runtimeConfig.file, period: config.runtimeConfig.period,
                                                    overrides: overrides, logger: logger)),
                .init(service: app),
                .init(service: ReadinessService(readiness: readiness, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        shutdown.set(group)
        try await group.run()
        logger.info("skald stopped")
    }
}

/// Lets `/ingester/shutdown` stop the service group that serves it (the group is built after the routes).
final class ShutdownTrigger: Sendable {
    /// Guards the group reference.
    private let group = Mutex<ServiceGroup?>(nil)
    func set(_ g: ServiceGroup) { group.withLock { $0 = g } }
    func fire() {
        guard let g = group.withLock({ $0 }) else { return }
        Task { await g.triggerGracefulShutdown() }
    }
}

/// The `skald` command: flags, config, logging and metrics bootstrap, then the server.
public enum SkaldCommand {
    /// Runs the command; returns the process exit code.
    public static func main(arguments: [String]) async -> Int32 {
        let flags: ServerFlags
        do { flags = try ServerFlags.parse(arguments) } catch {
            FileHandle.standardError.write("\(error.message)\n\n\(ServerFlags.helpText)".data(using: .utf8)!)
            return 2
        }
        if flags.help {
            print(ServerFlags.helpText, terminator: "")
            return 0
        }
        if flags.version {
            print("skald, version \(BuildInfo.version) (revision \(BuildInfo.revision))")
            return 0
        }
        var loaded: ConfigLoader.Loaded
        do { loaded = try ConfigLoader.load(path: flags.configFile, expandEnv: flags.expandEnv) } catch {
            FileHandle.standardError.write("error loading config from \(flags.configFile ?? "<embedded default>"): \(error.message)\n".data(using: .utf8)!)
            return 1
        }
        if let l = flags.logLevel {
            guard ["debug", "info", "warn", "error"].contains(l) else {
                FileHandle.standardError.write("invalid -log.level \"\(l)\": use debug, info, warn or error\n".data(using: .utf8)!)
                return 2
            }
            loaded.config.server.logLevel = l
        }
        if flags.target != "all" { loaded.config.target = flags.target }
        if let p = flags.httpListenPort { loaded.config.server.httpListenPort = p }
        if let a = flags.httpListenAddress { loaded.config.server.httpListenAddress = a }
        if flags.verifyConfig {
            for w in loaded.warnings { FileHandle.standardError.write("level=warn msg=\(LogfmtLogHandler.quote(w))\n".data(using: .utf8)!) }
            print("config is valid: \(flags.configFile ?? "<embedded default>")")
            return 0
        }
        if flags.printConfigStderr {
            FileHandle.standardError.write(ConfigPrinter.yaml(loaded.config).data(using: .utf8)!)
        }
        let level: Logger.Level = switch loaded.config.server.logLevel {
        case "debug": .debug
        case "warn": .warning
        case "error": .error
        default: .info
        }
        LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label, level: level) }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "skald")
        do {
            try await SkaldServer(config: loaded.config, warnings: loaded.warnings, registry: registry).run(logger: logger)
            return 0
        } catch {
            logger.error("skald failed", metadata: ["error": "\(error)"])
            return 1
        }
    }
}
