public import ChunkFormat
public import LogModel
import CheckpointFormat
import Foundation
public import Storage

/// All stream heads of one tenant. `lock` guards `streams`, every `StreamHead` in it, and the
/// `ref`/`flushedAt` of their closed chunks.
final class TenantHeads: @unchecked Sendable {
    /// The chunking settings heads need when applying records.
    struct Chunking: Sendable {
        var blockSize: Int
        var targetSize: Int
        var encoding: ChunkEncoding
    }

    let tenant: TenantID
    let chunking: Chunking
    let lock = NSLock()
    private(set) var streams: [String: StreamHead] = [:]
    /// Postings over `streams` for matcher lookups.
    private var index = HeadIndex()
    /// During replay only: per stream, the LSN ranges already in flushed chunks or restored from the
    /// checkpoint (those records' entries for that stream are skipped).
    var coveredRanges: [String: [ClosedRange<UInt64>]] = [:]

    init(tenant: TenantID, chunking: Chunking) {
        self.tenant = tenant
        self.chunking = chunking
    }

    /// Inserts a committed record (labels canonical) and returns the head blocks that filled up (for
    /// the compressor). Caller holds no lock.
    func apply(_ batch: PushBatch, labelSets: [LabelSet]?, lsn: UInt64, now: Int64) -> [(StreamHead, HeadBlock)] {
        lock.lock()
        defer { lock.unlock() }
        var full: [(StreamHead, HeadBlock)] = []
        batch.bytes.withUnsafeBytes { bytes in
            for (si, s) in batch.streams.enumerated() {
                if !coveredRanges.isEmpty, let ranges = coveredRanges[s.labels], ranges.contains(where: { $0.contains(lsn) }) { continue }
                let h: StreamHead
                if let existing = streams[s.labels] {
                    h = existing
                } else if let sets = labelSets {
                    h = add(s.labels, StreamHead(labels: sets[si]))
                } else if let parsed = try? LabelParser.parse(s.labels) {
                    h = add(s.labels, StreamHead(labels: parsed))
                } else {
                    continue // unreachable for records we wrote; a foreign record must not crash replay
                }
                for e in s.entries {
                    let meta = e.metadata >= 0 ? batch.metadata[Int(e.metadata)] : nil
                    _ = h.append(timestamp: e.timestamp, line: UnsafeRawBufferPointer(rebasing: bytes[e.line]), metadata: meta, lsn: lsn, now: now)
                    if e.timestamp > h.admittedHighest { h.admittedHighest = e.timestamp }
                    if e.timestamp > h.admittedLast { h.admittedLast = e.timestamp }
                }
                if let b = h.cutIfNeeded(blockSize: chunking.blockSize, now: now) { full.append((h, b)) }
            }
        }
        return full
    }

    /// Closes open chunks that are idle or too old (or every open chunk when `force`), drops flushed
    /// chunks whose retain period is over, and forgets streams with nothing left in memory that have
    /// been idle. Returns the chunks it closed.
    func sweep(now: Int64, idle: Int64, maxAge: Int64, retain: Int64, force: Bool) -> [(StreamHead, MemoryChunk)] {
        lock.lock()
        defer { lock.unlock() }
        var closed: [(StreamHead, MemoryChunk)] = []
        for (key, h) in streams {
            if !h.openIsEmpty {
                let reason: FlushReason? = force ? .forced
                    : now - h.lastAppend >= idle ? .idle
                    : h.openMaxTime - h.openMinTime >= maxAge ? .maxAge : nil
                if let reason, let c = h.close(tenant: tenant.value, encoding: chunking.encoding, reason: reason) {
                    closed.append((h, c))
                }
            }
            h.closed.removeAll { $0.ref != nil && now - $0.flushedAt >= retain }
            if h.isEmpty && now - h.lastAppend >= idle {
                streams[key] = nil
                index.remove(key, h.labels)
            }
        }
        return closed
    }

    /// Adds a stream (caller holds the lock); returns it.
    @discardableResult
    func add(_ key: String, _ head: StreamHead) -> StreamHead {
        streams[key] = head
        index.insert(key, head.labels)
        return head
    }

