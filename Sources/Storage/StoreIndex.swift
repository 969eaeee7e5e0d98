public import ChunkFormat
public import IndexFormat
public import LogModel
public import Logging
import Dispatch
import Synchronization

/// The sorted index of the chunk store (docs/format/index.md): immutable tables per tenant and
/// schema period, listed by a manifest that is the only truth, plus the chunks flushed since the
/// last table was written ("pending", in memory; their log records are kept until they are in a
/// table, so a crash loses none). Queries, label answers, `series`, `index/stats` and replay's skip
/// rule all read it; nothing scans chunk files except a rebuild.
public final class StoreIndex: Sendable {
    /// One stream's chunks overlapping a query, sorted by min time.
    public struct Series: Sendable {
        public var labels: LabelSet
        public var refs: [ChunkRef]
    }

    public struct Configuration: Sendable {
        public var schema = SchemaPeriods()
        /// Tables a (tenant, table name) may have before the smallest `mergeWidth` are merged into one.
        public var maxTablesPerPeriod = 8
        public var mergeWidth = 4
        /// Bytes of opened tables kept in memory; past it the least recently used are dropped (and
        /// re-read from the volume when next needed).
        public var openTableBytes = 128 << 20
        /// Seconds a table file stays on disk after a manifest stops listing it (merged or
        /// compacted away): a query that read the old manifest may still open it. Longer than any
        /// query runs (`query_timeout`: 1 m by default). Unlisted files are removed at open anyway.
        public var retiredTableGrace: Double = 300
        public init() {}
    }

    /// What `open` found and did, for the start-up log and the tests.
    public struct OpenReport: Sendable {
        public var tables = 0
        /// Chunks re-indexed from chunk headers (no manifest, or a damaged one).
        public var rebuiltChunks = 0
        public var removedFiles = 0
        public var damagedManifest: String?
    }

    let objects: any ObjectStore
    let chunks: ChunkStore
    let config: Configuration
    let logger: Logger

    struct State {
        var manifest = IndexManifest()
        var open: [String: IndexTable] = [:]
        /// When each opened table was last used (a counter), and their total size, for the LRU bound.
        var lastUse: [String: UInt64] = [:]
        var openBytes = 0
        var tick: UInt64 = 0
        /// tenant → canonical labels → flushed chunks not yet in a table.
        var pending: [String: [String: Series]] = [:]
        /// Listed tables that failed to open; the next write quarantines and rebuilds them.
        var damaged: [String: IndexManifest.Entry] = [:]
        /// Chunks taken out for good (retention, deletes): replay counts their LSNs as covered.
        var removed = RemovedRanges()
        /// Table files no manifest lists any more, with when they stopped being listed (monotonic
        /// ns); deleted once `retiredTableGrace` has passed.
        var retired: [String: UInt64] = [:]
    }

    private let state = Mutex(State())
    /// Serializes table writing (a write reads the manifest, writes files, then switches it).
    private let writing = Mutex(())

    static let manifestPrefix = "MANIFEST-"
    static let removedKey = "REMOVED"
    static let quarantinePrefix = "quarantine"

    /// Opens the index in `objects`: reads the newest manifest, removes files it does not list, and
    /// rebuilds from the chunk headers when there is no manifest yet (a new volume, or one written
    /// before the index existed) or the newest one is damaged.
    public init(objects: any ObjectStore, chunks: ChunkStore, configuration: Configuration = Configuration(), logger: Logger) throws {
        self.objects = objects
        self.chunks = chunks
        self.config = configuration
        self.logger = logger
        let r = try openIndex()
        opened.withLock { $0 = r }
    }

    private let opened = Mutex(OpenReport())
    public var report: OpenReport { opened.withLock { $0 } }

