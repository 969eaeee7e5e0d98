public import LogModel
import Synchronization

/// What live tails see: every entry a push made durable, handed to the subscribers whose tenant
/// and stream matchers it fits, right after the log acknowledged it (so a tail never shows a
/// line a crash could take back). Replay does not publish: a tail sees new pushes only.
///
/// A subscriber's handler runs on the pushing task and must only enqueue (see `TailSession`);
/// with no subscriber a push pays one atomic load.
public final class LiveFeed: Sendable {
    /// One stream's share of a push.
    public struct Delivery: Sendable {
        public var labels: LabelSet
        public var entries: [LogEntry]
    }

    public typealias Handler = @Sendable ([Delivery]) -> Void

    struct Subscriber {
        var tenant: TenantID
        var matchers: [LabelMatcher]
        var handler: Handler
    }

    private let subscribers = Mutex<[UInt64: Subscriber]>([:])
    private let count = Atomic<Int>(0)
    private let nextID = Atomic<UInt64>(1)

    public init() {}

    /// Starts delivering `tenant`'s new entries of streams matching `matchers`; returns the
    /// subscription's id for `unsubscribe`.
    public func subscribe(tenant: TenantID, matchers: [LabelMatcher], handler: @escaping Handler) -> UInt64 {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        subscribers.withLock { $0[id] = Subscriber(tenant: tenant, matchers: matchers, handler: handler) }
        count.add(1, ordering: .releasing)
        return id
    }

    public func unsubscribe(_ id: UInt64) {
        let removed = subscribers.withLock { $0.removeValue(forKey: id) != nil }
        if removed { count.subtract(1, ordering: .releasing) }
    }

    /// Open subscriptions (the `loki_querier_tail_active` gauge).
    public var subscriberCount: Int { count.load(ordering: .acquiring) }

    /// Hands `batch` (its streams parsed as `labelSets`) to every matching subscriber.
    func publish(tenant: TenantID, batch: PushBatch, labelSets: [LabelSet]) {
        guard count.load(ordering: .acquiring) > 0 else { return }
        let targets = subscribers.withLock { all in all.values.filter { $0.tenant == tenant } }
        for s in targets {
            var deliveries: [Delivery] = []
            for (i, stream) in batch.streams.enumerated() where s.matchers.matches(labelSets[i]) {
                let entries = stream.entries.map { e in
                    LogEntry(timestamp: e.timestamp, line: Array(batch.line(e)),
                             metadata: e.metadata >= 0 ? batch.metadata[Int(e.metadata)] : [])
                }
                deliveries.append(Delivery(labels: labelSets[i], entries: entries))
            }
            if !deliveries.isEmpty { s.handler(deliveries) }
        }
    }
}