    /// Everything in memory for streams matching `matchers` in [start, end): per stream, its
    /// sealed blocks (to decode outside the lock), its head block's entries, and the keys of
    /// retained chunks that are also in the store (so the store's copy is not read twice).
    /// Without `copyEntries`, head-block entries are only counted (label and stats answers need no lines).
    func snapshot(start: Int64, end: Int64, copyEntries: Bool, matchers: [LabelMatcher]) -> [MemorySnapshot] {
        lock.lock()
        defer { lock.unlock() }
        var out: [MemorySnapshot] = []
        let keys = index.select(matchers, all: { Array(streams.keys) }, labels: { streams[$0]?.labels })
        for key in keys {
            guard let h = streams[key] else { continue }
            var s = MemorySnapshot(labels: h.labels, encoding: chunking.encoding)
            for c in h.closed where c.header.minTime < end && c.header.maxTime >= start {
                s.blocks += c.blocks.filter { $0.minTime < end && $0.maxTime >= start }
                if let key = c.ref?.key ?? c.storedKey { s.storedKeys.insert(key) } else { s.chunks += 1 }
            }
            let before = s.blocks.count
            s.blocks += h.blocks.filter { $0.minTime < end && $0.maxTime >= start }
            for b in h.pending.map(\.block) + [h.head] where !b.isEmpty && b.minTime < end && b.maxTime >= start {
                let n = b.count(start: start, end: end)
                s.headCount += n.entries
                s.headBytes += n.bytes
                if n.entries > 0 {
                    s.headTimes = (min(s.headTimes?.min ?? .max, max(b.minTime, start)), max(s.headTimes?.max ?? .min, min(b.maxTime, end - 1)))
                }
                if copyEntries { s.headEntries += b.entries(start: start, end: end) }
            }
            if s.blocks.count > before || s.headCount > 0 { s.chunks += 1 }
            if s.hasData || !s.storedKeys.isEmpty { out.append(s) }
        }
        return out
    }

    var streamKeys: [String] {
        lock.lock()
        defer { lock.unlock() }
        return Array(streams.keys)
    }

    /// One stream's part of a checkpoint (nil if the stream is gone).
    func capture(_ key: String) -> CheckpointCapture? {
        lock.lock()
        defer { lock.unlock() }
        return streams[key]?.capture()
    }

    enum Restored {
        /// A flushed chunk already holds these records: nothing to restore.
        case covered
        case open
        /// A closed chunk, back in memory, to be queued for flushing.
        case closed(StreamHead, MemoryChunk)
        /// The chunk's labels do not parse (never for chunks Skald wrote).
        case unreadable
    }

    /// Puts a checkpoint chunk back into its stream (during replay, before any record is applied)
    /// and marks its records covered so the log's copy of them is skipped.
    func restore(_ c: CheckpointChunk, now: Int64) -> Restored {
        lock.lock()
        defer { lock.unlock() }
        let range = c.header.minLSN...c.header.maxLSN
        let key = c.header.labels
        if let ranges = coveredRanges[key], ranges.contains(where: { $0.lowerBound <= range.lowerBound && range.upperBound <= $0.upperBound }) {
            return .covered
        }
        let stream: StreamHead
        if let existing = streams[key] {
            stream = existing
        } else if let labels = try? LabelParser.parse(key) {
            stream = add(key, StreamHead(labels: labels))
        } else {
            return .unreadable
        }
        coveredRanges[key, default: []].append(range)
        if c.isOpen && stream.openIsEmpty {
            stream.restoreOpen(blocks: c.blocks, minLSN: c.header.minLSN, maxLSN: c.header.maxLSN, now: now)
            return .open
        }
        let chunk = MemoryChunk(header: c.header, blocks: c.blocks, reason: .forced)
        stream.restoreClosed(chunk, now: now)
        return .closed(stream, chunk)
    }

