public import LogModel
public import WritePath

/// Answers log queries from the ingester's heads (the store joins in with the "Chunks and index"
/// issue): selects matching streams, keeps the `limit` entries nearest the query's starting edge
/// across all streams, and returns them grouped by stream in the query's direction.
public struct Querier: Sendable {
    let ingester: Ingester

    public init(ingester: Ingester) { self.ingester = ingester }

    public func select(tenant: TenantID, _ q: HeadQuery) -> [QueryStream] {
        let streams = ingester.query(tenant: tenant, q)
        let total = streams.reduce(0) { $0 + $1.entries.count }
        guard total > q.limit else { return sortStreams(streams) }
        // Each stream is already in direction order: a k-way merge would do; a flat sort of the
        // (at most streams × limit) candidates is simpler and bounded.
        var all: [(Int64, Int, Int)] = []
        all.reserveCapacity(total)
        for (si, s) in streams.enumerated() {
            for (ei, e) in s.entries.enumerated() { all.append((e.timestamp, si, ei)) }
        }
        if q.direction == .forward {
            all.sort { $0.0 != $1.0 ? $0.0 < $1.0 : ($0.1 != $1.1 ? $0.1 < $1.1 : $0.2 < $1.2) }
        } else {
            all.sort { $0.0 != $1.0 ? $0.0 > $1.0 : ($0.1 != $1.1 ? $0.1 < $1.1 : $0.2 < $1.2) }
        }
        var keep = Array(repeating: 0, count: streams.count)
        for (_, si, _) in all.prefix(q.limit) { keep[si] += 1 }
        var out: [QueryStream] = []
        for (si, s) in streams.enumerated() where keep[si] > 0 {
            // Entries of a stream are in direction order, so its chosen ones are a prefix.
            out.append(QueryStream(labels: s.labels, entries: Array(s.entries.prefix(keep[si]))))
        }
        return sortStreams(out)
    }

    func sortStreams(_ s: [QueryStream]) -> [QueryStream] {
        s.sorted { $0.labels.canonical < $1.labels.canonical }
    }

    /// Label names of streams with data in [start, end), sorted.
    public func labelNames(tenant: TenantID, matchers: [Label] = [], start: Int64, end: Int64) -> [String] {
        var names = Set<String>()
        for ls in ingester.labelSets(tenant: tenant, matchers: matchers, start: start, end: end) {
            for l in ls.labels { names.insert(l.name) }
        }
        return names.sorted()
    }

    /// Values of one label across streams with data in [start, end), sorted.
    public func labelValues(tenant: TenantID, name: String, matchers: [Label] = [], start: Int64, end: Int64) -> [String] {
        var values = Set<String>()
        for ls in ingester.labelSets(tenant: tenant, matchers: matchers, start: start, end: end) {
            if let v = ls[name] { values.insert(v) }
        }
        return values.sorted()
    }
}
