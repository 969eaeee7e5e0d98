public import LogModel
public import LogQL
public import WritePath
import Synchronization

/// One live tail (`/loki/api/v1/tail`), apart from its websocket: the last `limit` lines since
/// `start` first, then every new line of the matching streams as pushes make it durable, each
/// through the query's pipeline, in timestamp order, held back until it is `delayFor` old (so
/// lines that arrive a little late still come out in order), at most 100 per message — Loki's
/// tailer, message for message.
///
/// The feed's handler only appends to a buffer; the connection's task calls `next(now:)`. A client
/// that reads slower than lines arrive fills the buffer (10,000 lines); lines beyond it are
/// dropped and reported in the next message's `dropped_entries` (at most 1,000 per message).
public final class TailSession: Sendable {
    public struct Options: Sendable {
        /// Lines of history sent first (Loki's `limit`, default 100).
        public var limit: Int
        /// Oldest history line (Loki's `start`, default an hour ago), nanoseconds.
        public var start: Int64
        /// How long a line is held before it is sent (`delay_for`, at most 5 s), nanoseconds.
        public var delayFor: Int64

        public init(limit: Int, start: Int64, delayFor: Int64) {
            self.limit = limit
            self.start = start
            self.delayFor = delayFor
        }
    }

    /// One websocket message: entries in the order to send them, and the lines dropped since the last.
    public struct Message: Sendable {
        public var entries: [(labels: LabelSet, entry: LogEntry)] = []
        public var dropped: [(timestamp: Int64, labels: LabelSet)] = []
    }

    public static let maxEntriesPerMessage = 100
    public static let maxDroppedPerMessage = 1000
    public static let maxBuffered = 10_000

    struct Item {
        var labels: LabelSet
        var entry: LogEntry
        /// Already through the pipeline (history comes out of the query that way).
        var processed: Bool
        var seq: Int
    }

    struct HistoryKey: Hashable {
        var labels: String
        var timestamp: Int64
        var line: [UInt8]
    }

    struct State {
        var buffer: [Item] = []
        var sorted = true
        var seq = 0
        var dropped: [(timestamp: Int64, labels: LabelSet)] = []
        var pipeline: Pipeline
        /// The history sent, to skip a line that a push published while the history was read.
        var history: Set<HistoryKey> = []
        var historyEnd: Int64 = .min
        var subscription: UInt64?
    }

    let querier: Querier
    let tenant: TenantID
    let query: LogQuery
    let options: Options
    private let state: Mutex<State>

    /// `query` must be a log query; its pipeline is built here (a bad one throws the parser's error).
    public init(querier: Querier, tenant: TenantID, query: LogQuery, options: Options) throws(ParseError) {
        self.querier = querier
        self.tenant = tenant
        self.query = query
        self.options = options
        state = Mutex(State(pipeline: try Pipeline(query, skipPushedDown: false)))
    }

    /// Subscribes to new lines, then reads the history (in this order, so no line falls between
    /// the two; one seen by both is sent once).
    public func start(now: Int64, deadline: QueryDeadline? = nil) throws(ParseError) {
        let id = querier.ingester.liveFeed.subscribe(tenant: tenant, matchers: query.matchers) { [weak self] deliveries in
            self?.enqueue(deliveries)
        }
        state.withLock { $0.subscription = id }
        guard options.limit > 0, options.start < now else { return }
        let history = try querier.logQuery(tenant: tenant, query, start: options.start, end: now, limit: options.limit,
                                           direction: .backward, deadline: deadline)
        state.withLock { s in
            for stream in history.streams {
                for e in stream.entries {
                    s.buffer.append(Item(labels: stream.labels, entry: e, processed: true, seq: s.seq))
                    s.seq += 1
                    s.history.insert(HistoryKey(labels: stream.labels.canonical, timestamp: e.timestamp, line: e.line))
                    s.historyEnd = max(s.historyEnd, e.timestamp)
                }
            }
            s.sorted = false
        }
    }

    /// Stops the feed; safe to call more than once.
    public func close() {
        if let id = state.withLock({ s -> UInt64? in defer { s.subscription = nil }; return s.subscription }) {
            querier.ingester.liveFeed.unsubscribe(id)
        }
    }

    deinit { close() }

    func enqueue(_ deliveries: [LiveFeed.Delivery]) {
        state.withLock { s in
            for d in deliveries {
                for e in d.entries {
                    guard s.buffer.count < TailSession.maxBuffered else {
                        if s.dropped.count < TailSession.maxDroppedPerMessage { s.dropped.append((e.timestamp, d.labels)) }
                        continue
                    }
                    if let last = s.buffer.last, last.entry.timestamp > e.timestamp { s.sorted = false }
                    s.buffer.append(Item(labels: d.labels, entry: e, processed: false, seq: s.seq))
                    s.seq += 1
                }
            }
        }
    }

    /// Lines buffered and not yet sent.
    public var buffered: Int { state.withLock { $0.buffer.count } }

    /// The next message: up to 100 lines older than `now − delayFor`, oldest first, and what was
    /// dropped; nil when there is nothing to send yet.
    public func next(now: Int64) -> Message? {
        // Read for every message, so a request made while the tail runs applies at once.
        let deletions = querier.deletions(tenant, start: .min, end: .max)
        return state.withLock { s in
            if !s.sorted {
                s.buffer.sort { $0.entry.timestamp != $1.entry.timestamp ? $0.entry.timestamp < $1.entry.timestamp : $0.seq < $1.seq }
                s.sorted = true
            }
            var m = Message()
            var taken = 0
            while taken < s.buffer.count, m.entries.count < TailSession.maxEntriesPerMessage {
                let item = s.buffer[taken]
                // Loki sends a line once the clock is past its timestamp plus the delay.
                guard now > item.entry.timestamp &+ options.delayFor else { break }
                taken += 1
                if item.processed {
                    m.entries.append((item.labels, item.entry))
                    continue
                }
                // A live line a delete request covers is not shown.
                if let d = deletions?.forStream(item.labels), d.removes(item.entry.timestamp, item.entry.line) { continue }
                var builder = LabelsBuilder(item.labels)
                guard let line = s.pipeline.process(item.entry.line, &builder, timestamp: item.entry.timestamp) else { continue }
                let labels = builder.labels
                if item.entry.timestamp <= s.historyEnd,
                   s.history.contains(HistoryKey(labels: labels.canonical, timestamp: item.entry.timestamp, line: line)) { continue }
                m.entries.append((labels, LogEntry(timestamp: item.entry.timestamp, line: line, metadata: item.entry.metadata)))
            }
            s.buffer.removeFirst(taken)
            m.dropped = s.dropped
            s.dropped.removeAll()
            return m.entries.isEmpty && m.dropped.isEmpty ? nil : m
        }
    }
}