    /// Takes a compressed block back from the compressor; returns the chunk it filled, if any.
    func sealed(_ block: ChunkBlock, sequence: UInt64, in stream: StreamHead) -> MemoryChunk? {
        lock.lock()
        defer { lock.unlock() }
        guard stream.sealed(block, sequence: sequence, targetSize: chunking.targetSize) else { return nil }
        return stream.close(tenant: tenant.value, encoding: chunking.encoding, reason: .full)
    }

    /// Records that a chunk's file is durable under `key` (it is about to enter the index).
    func noteStored(_ chunk: MemoryChunk, key: String) {
        lock.lock()
        defer { lock.unlock() }
        chunk.storedKey = key
    }

    /// Marks a chunk flushed (its file is durable and indexed); with no retain period it leaves memory now.
    func markFlushed(_ chunk: MemoryChunk, in stream: StreamHead, ref: ChunkRef, now: Int64, retain: Int64) {
        lock.lock()
        defer { lock.unlock() }
        chunk.ref = ref
        chunk.flushedAt = now
        if retain <= 0 { stream.closed.removeAll { $0 === chunk } }
    }

    /// The lowest LSN whose entries exist only in memory (UInt64.max when everything is flushed).
    func lowestUnflushedLSN() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        var lowest = UInt64.max
        for h in streams.values {
            if !h.openIsEmpty && h.minLSN > 0 { lowest = min(lowest, h.minLSN) }
            for c in h.closed where c.ref == nil { lowest = min(lowest, c.header.minLSN) }
        }
        return lowest
    }

    /// Every stream with data in memory: its uncompressed, open-chunk and total bytes (the memory budget's view).
    func usage() -> [(stream: StreamHead, raw: Int, open: Int, total: Int)] {
        lock.lock()
        defer { lock.unlock() }
        // Runs under the lock every second over every stream: each sum is taken once.
        return streams.values.compactMap { h in
            let open = h.openBytes
            let total = open + h.closedBytes
            return total > 0 ? (h, h.rawBytes, open, total) : nil
        }
    }

    /// Cuts the head blocks of `streams` now, whatever their size, for the compressor.
    func cutEarly(_ streams: [StreamHead]) -> [(StreamHead, HeadBlock)] {
        lock.lock()
        defer { lock.unlock() }
        return streams.compactMap { h in h.cutNow().map { (h, $0) } }
    }

    /// Closes the open chunks of `streams` now (to be flushed).
    func closeEarly(_ streams: [StreamHead], reason: FlushReason) -> [(StreamHead, MemoryChunk)] {
        lock.lock()
        defer { lock.unlock() }
        return streams.compactMap { h in h.close(tenant: tenant.value, encoding: chunking.encoding, reason: reason).map { (h, $0) } }
    }

    /// (streams, chunks in memory, bytes in memory).
    func stats() -> (streams: Int, chunks: Int, bytes: Int) {
        lock.lock()
        defer { lock.unlock() }
        var chunks = 0, bytes = 0
        for h in streams.values {
            chunks += h.closed.count + (h.openIsEmpty ? 0 : 1)
            bytes += h.memoryBytes
        }
        return (streams.count, chunks, bytes)
    }

    var streamCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return streams.count
    }
}

/// One stream's in-memory data for a query, taken under the tenant's lock.
public struct MemorySnapshot: Sendable {
    public var labels: LabelSet
    public var encoding: ChunkEncoding
    public var blocks: [ChunkBlock] = []
    /// Head-block entries in range (only when the snapshot copies them), and their count and line bytes.
    public var headEntries: [LogEntry] = []
    public var headCount = 0
    public var headBytes = 0
    /// The span of the counted head-block entries (their blocks' bounds within the range).
    public var headTimes: (min: Int64, max: Int64)?
    public var storedKeys: Set<String> = []
    /// In-memory chunks (open, or closed and not yet in the store) with data in the range.
    public var chunks = 0

    /// Whether memory holds entries of this stream in the range.
    public var hasData: Bool { !blocks.isEmpty || headCount > 0 }

    init(labels: LabelSet, encoding: ChunkEncoding) {
        self.labels = labels
        self.encoding = encoding
    }
}
