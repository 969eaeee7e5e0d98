import Agent
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// The HTTP side and the lifecycle: `/ready`, `/metrics`, `/targets`, and SIGTERM/SIGINT → a
/// graceful stop (reading stops, clients send what they hold, positions are saved).
struct AgentService: Service {
    let agent: Agent

    func run() async throws {
        agent.start()
        try? await gracefulShutdown()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                agent.stop()
                c.resume()
            }
        }
    }
}

func runAgent(_ args: [String]) async -> Int32 {
    let flags: AgentFlags
    do { flags = try AgentFlags.parse(args) } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        return 2
    }
    if flags.printVersion {
        print("skald-agent \(AgentVersion.version)")
        return 0
    }
    guard let file = flags.configFile else {
        FileHandle.standardError.write(Data("skald-agent: -config.file is required\n\(AgentFlags.usage)\n".utf8))
        return 2
    }
    var loaded: AgentConfigLoader.Loaded
    do { loaded = try AgentConfigLoader.load(path: file, expandEnv: flags.expandEnv, clientURL: flags.clientURL) } catch {
        FileHandle.standardError.write(Data("skald-agent: invalid config \(file): \(error)\n".utf8))
        return 1
    }
    if let t = flags.tenantID, !loaded.config.clients.isEmpty { loaded.config.clients[0].tenantID = t }
    if let p = flags.positionsFile { loaded.config.positions.filename = p }
    if let l = flags.logLevel { loaded.config.server.logLevel = l }
    if let p = flags.httpListenPort { loaded.config.server.httpListenPort = p }
    let config = loaded.config
    let level: Logger.Level = switch config.server.logLevel {
    case "debug": .debug
    case "warn": .warning
    case "error": .error
    default: .info
    }
    LoggingSystem.bootstrap { label in
        var h = StreamLogHandler.standardError(label: label)
        h.logLevel = level
        return h
    }
    let logger = Logger(label: "skald-agent")
    for w in loaded.warnings { logger.warning("\(w)") }
    let agent: Agent
    do { agent = try Agent(config: config, logger: logger, kubernetes: !flags.checkSyntax) } catch {
        FileHandle.standardError.write(Data("skald-agent: \(error)\n".utf8))
        return 1
    }
    if flags.checkSyntax {
        print("config is valid: \(file)")
        return 0
    }
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: AgentService(agent: agent))]
    if !config.server.disable {
        let router = Router()
        router.get("/ready") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "Ready\n")))
        }
        router.get("/metrics") { _, _ -> Response in
            var out: [UInt8] = []
            registry.emit(into: &out)
            out += Array(agent.tails.customMetrics.render(now: Int64(Date().timeIntervalSince1970 * 1e9)).utf8)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: out)))
        }
        router.get("/targets") { _, _ -> Response in
            var text = "job\tpath\tlabels\n"
            for t in agent.tails.activeTargets {
                let labels = t.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", ")
                text += "\(t.job)\t\(t.path)\t{\(labels)}\n"
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let app = Application(router: router,
                              configuration: .init(address: .hostname(config.server.httpListenAddress, port: config.server.httpListenPort),
                                                   serverName: "skald-agent"),
                              onServerRunning: { channel in
                                  logger.info("agent listening", metadata: ["http.port": "\(channel.localAddress?.port ?? 0)"])
                              },
                              logger: logger)
        services.append(.init(service: app))
    }
    let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    do {
        try await group.run()
        logger.info("skald-agent stopped")
        return 0
    } catch {
        logger.error("skald-agent failed", metadata: ["error": "\(error)"])
        return 1
    }
}

exit(await runAgent(Array(CommandLine.arguments.dropFirst())))