    private func openIndex() throws -> OpenReport {
        var report = OpenReport()
        let manifests = try objects.list("").compactMap { key -> (UInt64, String)? in
            guard key.hasPrefix(Self.manifestPrefix), let g = UInt64(key.dropFirst(Self.manifestPrefix.count), radix: 16) else { return nil }
            return (g, key)
        }.sorted { $0.0 > $1.0 }
        if (try? objects.size(Self.removedKey)) != nil {
            do {
                let r = try RemovedRanges.decode(try objects.get(Self.removedKey))
                state.withLock { $0.removed = r }
            } catch {
                // Without it a restart could replay removed lines from the log; say so loudly.
                logger.error("the index's removed-ranges file is unreadable; lines removed by retention may come back from the write-ahead log until it is rewritten",
                             metadata: ["file": "\(Self.removedKey)", "error": "\(error)"])
            }
        }
        var rebuild = manifests.isEmpty
        if let (_, key) = manifests.first {
            do {
                let m = try IndexManifest.decode(try objects.get(key))
                state.withLock { $0.manifest = m }
            } catch {
                report.damagedManifest = key
                logger.error("index manifest is damaged; it is quarantined and the index rebuilt from the chunk files",
                             metadata: ["manifest": "\(key)", "error": "\(error)"])
                try? objects.put(Self.quarantinePrefix + "/" + key, (try? objects.get(key)) ?? [])
                try objects.delete(key)
                rebuild = true
            }
        }
        if rebuild {
            for tenant in try chunks.tenants() {
                let (refs, bad) = try chunks.scan(tenant: tenant)
                for r in refs {
                    guard let labels = try? LabelParser.parse(r.header.labels) else { continue }
                    add(r, labels: labels)
                }
                report.rebuiltChunks += refs.count
                for b in bad { logger.error("unreadable chunk file is not indexed", metadata: ["chunk": "\(b.key)", "error": "\(b.error)"]) }
            }
            if report.rebuiltChunks > 0 { logger.warning("index rebuilt from chunk headers", metadata: ["chunks": "\(report.rebuiltChunks)"]) }
            try writePending()
        }
        report.removedFiles = try removeUnlisted()
        report.tables = state.withLock { $0.manifest.tables.count }
        return report
    }

    // MARK: writes

    /// Records a flushed chunk of `labels` (pending until the next `writePending`).
    public func add(_ ref: ChunkRef, labels: LabelSet) {
        state.withLock { st in
            var series = st.pending[ref.header.tenant, default: [:]][labels.canonical] ?? Series(labels: labels, refs: [])
            guard !series.refs.contains(where: { $0.key == ref.key }) else { return }
            let at = series.refs.firstIndex { $0.header.minTime > ref.header.minTime } ?? series.refs.count
            series.refs.insert(ref, at: at)
            st.pending[ref.header.tenant, default: [:]][labels.canonical] = series
        }
    }

