public import ChunkFormat
public import LogModel
import Synchronization

/// Which flushed chunks each stream has, by tenant. Built at start from the chunk headers in the
/// store and extended by every flush; queries, label answers and replay's skip rule read it.
///
/// This is the interim, in-memory index: the sorted, checksummed on-volume tables of the "Chunks and
/// index" issue replace the start-up scan, behind the same methods.
public final class StoreIndex: Sendable {
    /// One stream's chunks, sorted by min time.
    public struct Series: Sendable {
        public var labels: LabelSet
        public var refs: [ChunkRef]
    }

    /// Guards every tenant's series map.
    private let tenants = Mutex<[String: [String: Series]]>([:])

    public init() {}

    /// Records a flushed (or scanned) chunk of `labels`.
    public func add(_ ref: ChunkRef, labels: LabelSet) {
        tenants.withLock { t in
            var series = t[ref.header.tenant, default: [:]][labels.canonical] ?? Series(labels: labels, refs: [])
            let at = series.refs.firstIndex { $0.header.minTime > ref.header.minTime } ?? series.refs.count
            series.refs.insert(ref, at: at)
            t[ref.header.tenant, default: [:]][labels.canonical] = series
        }
    }

    /// Streams of `tenant` accepted by `matches`, each with its chunks overlapping [start, end).
    public func series(tenant: String, start: Int64, end: Int64, matches: (LabelSet) -> Bool) -> [Series] {
        tenants.withLock { t in
            guard let all = t[tenant] else { return [] }
            return all.values.compactMap { s in
                guard matches(s.labels) else { return nil }
                let refs = s.refs.filter { $0.overlaps(start: start, end: end) }
                return refs.isEmpty ? nil : Series(labels: s.labels, refs: refs)
            }
        }
    }

    /// The LSN ranges already flushed for one stream: replay skips that stream's part of any record
    /// whose LSN lies in one of them (its entries are in that chunk).
    public func flushedLSNRanges(tenant: String) -> [String: [ClosedRange<UInt64>]] {
        tenants.withLock { t in
            (t[tenant] ?? [:]).mapValues { s in s.refs.map { $0.header.minLSN...$0.header.maxLSN }.sorted { $0.lowerBound < $1.lowerBound } }
        }
    }

    public var tenantIDs: [String] { tenants.withLock { Array($0.keys) } }

    /// (chunks, bytes) per tenant, for /metrics.
    public func totals() -> [(tenant: String, chunks: Int, bytes: Int)] {
        tenants.withLock { t in
            t.map { tenant, series in
                let refs = series.values.flatMap(\.refs)
                return (tenant, refs.count, refs.reduce(0) { $0 + $1.size })
            }
        }
    }
}
