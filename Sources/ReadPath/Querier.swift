public import LogModel
public import LogQL
public import Storage
public import WritePath

/// Answers log queries from the ingester's memory and the chunk store as one: selects matching
/// streams in both, reads their blocks nearest the query's starting edge first until the `limit`
/// nearest entries are certain (`ReadPlan`), merges each stream's entries (deduplicated), keeps the
/// `limit` nearest across all streams, and returns them grouped by stream in the query's direction,
/// with a warning for every corrupt block it had to skip.
public struct Querier: Sendable {
    let ingester: Ingester
    /// Delete requests: their lines are left out of every answer (nil: deletion is off).
    let deletes: DeleteRequestStore?

    public init(ingester: Ingester, deletes: DeleteRequestStore? = nil) {
        self.ingester = ingester
        self.deletes = deletes
    }

    /// The delete requests of `tenant` overlapping [start, end), compiled.
    func deletions(_ tenant: TenantID, start: Int64, end: Int64) -> DeleteFilter? {
        guard let deletes else { return nil }
        return DeleteFilter(deletes.list(tenant: tenant.value), start: start, end: end)
    }

    /// A query's streams and the warnings to return with them.
    public struct Selection: Sendable {
        public var streams: [QueryStream]
        public var warnings: [String]
        /// Blocks (and head blocks) decoded to answer.
        public var blocksRead = 0
        /// What was read, for the answer's `stats`.
        public var stats: QueryStats
    }

    /// `filter`: the query's line filters, applied as blocks decode (see `LineFilterMatcher`);
    /// `pipeline`: the rest of its pipeline when that can drop lines, so the `limit` counts only
    /// lines the whole pipeline keeps (the caller runs it again on the result to shape the lines).
    public func select(tenant: TenantID, _ q: HeadQuery, filter: LineFilterMatcher? = nil, pipeline: Pipeline? = nil,
                       deadline: QueryDeadline? = nil) -> Selection {
        let stats = QueryStats()
        let (found, indexWarnings) = places(tenant: tenant, matchers: q.matchers, start: q.start, end: q.end, stats: stats)
        var plan = ReadPlan(start: q.start, end: q.end, limit: q.limit, direction: q.direction, store: ingester.store, filter: filter,
                            pipeline: pipeline, deadline: deadline, stats: stats, deletions: deletions(tenant, start: q.start, end: q.end))
        for (labels, places) in found {
            for p in places { plan.add(p, of: labels) }
        }
        let warnings = indexWarnings + plan.run()
        var streams: [QueryStream] = []
        var duplicates = 0
        for (labels, merger) in plan.streams {
            let (entries, dropped) = merger.result(limit: q.limit, direction: q.direction)
            duplicates += dropped
            if !entries.isEmpty { streams.append(QueryStream(labels: labels, entries: entries)) }
        }
        stats.update { $0.duplicates += duplicates }
        return Selection(streams: limitAcross(sortStreams(streams), q), warnings: warnings, blocksRead: plan.placesRead, stats: stats)
    }

    /// Every place holding entries of the streams matching `matchers` in [start, end), by stream
    /// (in-memory blocks and head entries first, then flushed chunks not also in memory), with the
    /// index's warnings. `stats` counts the in-memory chunks and flushed chunk references found.
    func places(tenant: TenantID, matchers: [LabelMatcher], start: Int64, end: Int64, stats: QueryStats? = nil)
        -> (streams: [(labels: LabelSet, places: [ReadPlan.Place])], warnings: [String]) {
        let memory = ingester.snapshot(tenant: tenant, start: start, end: end, matchers: matchers)
        let (stored, indexWarnings) = ingester.storeIndex.series(tenant: tenant.value, start: start, end: end, matchers: matchers)
        var out: [(labels: LabelSet, places: [ReadPlan.Place])] = []
        var position: [String: Int] = [:]
        func add(_ p: ReadPlan.Place, _ labels: LabelSet) {
            if let i = position[labels.canonical] {
                out[i].places.append(p)
            } else {
                position[labels.canonical] = out.count
                out.append((labels, [p]))
            }
        }
        var inMemory = Set<String>()
        var memoryChunks = 0, refs = 0
        for m in memory {
            if m.hasData { memoryChunks += m.chunks }
            inMemory.formUnion(m.storedKeys)
            for (i, b) in m.blocks.enumerated() { add(.memoryBlock(b, encoding: m.encoding, index: i), m.labels) }
            if let first = m.headEntries.first {
                let (lo, hi) = m.headEntries.reduce((first.timestamp, first.timestamp)) { (min($0.0, $1.timestamp), max($0.1, $1.timestamp)) }
                add(.headEntries(m.headEntries, minTime: lo, maxTime: hi), m.labels)
            }
        }
        for s in stored {
            for ref in s.refs where !inMemory.contains(ref.key) {
                add(.chunk(ref), s.labels)
                refs += 1
            }
        }
        stats?.update { c in
            c.ingesterChunksMatched += memoryChunks
            c.storeChunksRef += refs
        }
        return (out, indexWarnings)
    }

