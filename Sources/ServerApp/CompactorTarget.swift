import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import WriteAheadLog

extension SkaldServer {
    /// `-target=compactor`: only the compactor (and the delete API, `/ready`, `/metrics`) over the
    /// volume — for a volume no `-target=all` server runs on (that one compacts its own; the volume
    /// lock keeps the two apart).
    func runCompactor(logger: Logger, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let volume = try Volume(config, retiredTableGrace: 0, logger: logger) { held in
            "\(held); -target=compactor runs only on a volume no server uses (a -target=all server compacts its own volume)"
        }
        defer { withExtendedLifetime(volume.lock) {} }
        let deletes = try volume.deleteRequests()
        let compactor = volume.compactor(deletes: deletes, logger: logger)
        let readiness = Readiness()
        readiness.set(.ready)
        let registry = self.registry
        let router = Router()
        router.get("/ready") { _, _ in
            readiness.isReady ? HTTPResponses.text(.ok, "ready") : HTTPResponses.text(.serviceUnavailable, readiness.message)
        }
        router.get("/metrics") { _, _ in
            var out: [UInt8] = []
            registry.emit(into: &out)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: out)))
        }
        DeleteRoutes(store: deletes, tenancy: Tenancy(authEnabled: config.authEnabled), overrides: volume.overrides,
                     cancelPeriod: config.compactor.deleteRequestCancelPeriod).register(on: router)
        CompactorRunRoute(compactor: compactor, readiness: readiness, logger: logger).register(on: router)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(config.server.httpListenAddress, port: config.server.httpListenPort), serverName: "skald"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("server listening", metadata: ["http.port": "\(port)", "target": "compactor"])
                onListening(port)
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: PeriodicService.compactor(compactor, period: config.compactor.compactionInterval, readiness: readiness, logger: logger)),
                .init(service: app),
                .init(service: ReadinessService(readiness: readiness, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
