import LogModel
import Metrics
import Synchronization

/// Loki's distributor counters, by tenant (and reason). Counter handles are cached per label set:
/// creating one per push would cost a factory lookup on the hot path.
final class DistributorMetrics: Sendable {
    /// Guards the handle cache.
    private let counters = Mutex<[String: Counter]>([:])

    private func counter(_ name: String, _ dims: [(String, String)]) -> Counter {
        let key = name + dims.map { "|\($0.0)=\($0.1)" }.joined()
        return counters.withLock { c in
            if let h = c[key] { return h }
            let h = Counter(label: name, dimensions: dims)
            c[key] = h
            return h
        }
    }

    func received(tenant: String, lines: Int, bytes: Int) {
        counter("loki_distributor_lines_received_total", [("tenant", tenant)]).increment(by: lines)
        counter("loki_distributor_bytes_received_total", [("tenant", tenant)]).increment(by: bytes)
    }

    func discarded(tenant: String, reason: DiscardReason, lines: Int, bytes: Int) {
        counter("loki_discarded_samples_total", [("reason", reason.rawValue), ("tenant", tenant)]).increment(by: lines)
        counter("loki_discarded_bytes_total", [("reason", reason.rawValue), ("tenant", tenant)]).increment(by: bytes)
    }
}