    /// The streams matching `matchers` with entries in [start, end), each as a scan that decodes
    /// its blocks in time order as it goes (`filter` applied to raw lines), sorted by labels.
    /// `stats` counts what they read as they go.
    public func scans(tenant: TenantID, matchers: [LabelMatcher], start: Int64, end: Int64,
                      filter: LineFilterMatcher?, stats: QueryStats? = nil) -> (scans: [any LineScan], warnings: [String]) {
        let (found, warnings) = places(tenant: tenant, matchers: matchers, start: start, end: end, stats: stats)
        let deletions = deletions(tenant, start: start, end: end)
        let scans = found.map { StreamScan(labels: $0.labels, places: $0.places, store: ingester.store, start: start, end: end, filter: filter,
                                           stats: stats, deleted: deletions?.forStream($0.labels)) }
            .filter { !$0.places.isEmpty }
            .sorted { $0.labels.canonical < $1.labels.canonical }
        return (scans, warnings)
    }

    /// Keeps the `limit` entries nearest the starting edge across streams (each already in direction order).
    func limitAcross(_ streams: [QueryStream], _ q: HeadQuery) -> [QueryStream] {
        let total = streams.reduce(0) { $0 + $1.entries.count }
        guard total > q.limit else { return sortStreams(streams) }
        // Each stream is in direction order: a k-way merge of their timestamps (ties: the stream
        // listed first, then entry order) finds how many of each the first `limit` take. The
        // timestamps are read in place (copying an entry out would retain its line).
        var offsets = [0]
        var times: [Int64] = []
        times.reserveCapacity(total)
        streams.withUnsafeBufferPointer { sp in
            for si in sp.indices {
                sp[si].entries.withUnsafeBufferPointer { ep in
                    for i in ep.indices { times.append(ep[i].timestamp) }
                }
                offsets.append(times.count)
            }
        }
        let keep = Self.taken(times: times, offsets: offsets, limit: q.limit, forward: q.direction == .forward)
        var out: [QueryStream] = []
        for (si, s) in streams.enumerated() where keep[si] > 0 {
            // Entries of a stream are in direction order, so its chosen ones are a prefix.
            out.append(QueryStream(labels: s.labels, entries: Array(s.entries.prefix(keep[si]))))
        }
        return sortStreams(out)
    }

    /// How many entries of each stream the first `limit` of their merge take. Stream `i`'s
    /// timestamps are `times[offsets[i]..<offsets[i + 1]]`, in direction order; ties go to the
    /// stream listed first, then to entry order.
    static func taken(times: [Int64], offsets: [Int], limit: Int, forward: Bool) -> [Int] {
        let n = offsets.count - 1
        var keep = Array(repeating: 0, count: n)
        var heap = Heap(by: mergeOrder(forward: forward))
        for si in 0..<n where offsets[si] < offsets[si + 1] { heap.push((times[offsets[si]], si)) }
        for _ in 0..<limit {
            guard let si = heap.pop()?.si else { break }
            keep[si] += 1
            let next = offsets[si] + keep[si]
            if next < offsets[si + 1] { heap.push((times[next], si)) }
        }
        return keep
    }

