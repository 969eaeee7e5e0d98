public import Foundation
public import Logging
import Synchronization

/// skald-agent's running parts: one push client per `clients[]` entry, the tailing thread, and the
/// positions file saved every `positions.sync_period` and at the end. `stop()` stops reading,
/// lets each client send what it holds (a few seconds at most), and saves the positions — which
/// only ever cover acknowledged lines, so whatever was not sent is read again at the next start.
public final class Agent: @unchecked Sendable {
    public let config: AgentConfig
    public let positions: PositionsFile
    public let clients: [PushClient]
    public let tails: TailManager
    public let anchors: StampAnchors
    public let podWatchers: [PodWatcher]
    let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let saverDone = NSCondition()
    private var saverFinished = false

    /// Builds every part from `config`; `kubernetes: false` leaves out the pod watchers (so
    /// `-check-syntax` works outside a cluster).
    public init(config: AgentConfig, hostname: String = Agent.hostname(), logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment, kubernetes: Bool = true,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e9) }) throws(AgentConfigError) {
        guard !config.clients.isEmpty else {
            throw AgentConfigError("no client is configured: add client: {url: http://skald:3100/loki/api/v1/push} or pass -client.url")
        }
        self.config = config
        self.logger = logger
        positions = try PositionsFile(path: config.positions.filename, ignoreInvalid: config.positions.ignoreInvalidYAML)
        let tracker = PositionTracker(positions: positions, clients: config.clients.count)
        clients = config.clients.enumerated().map { PushClient(config: $0.element, index: $0.offset, tracker: tracker, logger: logger, maxStreams: config.maxStreams) }
        anchors = StampAnchors(path: config.positions.filename + ".stamps")
        let tails = try TailManager(config: config, clients: clients, positions: positions, tracker: tracker, anchors: anchors,
                                    hostname: hostname, logger: logger, now: now)
        self.tails = tails
        // Kubernetes pod discovery: each watcher's groups, combined per job, become the job's external groups.
        let found = Mutex<[String: [Int: [TargetDiscovery.Group]]]>([:])
        var watchers: [PodWatcher] = []
        for s in config.scrapeConfigs where kubernetes {
            for k in s.kubernetesSDConfigs {
                let api = try KubernetesAPI.resolve(k, environment: environment)
                let n = watchers.count, job = s.jobName
                watchers.append(PodWatcher(job: job, config: k, api: api, logger: logger) { groups in
                    let all = found.withLock { f -> [TargetDiscovery.Group] in
                        f[job, default: [:]][n] = groups
                        return f[job]!.keys.sorted().flatMap { f[job]![$0]! }
                    }
                    tails.externalGroups.withLock { $0[job] = all }
                })
            }
        }
        podWatchers = watchers
    }

    /// Promtail's node name for `__host__`: $HOSTNAME, else the host name.
    public static func hostname() -> String {
        if let h = ProcessInfo.processInfo.environment["HOSTNAME"], !h.isEmpty { return h }
        return ProcessInfo.processInfo.hostName
    }

    public func start() {
        for c in clients { c.start() }
        for w in podWatchers { w.start() }
        tails.start()
        let t = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                let end = Date().addingTimeInterval(Double(config.positions.syncPeriod) / 1e9)
                while Date() < end && !stopping.load(ordering: .relaxed) { Thread.sleep(forTimeInterval: 0.05) }
                do { try positions.save() } catch { logger.error("could not save the positions file", metadata: ["path": "\(positions.path)", "error": "\(error)"]) }
                anchors.prune(positions.all)
            }
            saverDone.lock(); saverFinished = true; saverDone.broadcast(); saverDone.unlock()
        }
        t.name = "skald-agent-pos"
        t.start()
    }

    /// Stops reading, drains the clients (up to `drainTimeout` seconds each), saves the positions.
    public func stop(drainTimeout: Double = 5) {
        for w in podWatchers { w.stop() }
        tails.stop()
        for c in clients { c.stop(drainTimeout: drainTimeout) }
        stopping.store(true, ordering: .relaxed)
        saverDone.lock()
        while !saverFinished { _ = saverDone.wait(until: Date().addingTimeInterval(0.1)) }
        saverDone.unlock()
        do { try positions.save(force: true) } catch {
            logger.error("could not save the positions file at shutdown", metadata: ["path": "\(positions.path)", "error": "\(error)"])
        }
    }
}
