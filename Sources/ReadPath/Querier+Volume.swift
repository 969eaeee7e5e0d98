public import LogModel

extension Querier {
    /// How `volume` groups streams (Loki's `aggregateBy`).
    public enum VolumeAggregation: String, Sendable {
        /// By the values of the aggregation labels: `{app="api", env="prod"}`.
        case series
        /// By label name only: `{app=""}`, `{env=""}` (a stream counts towards each of its names).
        case labels
    }

    /// One group's volume: uncompressed bytes, in total and per bucket.
    public struct Volume: Sendable {
        public var labels: LabelSet
        public var total: Int
        public var buckets: [Int]
    }

    /// `/loki/api/v1/index/volume(_range)`: the uncompressed bytes of the streams matching
    /// `matchers` with data in [start, end), grouped by `targetLabels` (nil: the names the matchers
    /// use) and `aggregation`, the `limit` largest groups first, from chunk headers, in-memory
    /// blocks and head counts (no block is decoded). With `bucketEnds`, each group's bytes are also
    /// spread over the buckets (t − step, t] by how much of each chunk or block's time span falls in
    /// each; without, one bucket holds the total.
    public func volume(tenant: TenantID, matchers: [LabelMatcher], start: Int64, end: Int64, targetLabels: [String]?,
                       aggregation: VolumeAggregation, limit: Int, bucketEnds: [Int64] = [], step: Int64 = 0) -> [Volume] {
        let names = targetLabels ?? Array(Set(matchers.map(\.name))).sorted()
        var spans: [String: (labels: LabelSet, spans: [(Int64, Int64, Int)])] = [:]
        func add(_ labels: LabelSet, _ lo: Int64, _ hi: Int64, _ bytes: Int) {
            spans[labels.canonical, default: (labels, [])].spans.append((lo, hi, bytes))
        }
        var inMemory = Set<String>()
        for m in ingester.snapshot(tenant: tenant, start: start, end: end, copyEntries: false, matchers: matchers) {
            inMemory.formUnion(m.storedKeys)
            for b in m.blocks { add(m.labels, b.minTime, b.maxTime, b.rawLength) }
            if let t = m.headTimes { add(m.labels, t.min, t.max, m.headBytes) }
        }
        for s in ingester.storeIndex.series(tenant: tenant.value, start: start, end: end, matchers: matchers).series {
            for ref in s.refs where !inMemory.contains(ref.key) { add(s.labels, ref.header.minTime, ref.header.maxTime, ref.header.rawBytes) }
        }
        var groups: [LabelSet: Volume] = [:]
        let count = max(bucketEnds.count, 1)
        for (labels, list) in spans.values {
            let keys: [LabelSet] = switch aggregation {
            case .series:
                [LabelSet(names.compactMap { n in labels[n].map { Label(n, $0) } })]
            case .labels:
                names.filter { labels[$0] != nil }.map { LabelSet([Label($0, "")]) }
            }
            var buckets = [Int](repeating: 0, count: count)
            var total = 0
            for (lo, hi, bytes) in list {
                total += bytes
                guard !bucketEnds.isEmpty else { continue }
                Self.spread(bytes, from: lo, to: hi, over: bucketEnds, step: step, into: &buckets)
            }
            if bucketEnds.isEmpty { buckets[0] = total }
            for key in keys {
                var v = groups[key] ?? Volume(labels: key, total: 0, buckets: [Int](repeating: 0, count: count))
                v.total += total
                for i in buckets.indices { v.buckets[i] += buckets[i] }
                groups[key] = v
            }
        }
        let ranked = groups.values.sorted { $0.total != $1.total ? $0.total > $1.total : LabelSet.compare($0.labels, $1.labels) }
        return Array(ranked.prefix(max(limit, 0)))
    }

    /// Adds `bytes` spanning [lo, hi] to the buckets (t − step, t] it overlaps, in proportion (a
    /// span of one instant goes whole to its bucket); rounding leftovers go to the last bucket it touches.
    static func spread(_ bytes: Int, from lo: Int64, to hi: Int64, over ends: [Int64], step: Int64, into buckets: inout [Int]) {
        let width = Double(max(hi - lo, 0))
        var given = 0
        var last: Int?
        for (i, t) in ends.enumerated() {
            let bLo = t - step, bHi = t
            guard hi > bLo, lo <= bHi else { continue }
            last = i
            if width == 0 { buckets[i] += bytes; return }
            let overlap = Double(min(hi, bHi) - max(lo, bLo))
            let share = Int(Double(bytes) * overlap / width)
            buckets[i] += share
            given += share
        }
        if let last { buckets[last] += bytes - given }
    }
}
