import AgentStages
public import Foundation
import LogModel
public import Logging
import Metrics
import Synchronization

/// The tailing thread: keeps one `FileTailer` and one pipeline per discovered file, re-reads the
/// targets every `target_config.sync_period`, and hands each line's outcome to every client —
/// an entry to send, or just a position mark when a stage dropped the line.
public final class TailManager: @unchecked Sendable {
    struct Tailed {
        let target: TargetDiscovery.FileTarget
        /// The target's labels as entries start with them.
        let labels: LabelMap
        let tailer: FileTailer
        var pipeline: AgentPipeline
        /// Where the first line a stage is holding (a CRI partial) starts: marks stop there.
        var heldFrom: Int64?
        var heldGeneration = 0
        /// The generation the file's stamp anchors belong to.
        var stampGeneration = 0
        /// The last labels a line went out with, and their form for each client: lines of one
        /// file mostly share their labels, and building the canonical form is most of a line's cost.
        var lastLabels: LabelMap?
        var lastStreams: [String] = []
    }

    let config: AgentConfig
    let discoveries: [(TargetDiscovery, AgentConfig.ScrapeConfig)]
    let clients: [PushClient]
    let positions: PositionsFile
    let tracker: PositionTracker
    let anchors: StampAnchors
    let logger: Logger
    let maxLineBytes: Int
    /// `max_line_size` set without `max_line_size_truncate`: a longer line is dropped, not cut.
    let dropLongLines: Bool
    let now: @Sendable () -> Int64
    /// Extra target groups per job (Kubernetes discovery), set from other threads.
    let externalGroups = Mutex<[String: [TargetDiscovery.Group]]>([:])
    private let stopping = Atomic<Bool>(false)
    private let stopped = NSCondition()
    private var finished = false
    /// Guarded by `activeLock`: the files being tailed, for `/targets` and tests.
    private let active = Mutex<[TargetDiscovery.FileTarget]>([])

    /// The line cut when no `limits_config.max_line_size` is given: big enough for any sane log
    /// line, small enough that a runaway file without newlines cannot exhaust memory.
    public static let defaultMaxLineBytes = 1 << 20

    public init(config: AgentConfig, clients: [PushClient], positions: PositionsFile, tracker: PositionTracker, anchors: StampAnchors,
                hostname: String, logger: Logger, now: @escaping @Sendable () -> Int64) throws(AgentConfigError) {
        self.config = config
        self.anchors = anchors
        self.clients = clients
        self.positions = positions
        self.tracker = tracker
        self.logger = logger
        self.now = now
        maxLineBytes = config.maxLineSize > 0 ? config.maxLineSize : Self.defaultMaxLineBytes
        dropLongLines = config.maxLineSize > 0 && !config.maxLineSizeTruncate
        var d: [(TargetDiscovery, AgentConfig.ScrapeConfig)] = []
        for s in config.scrapeConfigs {
            d.append((try TargetDiscovery(s, hostname: hostname), s))
            // Fail at start for a pipeline that cannot be built.
            do { _ = try AgentPipeline(s.pipelineStages, context: .init(now: now)) } catch {
                throw AgentConfigError("scrape config \"\(s.jobName)\": \(error.message)")
            }
        }
        discoveries = d
    }

    public var activeTargets: [TargetDiscovery.FileTarget] { active.withLock { $0 } }

