public import AgentStages
import Codecs
public import Foundation
import LogModel
public import Logging
import Metrics
import Synchronization

/// One `clients[]` entry: batches what the tailing thread queues (up to `batchsize` bytes of lines
/// or `batchwait`), sends each tenant's part as a protobuf+snappy push, and acknowledges file
/// positions only when a batch is answered. 429 and 5xx (and no answer at all) are retried with
/// exponential backoff from `min_period` to `max_period`, honouring `Retry-After`; other 4xx drop
/// the batch (counted in `promtail_dropped_entries_total`). Unlike Promtail, a batch is not dropped
/// after `max_retries`: the agent keeps trying at `max_period` and stops reading meanwhile, so a
/// long outage costs memory no more than the queue and loses nothing the files still hold.
public final class PushClient: Sendable {
    let config: AgentConfig.Client
    let index: Int
    let tracker: PositionTracker
    let logger: Logger
    let queue: PushQueue
    let host: String
    let token: BearerToken
    /// `limits_config.max_streams` (0: no limit).
    let maxStreams: Int
    private let stopping = Atomic<Bool>(false)
    private let done = NSCondition()
    private let finished = Mutex(false)

    public init(config: AgentConfig.Client, index: Int, tracker: PositionTracker, logger: Logger, maxStreams: Int = 0) {
        self.config = config
        self.maxStreams = maxStreams
        self.index = index
        self.tracker = tracker
        self.logger = logger
        // Four batches' worth may wait to be sent; past that the tailers wait.
        queue = PushQueue(maxBytes: max(config.batchSize, 64 << 10) * 4)
        host = URLComponents(string: config.url)?.host ?? config.url
        token = BearerToken(config.bearerToken, file: config.bearerTokenFile)
    }

    /// Queues items in order; false when shutting down (or `shouldStop` turned true while the queue was full).
    public func put(_ items: [PushItem], shouldStop: () -> Bool) -> Bool { queue.put(items, shouldStop: shouldStop) }

    /// A stream's labels as this client sends them: its `external_labels` added (the entry's own
    /// win), `__` labels and empty values left out, in canonical form.
    public func streamLabels(_ labels: LabelMap) -> String {
        var out = labels
        for (k, v) in config.externalLabels where out[k] == nil { out[k] = v }
        return LabelSet(out.filter { !$0.key.hasPrefix("__") && !$0.value.isEmpty }.map { Label($0.key, $0.value) }).canonical
    }

    /// Bytes of lines waiting to be sent.
    public var queuedBytes: Int { queue.queuedBytes }

    /// Starts the sending thread.
    public func start() {
        let t = Thread { [self] in
            run()
            finished.withLock { $0 = true }
            done.lock(); done.broadcast(); done.unlock()
        }
        t.name = "skald-agent-push-\(index)"
        t.start()
    }

    /// Stops taking new items, sends what is queued (one round of attempts, within `drainTimeout`
    /// seconds), and returns when the thread has ended.
    public func stop(drainTimeout: Double = 5) {
        queue.close()
        let deadline = Date().addingTimeInterval(drainTimeout)
        done.lock()
        while !finished.withLock({ $0 }) {
            if !done.wait(until: deadline) { stopping.store(true, ordering: .relaxed) ; break }
        }
        done.unlock()
        stopping.store(true, ordering: .relaxed)
        done.lock()
        while !finished.withLock({ $0 }) { _ = done.wait(until: Date().addingTimeInterval(0.1)) }
        done.unlock()
    }

    /// The sending thread's reusable buffers: a batch's request is written into the same memory
    /// every time, and compressed into the same body.
    struct Buffers {
        var request = PushRequestWriter()
        var body: [UInt8] = []
    }