    /// Chunks flushed but not yet in a table.
    public var pendingChunks: Int {
        state.withLock { $0.pending.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.refs.count } } }
    }

    /// The lowest LSN in a pending chunk (UInt64.max with none): the log must keep everything from
    /// there, since those chunks are found only through memory until their table is written.
    public var lowestPendingLSN: UInt64 {
        state.withLock { st in
            st.pending.values.flatMap(\.values).flatMap(\.refs).map(\.header.minLSN).min() ?? .max
        }
    }

    /// The highest LSN of any indexed or pending chunk (0 with none). New log records must be numbered
    /// above it even when the log itself is empty, or replay would take them for flushed ones.
    public var maxLSN: UInt64 {
        state.withLock { st in
            max(st.manifest.tables.map(\.header.maxLSN).max() ?? 0,
                st.pending.values.flatMap(\.values).flatMap(\.refs).map(\.header.maxLSN).max() ?? 0)
        }
    }

    /// Writes the pending chunks as new tables (one per tenant and table name), merging the smallest
    /// tables of a period when it has too many, and rebuilds damaged tables from chunk headers; then
    /// switches the manifest. Files first, manifest last: a crash anywhere leaves the old manifest
    /// and its tables valid, and the unlisted new files are removed on the next open.
    public func writePending() throws {
        try writing.withLock { _ in
            let (pending, damaged, manifest) = state.withLock { ($0.pending, $0.damaged, $0.manifest) }
            guard !pending.isEmpty || !damaged.isEmpty else { return }
            // A table may list only chunks that survive a crash, content and name.
            try chunks.objects.syncPending()

            // Group by (tenant, table name): what goes into each new table.
            var groups: [TableKey: [String: IndexedSeries]] = [:]
            func include(_ ref: ChunkRef, _ labels: LabelSet) {
                let key = TableKey(tenant: ref.header.tenant, name: config.schema.tableName(for: ref.header.minTime))
                groups[key, default: [:]][labels.canonical, default: IndexedSeries(labels: labels, chunks: [])].chunks.append(Self.indexed(ref))
            }
            for (_, series) in pending {
                for s in series.values { for r in s.refs { include(r, s.labels) } }
            }
            var removed = Set<String>()
            for (path, entry) in damaged {
                removed.insert(path)
                let name = entry.header.tableName
                let (refs, _) = try chunks.scan(tenant: entry.header.tenant) { key in
                    ChunkRef.id(ofKey: key).map { config.schema.tableName(for: $0.id.minTime) == name } ?? false
                }
                for r in refs { if let labels = try? LabelParser.parse(r.header.labels) { include(r, labels) } }
                try? objects.put(Self.quarantinePrefix + "/" + path, (try? objects.get(path)) ?? [])
                logger.warning("damaged index table quarantined and rebuilt from chunk headers", metadata: ["table": "\(path)", "chunks": "\(refs.count)"])
            }

            var tables = manifest.tables.filter { !removed.contains($0.path) }
            let generation = manifest.generation + 1
            for (n, (key, series)) in groups.sorted(by: { $0.key < $1.key }).enumerated() {
                var input = Array(series.values)
                // Size-tiered merging: past the limit, the smallest tables join the new one.
                let existing = tables.filter { $0.header.tenant == key.tenant && $0.header.tableName == key.name }
                if existing.count + 1 > config.maxTablesPerPeriod {
                    for e in existing.sorted(by: { $0.size < $1.size }).prefix(config.mergeWidth) {
                        let t = try table(e)
                        for id in 0..<UInt32(t.seriesCount) { input.append(try t.series(id)) }
                        removed.insert(e.path)
                    }
                    tables.removeAll { removed.contains($0.path) }
                }
                let bytes = IndexTableWriter.encode(tenant: key.tenant, tableName: key.name, series: input)
                let t = try IndexTable(bytes)
                let path = "\(key.name)/\(key.tenant)/\(ChunkRef.hex(generation, 16))-\(n).skix"
                try objects.put(path, bytes)
                tables.append(IndexManifest.Entry(path: path, header: t.header, size: bytes.count, checksum: t.checksum))
            }
            let next = IndexManifest(generation: generation, tables: tables)
            try objects.put(Self.manifestPrefix + ChunkRef.hex(generation, 16), next.encode())

            state.withLock { st in
                st.manifest = next
                for p in removed {
                    st.damaged[p] = nil
                    Self.forget(p, in: &st)
                }
                // New tables are not kept open: the write path never reads them again, and a
                // query opens what it needs (`table(_:)`).
                // Forget exactly the pending chunks that are now in tables (flushes may have added more).
                for (tenant, series) in pending {
                    for (canonical, s) in series {
                        let written = Set(s.refs.map(\.key))
                        st.pending[tenant]?[canonical]?.refs.removeAll { written.contains($0.key) }
                        if st.pending[tenant]?[canonical]?.refs.isEmpty == true { st.pending[tenant]?[canonical] = nil }
                    }
                    if st.pending[tenant]?.isEmpty == true { st.pending[tenant] = nil }
                }
            }
            try? objects.delete(Self.manifestPrefix + ChunkRef.hex(manifest.generation, 16))
            retire(removed)
        }
    }

    /// Table files just dropped from the manifest wait out the grace period; those whose grace is
    /// over are deleted now. (Called under `writing`.)
    private func retire(_ paths: Set<String>) {
        let now = DispatchTime.now().uptimeNanoseconds
        let grace = UInt64(max(0, config.retiredTableGrace) * 1e9)
        let due = state.withLock { st -> [String] in
            for p in paths { st.retired[p] = now }
            let due = st.retired.filter { now &- $0.value >= grace }.map(\.key)
            for p in due { st.retired[p] = nil }
            return due
        }
        for p in due { try? objects.delete(p) }
    }

    /// What `compact` does with one indexed chunk.
    public enum Decision: Sendable {
        case keep
        /// Out of the index (its file is gone): records still in the log may bring it back.
        case drop
        /// Out of the index for good (retention, a delete): replay skips its records.
        case remove
        /// Replaced by another chunk of the same stream and LSN range (a delete rewrote it).
        case replace(IndexedChunk)
    }

    /// What `compact` did.
    public struct CompactionReport: Sendable, Equatable {
        /// (tenant, table name) groups rewritten, and the tables they were made of.
        public var groups = 0
        public var tablesBefore = 0
        public var tablesAfter = 0
        /// Chunk references `keep` refused (their keys), now in no table.
        public var dropped: [ChunkRef] = []
        public init() {}
    }

    /// The compactor's pass: every (tenant, table name) that has more than one table, or a chunk
    /// `keep` refuses, is rewritten as one table holding the chunks `keep` accepts (none: the group's
    /// tables simply go). Pending chunks and damaged tables are left to `writePending`. Files first,
    /// manifest last, as for every write: a crash leaves the old manifest and tables valid.
    public func compact(replayFloor: UInt64 = 0, decide: (_ tenant: String, _ labels: LabelSet, _ chunk: IndexedChunk) throws -> Decision) throws -> CompactionReport {
        try writing.withLock { _ in
            let (manifest, damaged, removedBefore) = state.withLock { ($0.manifest, $0.damaged, $0.removed) }
            var removedNow: [RemovedRanges.Entry] = []
            var report = CompactionReport()
            var groups: [TableKey: [IndexManifest.Entry]] = [:]
            for e in manifest.tables where damaged[e.path] == nil {
                groups[TableKey(tenant: e.header.tenant, name: e.header.tableName), default: []].append(e)
            }
            var removed = Set<String>()
            var added: [IndexManifest.Entry] = []
            let generation = manifest.generation + 1
            for (n, (key, entries)) in groups.sorted(by: { $0.key < $1.key }).enumerated() {
                var series: [String: IndexedSeries] = [:]
                var dropped: [ChunkRef] = []
                for e in entries {
                    let t = try table(e)
                    for id in 0..<UInt32(t.seriesCount) {
                        let s = try t.series(id)
                        for c in s.chunks {
                            switch try decide(key.tenant, s.labels, c) {
                            case .replace(let other):
                                series[s.labels.canonical, default: IndexedSeries(labels: s.labels, chunks: [])].chunks.append(other)
                                dropped.append(Self.ref(c, tenant: key.tenant, labels: s.labels))
                            case .keep:
                                series[s.labels.canonical, default: IndexedSeries(labels: s.labels, chunks: [])].chunks.append(c)
                            case .drop:
                                dropped.append(Self.ref(c, tenant: key.tenant, labels: s.labels))
                            case .remove:
                                dropped.append(Self.ref(c, tenant: key.tenant, labels: s.labels))
                                removedNow.append(.init(tenant: key.tenant, labels: s.labels.canonical, minLSN: c.minLSN, maxLSN: c.maxLSN))
                            }
                        }
                    }
                }
                guard entries.count > 1 || !dropped.isEmpty else { continue }
                report.groups += 1
                report.tablesBefore += entries.count
                report.dropped += dropped
                for e in entries { removed.insert(e.path) }
                let kept = series.values.filter { !$0.chunks.isEmpty }
                guard !kept.isEmpty else { continue }
                // (The writer sorts, and writes a chunk two tables list once.)
                let bytes = IndexTableWriter.encode(tenant: key.tenant, tableName: key.name, series: Array(kept))
                let t = try IndexTable(bytes)
                let path = "\(key.name)/\(key.tenant)/\(ChunkRef.hex(generation, 16))-c\(n).skix"
                try objects.put(path, bytes)
                added.append(IndexManifest.Entry(path: path, header: t.header, size: bytes.count, checksum: t.checksum))
                report.tablesAfter += 1
            }
            // Chunks written for this compaction (rewritten by deletes) are durable before a table lists them.
            try chunks.objects.syncPending()
            // Removed ranges first (durably): once the manifest drops a chunk, replay must already
            // know its records are not to come back. Ranges below the replay floor are no longer needed.
            let ranges = RemovedRanges(entries: removedBefore.entries.filter { $0.maxLSN >= replayFloor } + removedNow)
            if ranges != removedBefore {
                try objects.put(Self.removedKey, ranges.encode())
                state.withLock { $0.removed = ranges }
            }
            guard report.groups > 0 else { return report }
            let next = IndexManifest(generation: generation, tables: manifest.tables.filter { !removed.contains($0.path) } + added)
            try objects.put(Self.manifestPrefix + ChunkRef.hex(generation, 16), next.encode())
            state.withLock { st in
                st.manifest = next
                for p in removed { Self.forget(p, in: &st) }
            }
            try? objects.delete(Self.manifestPrefix + ChunkRef.hex(manifest.generation, 16))
            retire(removed)
            return report
        }
    }

    /// Every chunk the index lists or holds pending, per tenant (the compactor keeps these files).
    public func chunkIDs() throws -> [String: Set<ChunkID>] {
        let (tables, pending) = state.withLock { ($0.manifest.tables, $0.pending) }
        var ids: [String: Set<ChunkID>] = [:]
        for (_, series) in pending {
            for s in series.values {
                for r in s.refs { if let (tenant, id) = ChunkRef.id(ofKey: r.key) { ids[tenant, default: []].insert(id) } }
            }
        }
        for e in tables {
            let t = try table(e)
            var set = ids.removeValue(forKey: e.header.tenant) ?? []
            for n in 0..<UInt32(t.seriesCount) {
                let s = try t.series(n)
                let stream = StreamHash.fnv64(s.labels.canonical)
                for c in s.chunks { set.insert(ChunkID(stream: stream, minTime: c.minTime, maxTime: c.maxTime, checksum: c.checksum)) }
            }
            ids[e.header.tenant] = set
        }
        return ids
    }

    struct TableKey: Hashable, Comparable {
        var tenant: String
        var name: String
        static func < (a: TableKey, b: TableKey) -> Bool { (a.tenant, a.name) < (b.tenant, b.name) }
    }

    /// Deletes index files the manifest does not list (a crash's leftovers, merged tables) and old manifests.
    func removeUnlisted() throws -> Int {
        let (listed, generation) = state.withLock { st in (Set(st.manifest.tables.map(\.path)), st.manifest.generation) }
        var removed = 0
        for top in try objects.list("") where top != Self.quarantinePrefix {
            if top.hasPrefix(Self.manifestPrefix) {
                if top != Self.manifestPrefix + ChunkRef.hex(generation, 16) { try objects.delete(top); removed += 1 }
                continue
            }
            for tenantDir in try objects.list(top) {
                for file in try objects.list(tenantDir) where !listed.contains(file) {
                    try objects.delete(file)
                    removed += 1
                }
            }
        }
        return removed
    }

    // MARK: reads

    /// Streams of `tenant` matching `matchers`, each with its chunks overlapping [start, end), and a
    /// warning for every table that could not be read (it is rebuilt at the next write).
    public func series(tenant: String, start: Int64, end: Int64, matchers: [LabelMatcher]) -> (series: [Series], warnings: [String]) {
        guard start < end else { return ([], []) }
        let (entries, pending) = state.withLock { st in
            (st.manifest.tables.filter { $0.header.tenant == tenant && $0.header.chunkCount > 0 && $0.header.minTime < end && $0.header.maxTime >= start },
             st.pending[tenant] ?? [:])
        }
        var out: [String: Series] = [:]
        var seen = Set<String>()
        for s in pending.values where matchers.matches(s.labels) {
            let refs = s.refs.filter { $0.overlaps(start: start, end: end) && seen.insert($0.key).inserted }
            if !refs.isEmpty { out[s.labels.canonical] = Series(labels: s.labels, refs: refs) }
        }
        var warnings: [String] = []
        for e in entries {
            do {
                let t = try table(e)
                for id in t.seriesIDs(matching: matchers) {
                    let s = try t.series(id)
                    var refs: [ChunkRef] = []
                    for c in s.chunks where c.overlaps(start: start, end: end) {
                        let ref = Self.ref(c, tenant: tenant, labels: s.labels)
                        if seen.insert(ref.key).inserted { refs.append(ref) }
                    }
                    if !refs.isEmpty { out[s.labels.canonical, default: Series(labels: s.labels, refs: [])].refs += refs }
                }
            } catch {
                warnings.append("index table \(e.path) is damaged and being rebuilt from the chunk files; results may be incomplete (\(error))")
            }
        }
        return (out.values.map { s in Series(labels: s.labels, refs: s.refs.sorted { $0.header.minTime < $1.header.minTime }) }, warnings)
    }

    /// A listed table, opened (and checked against the manifest) on first use.
    func table(_ e: IndexManifest.Entry) throws -> IndexTable {
        let cached = state.withLock { st -> IndexTable? in
            guard let t = st.open[e.path] else { return nil }
            st.tick += 1
            st.lastUse[e.path] = st.tick
            return t
        }
        if let cached { return cached }
        do {
            let bytes = try objects.get(e.path)
            let t = try IndexTable(bytes)
            guard t.checksum == e.checksum, bytes.count == e.size, t.header == e.header else {
                throw IndexFormatError(.checksum, section: "manifest", "\(e.path) does not match the manifest's size, checksum or header")
            }
            state.withLock { Self.remember(e.path, t, in: &$0, limit: config.openTableBytes) }
            return t
        } catch {
            // A table the manifest no longer lists (compacted away while a query held the old
            // manifest, past its grace) is not damage: the query's answer comes from the new tables.
            let listed = state.withLock { st in st.manifest.tables.contains { $0.path == e.path } }
            guard listed else { throw error }
            logger.error("index table is unreadable; it will be quarantined and rebuilt", metadata: ["table": "\(e.path)", "error": "\(error)"])
            state.withLock { $0.damaged[e.path] = e }
            throw error
        }
    }

    /// Per stream of `tenant`, the LSN ranges of its indexed chunks whose records may still be in the
    /// log (max LSN ≥ `from`): replay skips that stream's part of those records.
    public func flushedLSNRanges(tenant: String, from: UInt64) throws -> [String: [ClosedRange<UInt64>]] {
        let (entries, pending) = state.withLock { st in
            (st.manifest.tables.filter { $0.header.tenant == tenant && $0.header.chunkCount > 0 && $0.header.maxLSN >= from }, st.pending[tenant] ?? [:])
        }
        var out: [String: [ClosedRange<UInt64>]] = [:]
        for s in pending.values { out[s.labels.canonical, default: []] += s.refs.map { $0.header.minLSN...$0.header.maxLSN } }
        for r in state.withLock({ $0.removed.entries }) where r.tenant == tenant && r.maxLSN >= from {
            out[r.labels, default: []].append(r.minLSN...r.maxLSN)
        }
        for e in entries {
            let t = try table(e)
            for id in 0..<UInt32(t.seriesCount) {
                let s = try t.series(id)
                let ranges = s.chunks.filter { $0.maxLSN >= from }.map { $0.minLSN...$0.maxLSN }
                if !ranges.isEmpty { out[s.labels.canonical, default: []] += ranges }
            }
        }
        return out.mapValues { $0.sorted { $0.lowerBound < $1.lowerBound } }
    }

    public var tenantIDs: [String] {
        state.withLock { st in Array(Set(st.manifest.tables.map(\.header.tenant)).union(st.pending.keys).union(st.removed.entries.map(\.tenant))) }
    }

    /// (chunks, bytes) per tenant, for /metrics.
    public func totals() -> [(tenant: String, chunks: Int, bytes: Int)] {
        state.withLock { st in
            var t: [String: (Int, Int)] = [:]
            for e in st.manifest.tables {
                t[e.header.tenant, default: (0, 0)].0 += e.header.chunkCount
                t[e.header.tenant, default: (0, 0)].1 += e.header.chunkBytes
            }
            for (tenant, series) in st.pending {
                for r in series.values.flatMap(\.refs) {
                    t[tenant, default: (0, 0)].0 += 1
                    t[tenant, default: (0, 0)].1 += r.size
                }
            }
            return t.map { ($0.key, $0.value.0, $0.value.1) }
        }
    }

    /// (tables, bytes of tables, damaged tables) for /metrics.
    public func tableStats() -> (tables: Int, bytes: Int, damaged: Int) {
        state.withLock { st in (st.manifest.tables.count, st.manifest.tables.reduce(0) { $0 + $1.size }, st.damaged.count) }
    }

    // MARK: the opened-table cache

    static func remember(_ path: String, _ t: IndexTable, in st: inout State, limit: Int) {
        forget(path, in: &st)
        st.tick += 1
        st.open[path] = t
        st.lastUse[path] = st.tick
        st.openBytes += t.memoryBytes
        while st.openBytes > limit, st.open.count > 1, let oldest = st.lastUse.min(by: { $0.value < $1.value })?.key {
            forget(oldest, in: &st)
        }
    }

    static func forget(_ path: String, in st: inout State) {
        if let t = st.open.removeValue(forKey: path) { st.openBytes -= t.memoryBytes }
        st.lastUse[path] = nil
    }

    /// (tables opened in memory, their bytes), for /metrics and tests.
    public func openTables() -> (count: Int, bytes: Int) { state.withLock { ($0.open.count, $0.openBytes) } }

    // MARK: conversions

    static func indexed(_ r: ChunkRef) -> IndexedChunk {
        IndexedChunk(minTime: r.header.minTime, maxTime: r.header.maxTime, minLSN: r.header.minLSN, maxLSN: r.header.maxLSN,
                     entries: r.header.entries, rawBytes: r.header.rawBytes, size: r.size, checksum: r.checksum, encoding: r.header.encoding.rawValue)
    }

    static func ref(_ c: IndexedChunk, tenant: String, labels: LabelSet) -> ChunkRef {
        let header = ChunkHeader(encoding: ChunkEncoding(rawValue: c.encoding) ?? .none, tenant: tenant, labels: labels.canonical,
                                 minLSN: c.minLSN, maxLSN: c.maxLSN, minTime: c.minTime, maxTime: c.maxTime, entries: c.entries, rawBytes: c.rawBytes)
        return ChunkRef(key: ChunkRef.key(tenant: tenant, labels: labels.canonical, minTime: c.minTime, maxTime: c.maxTime, checksum: c.checksum),
                        header: header, checksum: c.checksum, size: c.size)
    }
}