    public func start() {
        let t = Thread { [self] in
            run()
            stopped.lock()
            finished = true
            stopped.broadcast()
            stopped.unlock()
        }
        t.name = "skald-agent-tail"
        t.start()
    }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        stopped.lock()
        while !finished { _ = stopped.wait(until: Date().addingTimeInterval(0.1)) }
        stopped.unlock()
    }

    private func discover() -> [TargetDiscovery.FileTarget] {
        var out: [TargetDiscovery.FileTarget] = []
        let external = externalGroups.withLock { $0 }
        for (d, s) in discoveries {
            let (groups, errors) = d.localGroups()
            for e in errors { logger.error("target discovery failed", metadata: ["job": "\(s.jobName)", "error": "\(e)"]) }
            out += d.files(for: groups + (external[s.jobName] ?? []))
        }
        return out
    }

    private func run() {
        var files: [String: Tailed] = [:]
        var lastSync = Date.distantPast
        while !stopping.load(ordering: .relaxed) {
            if Date().timeIntervalSince(lastSync) >= Double(config.targetSyncPeriod) / 1e9 {
                lastSync = Date()
                sync(&files)
            }
            var readAny = false
            for key in files.keys.sorted() {
                guard !stopping.load(ordering: .relaxed) else { break }
                if read(&files[key]!) { readAny = true }
            }
            if !readAny { Thread.sleep(forTimeInterval: 0.1) }
        }
    }

    /// Starts tailing new files, stops tailing files no longer discovered (forgetting the
    /// position of those that are gone from disk).
    private func sync(_ files: inout [String: Tailed]) {
        let targets = discover()
        let wanted = Dictionary(targets.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        for (path, _) in files where wanted[path] == nil {
            files[path] = nil
            if !FileManager.default.fileExists(atPath: path) { tracker.forget(path) }
            logger.info("stopped tailing", metadata: ["path": "\(path)"])
        }
        for (path, target) in wanted where files[path] == nil {
            let scrape = config.scrapeConfigs.first { $0.jobName == target.job }!
            guard let pipeline = try? AgentPipeline(scrape.pipelineStages, context: .init(now: now)) else { continue }
            let start = positions.offset(path) ?? 0
            let tailer = FileTailer(path: path, offset: start, maxLineBytes: maxLineBytes)
            if tailer.offset != start {
                anchors.reset(path)
                logger.info("file is shorter than its saved position; reading it from the start", metadata: ["path": "\(path)"])
            }
            files[path] = Tailed(target: target, labels: LabelMap(target.labels), tailer: tailer, pipeline: pipeline)
            logger.info("tailing", metadata: ["path": "\(path)", "offset": "\(tailer.offset)", "job": "\(target.job)"])
        }
        active.withLock { $0 = files.values.map(\.target).sorted { $0.path < $1.path } }
        Gauge(label: "promtail_targets_active_total").record(files.count)
    }

    /// Reads what is new in one file; true when there was something.
    private func read(_ t: inout Tailed) -> Bool {
        let generation = t.tailer.generation
        let lines = t.tailer.poll(limit: 1 << 20)
        let path = t.target.path
        if t.tailer.generation != generation && lines.isEmpty {
            // Rotated or truncated with nothing left in the old file: the position starts again.
            _ = hand(PushItem(entry: nil, file: path, mark: .init(generation: t.tailer.generation, offset: 0)))
        }
        guard !lines.isEmpty else { return false }
        var bytes = 0
        var out: [(entry: (labels: LabelMap, tenant: String, timestamp: Int64, line: String)?, mark: PositionTracker.Mark)] = []
        for line in lines {
            bytes += line.bytes.count + 1
            if line.truncated {
                if dropLongLines {
                    // `max_line_size` without `max_line_size_truncate`: Promtail drops the line.
                    Counter(label: "logentry_dropped_lines_total", dimensions: [("reason", "line_too_long")]).increment()
                    if t.heldFrom == nil { out.append((nil, .init(generation: line.generation, offset: line.end))) }
                    continue
                }
                Counter(label: "promtail_truncated_lines_total", dimensions: [("path", path)]).increment()
            }
            if line.generation != t.stampGeneration {
                anchors.reset(path)
                t.stampGeneration = line.generation
            }
            let stamp = anchors.stamp(path, offset: line.start, now: now())
            var e = AgentEntry(labels: t.labels, timestamp: stamp, line: String(decoding: line.bytes, as: UTF8.self))
            let outcome = t.pipeline.process(&e)
            if line.generation != t.heldGeneration { t.heldFrom = nil; t.heldGeneration = line.generation }
            switch outcome {
            case .held:
                if t.heldFrom == nil { t.heldFrom = line.start }
            case .drop(let reason):
                Counter(label: "logentry_dropped_lines_total", dimensions: [("reason", reason)]).increment()
                if !t.pipeline.holding { t.heldFrom = nil }
                if t.heldFrom == nil { out.append((nil, .init(generation: line.generation, offset: line.end))) }
            case .keep:
                // Past a line some stage still holds (another stream's partial), the position waits.
                if !t.pipeline.holding { t.heldFrom = nil }
                var labels = e.labels
                let tenant = labels.removeValue(forKey: AgentEntry.tenantLabel) ?? ""
                let mark = PositionTracker.Mark(generation: line.generation, offset: t.heldFrom ?? line.end)
                out.append(((labels, tenant, e.timestamp, e.line), mark))
            }
        }
        // The anchors these stamps came from must be on disk before any of them can reach a server.
        do { try anchors.makeDurable() } catch {
            logger.error("could not write the stamp anchors; lines sent again after a crash may be duplicated", metadata: ["path": "\(anchors.path)", "error": "\(error)"])
        }
        var perClient = [[PushItem]](repeating: [], count: clients.count)
        for c in clients.indices { perClient[c].reserveCapacity(out.count) }
        for (entry, mark) in out {
            if let entry, t.lastLabels != entry.labels {
                t.lastLabels = entry.labels
                t.lastStreams = clients.map { $0.streamLabels(entry.labels) }
            }
            for c in clients.indices {
                perClient[c].append(PushItem(entry: entry.map { .init(labels: t.lastStreams[c], tenant: $0.tenant, timestamp: $0.timestamp, line: $0.line) },
                                             file: path, mark: mark))
            }
        }
        for c in clients.indices where !clients[c].put(perClient[c], shouldStop: { stopping.load(ordering: .relaxed) }) { return true }
        if t.tailer.generation != generation {
            _ = hand(PushItem(entry: nil, file: path, mark: .init(generation: t.tailer.generation, offset: 0)))
        }
        Counter(label: "promtail_read_bytes_total", dimensions: [("path", path)]).increment(by: bytes)
        Counter(label: "promtail_read_lines_total", dimensions: [("path", path)]).increment(by: lines.count)
        Gauge(label: "promtail_file_bytes_total", dimensions: [("path", path)]).record(t.tailer.size)
        return true
    }

    /// Gives a mark-only item to every client.
    private func hand(_ item: PushItem) -> Bool {
        for c in clients where !c.put([item], shouldStop: { stopping.load(ordering: .relaxed) }) { return false }
        return true
    }
}