    private func run() {
        let http = HTTPClient()
        var buffers = Buffers()
        var items: [PushItem] = []
        var batch: [PushItem] = []
        var batchBytes = 0
        var batchStart: Date?
        while true {
            let deadline = batchStart.map { $0.addingTimeInterval(Double(config.batchWait) / 1e9) } ?? Date().addingTimeInterval(0.5)
            queue.take(until: deadline, into: &items)
            for item in items {
                if item.entry != nil && batchStart == nil { batchStart = Date() }
                batch.append(item)
                batchBytes += item.bytes
                if batchBytes >= config.batchSize {
                    send(batch, http, &buffers)
                    batch.removeAll(keepingCapacity: true)
                    batchBytes = 0
                    batchStart = nil
                }
            }
            let closed = queue.isClosed
            if let s = batchStart, closed || Date() >= s.addingTimeInterval(Double(config.batchWait) / 1e9) {
                send(batch, http, &buffers)
                batch.removeAll(keepingCapacity: true)
                batchBytes = 0
                batchStart = nil
            } else if batchStart == nil && !batch.isEmpty {
                // Only marks (dropped lines, rotations): nothing to send, acknowledge them now.
                acknowledge(batch)
                batch.removeAll(keepingCapacity: true)
            }
            if closed && items.isEmpty && batch.isEmpty { return }
            if stopping.load(ordering: .relaxed) { return }
        }
    }

    /// Sends a batch (one push per tenant, in tenant order), then acknowledges its marks in order —
    /// unless the agent is stopping before an answer, in which case nothing is acknowledged and the
    /// lines are read and sent again at the next start.
    private func send(_ batch: [PushItem], _ http: HTTPClient, _ buffers: inout Buffers) {
        var tenants = Set<String>()
        for item in batch { if let e = item.entry { tenants.insert(e.tenant.isEmpty ? config.tenantID : e.tenant) } }
        for tenant in tenants.sorted() {
            let sent = Self.encode(batch, tenant: tenant, clientTenant: config.tenantID, maxStreams: maxStreams, into: &buffers)
            if sent.dropped.entries > 0 {
                // Promtail's limits_config.max_streams: a push holds at most that many streams.
                logger.error("streams limit exceeded; entries of further streams are dropped", metadata: [
                    "tenant": "\(tenant)", "limit": "\(maxStreams)", "entries": "\(sent.dropped.entries)"])
                Counter(label: "promtail_dropped_entries_total", dimensions: [("host", host), ("reason", "stream_limited")]).increment(by: sent.dropped.entries)
                Counter(label: "promtail_dropped_bytes_total", dimensions: [("host", host), ("reason", "stream_limited")]).increment(by: sent.dropped.bytes)
            }
            guard sent.entries > 0 else { continue }
            guard push(tenant: tenant, entries: sent.entries, bytes: sent.bytes, body: buffers.body, http) else { return }
        }
        acknowledge(batch)
    }

    private func acknowledge(_ batch: [PushItem]) {
        var last: [String: PositionTracker.Mark] = [:]
        for item in batch { if let f = item.file, let m = item.mark { last[f] = m } }
        for (f, m) in last { tracker.acknowledge(f, m, client: index) }
    }

    /// Encodes the entries of `items` sent as `tenant` (an entry without one is sent as
    /// `clientTenant`) as one push request into `buffers.body`: streams grouped by labels in order
    /// of first appearance, each stream's entries in arrival order; with `maxStreams` above 0,
    /// entries of streams past that many are left out. Returns how many entries and line bytes it
    /// holds, and how many it left out.
    static func encode(_ items: [PushItem], tenant: String, clientTenant: String, maxStreams: Int = 0,
                       into buffers: inout Buffers) -> (entries: Int, bytes: Int, dropped: (entries: Int, bytes: Int)) {
        var order: [String] = []
        var slot: [String: Int] = [:]
        var streams: [(size: Int, entries: [Int])] = []
        var last = -1
        var lineBytes = 0
        var dropped = (entries: 0, bytes: 0)
        for (i, item) in items.enumerated() {
            guard let e = item.entry, (e.tenant.isEmpty ? clientTenant : e.tenant) == tenant else { continue }
            // Neighbours mostly share their stream, and a file's lines alternate among a few (a
            // level label): compare with the previous one and the last few found before hashing.
            if last < 0 || order[last] != e.labels {
                if let k = order.indices.suffix(4).last(where: { order[$0] == e.labels }) ?? slot[e.labels] {
                    last = k
                } else if maxStreams > 0 && order.count >= maxStreams {
                    dropped.entries += 1
                    dropped.bytes += e.line.utf8.count
                    continue
                } else {
                    last = order.count
                    slot[e.labels] = last
                    order.append(e.labels)
                    streams.append((0, []))
                }
            }
            let n = e.line.utf8.count
            lineBytes += n
            streams[last].size += PushRequestWriter.entrySize(timestamp: e.timestamp, lineBytes: n)
            streams[last].entries.append(i)
        }
        buffers.request.reset()
        var count = 0
        for (k, labels) in order.enumerated() {
            buffers.request.stream(labels: labels, entriesSize: streams[k].size)
            for i in streams[k].entries {
                let e = items[i].entry!
                buffers.request.entry(timestamp: e.timestamp, line: e.line)
            }
            count += streams[k].entries.count
        }
        buffers.request.bytes.withUnsafeBufferPointer { Snappy.compress($0, into: &buffers.body) }
        return (count, lineBytes, dropped)
    }