    /// The merge's order of (timestamp, stream index) pairs: oldest first going forward, newest
    /// first going backward; ties go to the lower stream index.
    static func mergeOrder(forward: Bool) -> (_ a: (ts: Int64, si: Int), _ b: (ts: Int64, si: Int)) -> Bool {
        { a, b in a.ts != b.ts ? (forward ? a.ts < b.ts : a.ts > b.ts) : a.si < b.si }
    }

    func sortStreams(_ s: [QueryStream]) -> [QueryStream] {
        s.sorted { $0.labels.canonical < $1.labels.canonical }
    }

    /// Label sets of streams (in memory or in the store) with data in [start, end) matching `matchers`.
    func labelSets(tenant: TenantID, matchers: [LabelMatcher], start: Int64, end: Int64) -> [LabelSet] {
        let q = HeadQuery(matchers: matchers, start: start, end: end, limit: 1, direction: .forward)
        var seen: [String: LabelSet] = [:]
        for m in ingester.snapshot(tenant: tenant, start: start, end: end, copyEntries: false, matchers: q.matchers) where m.hasData {
            seen[m.labels.canonical] = m.labels
        }
        for s in ingester.storeIndex.series(tenant: tenant.value, start: start, end: end, matchers: matchers).series {
            seen[s.labels.canonical] = s.labels
        }
        return Array(seen.values)
    }

    /// `/loki/api/v1/series`: the label sets of streams with data in [start, end) that match any of
    /// `selectors` (each a list of matchers), sorted by their canonical form.
    public func series(tenant: TenantID, selectors: [[LabelMatcher]], start: Int64, end: Int64) -> [LabelSet] {
        var seen: [String: LabelSet] = [:]
        for matchers in selectors {
            for ls in labelSets(tenant: tenant, matchers: matchers, start: start, end: end) { seen[ls.canonical] = ls }
        }
        return seen.values.sorted { $0.canonical < $1.canonical }
    }

    /// `/loki/api/v1/index/stats`: streams, chunks, uncompressed bytes and entries of the streams
    /// matching `matchers` with data in [start, end), from chunk headers and memory (no block is read).
    public struct IndexStats: Sendable, Equatable {
        public var streams = 0, chunks = 0, bytes = 0, entries = 0
    }

    public func indexStats(tenant: TenantID, matchers: [LabelMatcher], start: Int64, end: Int64) -> IndexStats {
        let q = HeadQuery(matchers: matchers, start: start, end: end, limit: 1, direction: .forward)
        var stats = IndexStats()
        var streams = Set<String>()
        var inMemory = Set<String>()
        for m in ingester.snapshot(tenant: tenant, start: start, end: end, copyEntries: false, matchers: q.matchers) {
            inMemory.formUnion(m.storedKeys)
            guard m.hasData else { continue }
            streams.insert(m.labels.canonical)
            stats.chunks += m.chunks + m.storedKeys.count
            stats.entries += m.blocks.reduce(0) { $0 + $1.entries } + m.headCount
            stats.bytes += m.blocks.reduce(0) { $0 + $1.rawLength } + m.headBytes
        }
        for s in ingester.storeIndex.series(tenant: tenant.value, start: start, end: end, matchers: matchers).series {
            streams.insert(s.labels.canonical)
            for ref in s.refs where !inMemory.contains(ref.key) {
                stats.chunks += 1
                stats.entries += ref.header.entries
                stats.bytes += ref.header.rawBytes
            }
        }
        stats.streams = streams.count
        return stats
    }

    /// Label names of streams with data in [start, end), sorted.
    public func labelNames(tenant: TenantID, matchers: [LabelMatcher] = [], start: Int64, end: Int64) -> [String] {
        var names = Set<String>()
        for ls in labelSets(tenant: tenant, matchers: matchers, start: start, end: end) {
            for l in ls.labels { names.insert(l.name) }
        }
        return names.sorted()
    }

    /// Values of one label across streams with data in [start, end), sorted.
    public func labelValues(tenant: TenantID, name: String, matchers: [LabelMatcher] = [], start: Int64, end: Int64) -> [String] {
        var values = Set<String>()
        for ls in labelSets(tenant: tenant, matchers: matchers, start: start, end: end) {
            if let v = ls[name] { values.insert(v) }
        }
        return values.sorted()
    }
}
