public import AgentStages
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
        /// The scrape config's `encoding` (nil: UTF-8).
        let transcoder: LineTranscoder?
        var pipeline: AgentPipeline
        /// The generation of the lines last read, the end of the last line read in it, and the
        /// last mark handed out (a held line does not repeat it).
        var lineGeneration = 0
        /// The file the lines of `lineGeneration` come from.
        var lineIdentity: FileIdentity?
        var lastEnd: Int64 = 0
        var lastMark: PositionTracker.Mark?
        /// The last labels a line went out with, and their form for each client: lines of one
        /// file mostly share their labels, and building the canonical form is most of a line's cost.
        var lastLabels: LabelMap?
        var lastStreams: [String] = []
        var recentStreams: [(labels: LabelMap, streams: [String])] = []
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
    /// The series of every `metrics` stage, for `/metrics`.
    public let customMetrics = CustomMetrics()
    /// Extra target groups per job (Kubernetes discovery), set from other threads.
    let externalGroups = Mutex<[String: [TargetDiscovery.Group]]>([:])
    private let stopping = Atomic<Bool>(false)
    private let stopped = NSCondition()
    private var finished = false
    /// Tail thread only: the last generation of paths no longer tailed in this run, and those whose
    /// file is gone (their positions are forgotten once the clients are idle).
    private var lastGeneration: [String: Int] = [:]
    private var vanished = Set<String>()
    /// Tail thread only: `limits_config.readline_rate` over every target's lines (nil: off).
    private var readline: TokenBucket?
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
        if config.readlineRateEnabled { readline = TokenBucket(rate: config.readlineRate, burst: Double(config.readlineBurst)) }
        dropLongLines = config.maxLineSize > 0 && !config.maxLineSizeTruncate
        var d: [(TargetDiscovery, AgentConfig.ScrapeConfig)] = []
        for s in config.scrapeConfigs {
            d.append((try TargetDiscovery(s, hostname: hostname), s))
            // Fail at start for a pipeline that cannot be built, or an encoding that cannot be read.
            _ = try LineTranscoder.make(s.encoding)
            do { _ = try AgentPipeline(s.pipelineStages, context: .init(now: now, metrics: customMetrics)) } catch {
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
        for path in files.keys.sorted() where wanted[path] == nil {
            // The glob no longer finds it (deleted, or renamed away with no new file yet): what the
            // open file still holds is read first — a rotation caught between rename and create
            // lost those lines — and whatever a stage holds goes out.
            var drained = 0
            while drained < 64, read(&files[path]!) { drained += 1 }
            var out: [Outgoing] = []
            emit(files[path]!.pipeline.flush(now: .max), &files[path]!, into: &out)
            send(out, &files[path]!)
            // Its acknowledgements may still be on their way: the position is forgotten only once
            // the clients have sent everything, and a file that comes back starts a generation after it.
            let t = files.removeValue(forKey: path)!
            lastGeneration[path] = t.tailer.generation
            if !FileManager.default.fileExists(atPath: path) { vanished.insert(path) }
            logger.info("stopped tailing", metadata: ["path": "\(path)"])
        }
        if !vanished.isEmpty, clients.allSatisfy({ $0.queuedBytes == 0 }) {
            for path in vanished where files[path] == nil && wanted[path] == nil && !FileManager.default.fileExists(atPath: path) {
                tracker.forget(path)
                lastGeneration[path] = nil
            }
            vanished = vanished.filter { files[$0] == nil && wanted[$0] == nil && FileManager.default.fileExists(atPath: $0) }
        }
        for (path, target) in wanted where files[path] == nil {
            let scrape = config.scrapeConfigs.first { $0.jobName == target.job }!
            guard let pipeline = try? AgentPipeline(scrape.pipelineStages, context: .init(now: now, metrics: customMetrics)) else { continue }
            var start = positions.offset(path) ?? 0
            var generation = 0
            if let previous = lastGeneration.removeValue(forKey: path) {
                // Tailed before in this run and dropped (renamed away, deleted): a new file, from its start.
                vanished.remove(path)
                start = 0
                generation = previous + 1
                anchors.reset(path)
            }
            var resumeFrom: String?
            if generation == 0, start > 0, let saved = positions.identity(path), let now = FileIdentity.of(path), saved != now {
                // The path names another file than the one the position is in: rotated while the
                // agent was stopped. Finish that file (if it is still beside the path) from the
                // position, then read the new one from its start.
                resumeFrom = Self.find(saved, near: path)
                if resumeFrom == nil {
                    logger.warning("the file this position was saved for is gone; reading the new file from its start",
                                   metadata: ["path": "\(path)", "saved_offset": "\(start)"])
                    start = 0
                } else {
                    logger.info("finishing a file rotated while the agent was stopped", metadata: ["path": "\(path)", "rotated": "\(resumeFrom!)"])
                }
            }
            let tailer = FileTailer(path: path, offset: start, maxLineBytes: maxLineBytes, generation: generation, resumeFrom: resumeFrom)
            if generation > 0 {
                // The position goes to 0 once the old file's lines are acknowledged (queued after them).
                for c in clients { _ = c.put([PushItem(entry: nil, file: path, mark: .init(generation: generation, offset: 0))], shouldStop: { stopping.load(ordering: .relaxed) }) }
            }
            if tailer.offset != start {
                anchors.reset(path)
                logger.info("file is shorter than its saved position; reading it from the start", metadata: ["path": "\(path)"])
            }
            files[path] = Tailed(target: target, labels: LabelMap(target.labels), tailer: tailer,
                                 transcoder: try? LineTranscoder.make(scrape.encoding), pipeline: pipeline, lineGeneration: generation)
            logger.info("tailing", metadata: ["path": "\(path)", "offset": "\(tailer.offset)", "job": "\(target.job)"])
        }
        active.withLock { $0 = files.values.map(\.target).sorted { $0.path < $1.path } }
        Gauge(label: "promtail_targets_active_total").record(files.count)
    }

    /// A file in `path`'s directory with identity `id` (a rotated-away name of it), if any.
    static func find(_ id: FileIdentity, near path: String) -> String? {
        let dir = (path as NSString).deletingLastPathComponent
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            let full = dir + "/" + name
            if full != path, FileIdentity.of(full) == id { return full }
        }
        return nil
    }

    typealias Outgoing = (entry: (labels: LabelMap, tenant: String, timestamp: Int64, line: String)?, mark: PositionTracker.Mark)

    /// Reads what is new in one file; true when there was something.
    private func read(_ t: inout Tailed) -> Bool {
        let generation = t.tailer.generation
        let lines = t.tailer.poll(limit: 1 << 20)
        let path = t.target.path
        var out: [Outgoing] = []
        if lines.isEmpty {
            // Nothing new: blocks that waited long enough (multiline's max_wait_time) go out now.
            if t.pipeline.heldFrom != nil { emit(t.pipeline.flush(now: now()), &t, into: &out) }
            if t.tailer.generation != generation {
                // Rotated or truncated with nothing left in the old file: what is held goes out, the position starts again.
                emit(t.pipeline.flush(now: .max), &t, into: &out)
                out.append((nil, .init(generation: t.tailer.generation, offset: 0)))
                t.lastMark = nil
            }
            send(out, &t)
            return false
        }
        var bytes = 0
        for line in lines {
            bytes += line.bytes.count + 1
            if line.generation != t.lineGeneration {
                // The first line of a rotated-in (or emptied) file: the old file's held lines end their blocks.
                emit(t.pipeline.flush(now: .max), &t, into: &out)
                t.lineGeneration = line.generation
                t.lastEnd = 0
                t.lastMark = nil
                anchors.reset(path)
            }
            t.lastEnd = line.end
            t.lineIdentity = line.identity
            if line.truncated {
                if dropLongLines {
                    // `max_line_size` without `max_line_size_truncate`: Promtail drops the line.
                    Counter(label: "logentry_dropped_lines_total", dimensions: [("reason", "line_too_long")]).increment()
                    mark(&t, into: &out)
                    continue
                }
                Counter(label: "promtail_truncated_lines_total", dimensions: [("path", path)]).increment()
            }
            let stamp = anchors.stamp(path, offset: line.start, now: now())
            let text = t.transcoder.map { $0.decode(line.bytes) } ?? String(decoding: line.bytes, as: UTF8.self)
            let r = t.pipeline.process(AgentEntry(labels: t.labels, timestamp: stamp, line: text, offset: line.start))
            emit(r, &t, into: &out)
        }
        if t.tailer.generation != generation && t.tailer.generation != t.lineGeneration {
            // Rotated after the last line read: the new file starts at 0.
            emit(t.pipeline.flush(now: .max), &t, into: &out)
            out.append((nil, .init(generation: t.tailer.generation, offset: 0)))
            t.lineGeneration = t.tailer.generation
            t.lastEnd = 0
            t.lastMark = nil
        }
        send(out, &t)
        Counter(label: "promtail_read_bytes_total", dimensions: [("path", path)]).increment(by: bytes)
        Counter(label: "promtail_read_lines_total", dimensions: [("path", path)]).increment(by: lines.count)
        Gauge(label: "promtail_file_bytes_total", dimensions: [("path", path)]).record(t.tailer.size)
        return true
    }

    /// The mark everything read so far allows: up to the earliest line a stage still holds, else
    /// to the end of the last line read.
    private func currentMark(_ t: Tailed) -> PositionTracker.Mark {
        .init(generation: t.lineGeneration, offset: t.pipeline.heldFrom ?? t.lastEnd, identity: t.lineIdentity)
    }

    /// A mark-only item, when the position can move.
    private func mark(_ t: inout Tailed, into out: inout [Outgoing]) {
        let m = currentMark(t)
        guard m != t.lastMark else { return }
        t.lastMark = m
        out.append((nil, m))
    }

    /// Queues what the pipeline gave: entries kept go out with the current mark; drops count, and
    /// move the mark if they can.
    private func emit(_ results: [(entry: AgentEntry, outcome: StageOutcome)], _ t: inout Tailed, into out: inout [Outgoing]) {
        for (e, outcome) in results { emit(e, outcome, &t, into: &out) }
        if results.contains(where: { $0.outcome == .held }) { mark(&t, into: &out) }
    }

    /// What one line came to: the entries a stage released on the way, then the line's own.
    private func emit(_ r: AgentPipeline.Result, _ t: inout Tailed, into out: inout [Outgoing]) {
        for (e, outcome) in r.released { emit(e, outcome, &t, into: &out) }
        emit(r.entry, r.outcome, &t, into: &out)
        if r.outcome == .held || r.released.contains(where: { $0.outcome == .held }) { mark(&t, into: &out) }
    }

    /// One entry of the `emit`s above (they move the mark after a held one).
    private func emit(_ e: AgentEntry, _ outcome: StageOutcome, _ t: inout Tailed, into out: inout [Outgoing]) {
        switch outcome {
        case .held:
            return
        case .drop(let reason):
            Counter(label: "logentry_dropped_lines_total", dimensions: [("reason", reason)]).increment()
            mark(&t, into: &out)
        case .keep:
            if var bucket = readline {
                // Promtail's limits_config.readline_rate: past it a line is dropped, or waits (the
                // lines before it go out first).
                while let wait = bucket.take(now: now()) {
                    if config.readlineRateDrop {
                        readline = bucket
                        Counter(label: "logentry_dropped_lines_total", dimensions: [("reason", "global_rate_limiter_drop")]).increment()
                        mark(&t, into: &out)
                        return
                    }
                    send(out, &t)
                    out.removeAll()
                    TokenBucket.sleep(seconds: wait)
                    if stopping.load(ordering: .relaxed) { break }
                }
                readline = bucket
            }
            var labels = e.labels
            let tenant = labels.removeValue(forKey: AgentEntry.tenantLabel) ?? ""
            let m = currentMark(t)
            t.lastMark = m
            out.append(((labels, tenant, e.timestamp, e.line), m))
        }
    }

    /// Hands a poll's items to every client (stamp anchors made durable first).
    private func send(_ out: [Outgoing], _ t: inout Tailed) {
        guard !out.isEmpty else { return }
        // The anchors these stamps came from must be on disk before any of them can reach a server.
        do { try anchors.makeDurable() } catch {
            logger.error("could not write the stamp anchors; lines sent again after a crash may be duplicated", metadata: ["path": "\(anchors.path)", "error": "\(error)"])
        }
        var perClient = [[PushItem]](repeating: [], count: clients.count)
        for c in clients.indices { perClient[c].reserveCapacity(out.count) }
        for (entry, mark) in out {
            if let entry, t.lastLabels != entry.labels {
                // A few label sets alternate (a level label): look in the recent ones before rendering.
                if let k = t.recentStreams.firstIndex(where: { $0.labels == entry.labels }) {
                    t.lastStreams = t.recentStreams[k].streams
                } else {
                    t.lastStreams = clients.map { $0.streamLabels(entry.labels) }
                    if t.recentStreams.count == 8 { t.recentStreams.removeFirst() }
                    t.recentStreams.append((entry.labels, t.lastStreams))
                }
                t.lastLabels = entry.labels
            }
            for c in clients.indices {
                perClient[c].append(PushItem(entry: entry.map { .init(labels: t.lastStreams[c], tenant: $0.tenant, timestamp: $0.timestamp, line: $0.line) },
                                             file: t.target.path, mark: mark))
            }
        }
        for c in clients.indices where !clients[c].put(perClient[c], shouldStop: { stopping.load(ordering: .relaxed) }) { return }
    }

}