    /// Pushes until answered with 2xx (true), dropped on a 4xx (true: nothing to retry), or the
    /// agent stops (false).
    private func push(tenant: String, entries: Int, bytes: Int, body: [UInt8], _ http: HTTPClient) -> Bool {
        var headers = ["Content-Type: application/x-protobuf", "User-Agent: skald-agent/\(AgentVersion.version)"]
        if !tenant.isEmpty { headers.append("X-Scope-OrgID: \(tenant)") }
        if let t = token.current() { headers.append("Authorization: Bearer \(t)") }
        for (k, v) in config.headers.sorted(by: { $0.key < $1.key }) { headers.append("\(k): \(v)") }
        var options = HTTPClient.Options()
        options.timeoutNanos = config.timeout
        options.tls = config.tls
        options.basicAuth = config.basicAuth
        options.proxyURL = config.proxyURL
        var backoff = config.minBackoff
        var attempt = 0
        while true {
            let started = Date()
            var wait: Int64 = backoff
            do {
                let r = try http.send("POST", config.url, headers: headers, body: body, options: options)
                Timer(label: "promtail_request_duration_seconds", dimensions: [("status_code", String(r.status)), ("host", host)])
                    .recordNanoseconds(Int64(Date().timeIntervalSince(started) * 1e9))
                if (200..<300).contains(r.status) {
                    Counter(label: "promtail_sent_entries_total", dimensions: [("host", host)]).increment(by: entries)
                    Counter(label: "promtail_sent_bytes_total", dimensions: [("host", host)]).increment(by: bytes)
                    Counter(label: "promtail_encoded_bytes_total", dimensions: [("host", host)]).increment(by: body.count)
                    return true
                }
                let text = String(decoding: r.body.prefix(1024), as: UTF8.self)
                if r.status == 429 && config.dropRateLimitedBatches || (r.status >= 400 && r.status < 500 && r.status != 429) {
                    let reason = r.status == 429 ? "rate_limited" : "server_rejected"
                    logger.error("push refused; the batch is dropped", metadata: ["status": "\(r.status)", "host": "\(host)", "entries": "\(entries)", "response": "\(text)"])
                    Counter(label: "promtail_dropped_entries_total", dimensions: [("host", host), ("reason", reason)]).increment(by: entries)
                    Counter(label: "promtail_dropped_bytes_total", dimensions: [("host", host), ("reason", reason)]).increment(by: bytes)
                    return true
                }
                if let ra = r.retryAfterSeconds { wait = max(wait, Int64(ra) * 1_000_000_000) }
                logger.warning("push failed; retrying", metadata: ["status": "\(r.status)", "host": "\(host)", "attempt": "\(attempt + 1)", "response": "\(text)"])
            } catch {
                logger.warning("push got no answer; retrying", metadata: ["host": "\(host)", "attempt": "\(attempt + 1)", "error": "\(error)"])
            }
            attempt += 1
            Counter(label: "promtail_batch_retries_total", dimensions: [("host", host)]).increment()
            if attempt == config.maxRetries {
                logger.error("push still failing after max_retries; skald-agent keeps retrying at max_period and has stopped reading meanwhile (nothing is dropped)",
                             metadata: ["host": "\(host)", "retries": "\(attempt)"])
            }
            if !sleep(nanoseconds: wait) { return false }
            backoff = min(backoff * 2, config.maxBackoff)
        }
    }

    /// Sleeps unless the agent is stopping: false when it is.
    private func sleep(nanoseconds: Int64) -> Bool {
        let end = Date().addingTimeInterval(Double(nanoseconds) / 1e9)
        while Date() < end {
            if stopping.load(ordering: .relaxed) { return false }
            Thread.sleep(forTimeInterval: min(0.05, end.timeIntervalSinceNow))
        }
        return !stopping.load(ordering: .relaxed)
    }
}

/// The agent's version, for the User-Agent header and `/metrics`.
public enum AgentVersion {
    public static let version = "0.1.0"
}
