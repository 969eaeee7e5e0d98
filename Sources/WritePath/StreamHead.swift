public import ChunkFormat
public import LogModel

/// One stream in memory: its open chunk (sealed, compressed blocks plus the uncompressed head
/// block) and its closed chunks until they are flushed and their retain period ends. Entries from one
/// log record are never split across two chunks, so a chunk's LSN range says exactly which records it
/// holds for this stream. Guarded by its tenant's lock.
final class StreamHead: @unchecked Sendable {
    let labels: LabelSet
    /// Sealed blocks of the open chunk, in the order they were cut.
    private(set) var blocks: [ChunkBlock] = []
    private(set) var blocksBytes = 0
    private(set) var head = HeadBlock()
    /// Full head blocks handed to the compressor, oldest first, each with its result once it is back.
    /// Blocks move to `blocks` strictly in this order. Queryable meanwhile.
    private(set) var pending: [(block: HeadBlock, sealed: ChunkBlock?)] = []
    private var nextSequence: UInt64 = 1
    /// LSN range of the records in the open chunk (0 when it is empty).
    private(set) var minLSN: UInt64 = 0
    private(set) var maxLSN: UInt64 = 0
    /// Monotonic time of the last append (idle detection).
    private(set) var lastAppend: Int64 = 0
    /// Monotonic time of the head block's first entry.
    private var headStarted: Int64 = 0
    /// Closed chunks not yet dropped from memory, oldest first.
    var closed: [MemoryChunk] = []

    /// Highest timestamp admitted by validation (may run ahead of the chunk while a push is in the WAL).
    var admittedHighest: Int64 = .min
    /// Timestamp of the last admitted entry (ordered-writes mode).
    var admittedLast: Int64 = .min
    var rateLimiter: TokenBucket?

    init(labels: LabelSet) { self.labels = labels }

    var openIsEmpty: Bool { blocks.isEmpty && head.isEmpty && pending.isEmpty }
    /// Nothing in memory at all (the stream can be forgotten once idle).
    var isEmpty: Bool { openIsEmpty && closed.isEmpty }
    var openMinTime: Int64 {
        min(blocks.map(\.minTime).min() ?? .max, pending.map(\.block.minTime).min() ?? .max, head.isEmpty ? .max : head.minTime)
    }
    var openMaxTime: Int64 {
        max(blocks.map(\.maxTime).max() ?? .min, pending.map(\.block.maxTime).max() ?? .min, head.isEmpty ? .min : head.maxTime)
    }

    /// Adds one entry of the record at `lsn`; returns whether it was new (not an exact duplicate).
    func append(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: [Label]?, lsn: UInt64, now: Int64) -> Bool {
        if head.isEmpty { headStarted = now }
        guard head.insert(timestamp: timestamp, line: line, metadata: metadata) else { return false }
        if minLSN == 0 || lsn < minLSN { minLSN = lsn }
        if lsn > maxLSN { maxLSN = lsn }
        lastAppend = now
        return true
    }

    /// A stream that filled a block within this many nanoseconds is busy: its next block reserves
    /// room for as much up front. (A slow stream's block grows as it fills, so thousands of slow
    /// streams do not each hold a block's worth of memory.)
    static let busyFill: Int64 = 10_000_000_000

    /// Once the head block reaches `blockSize`, moves it to `pending` and returns it for the
    /// compressor. Called between records, never inside one. A busy stream's next block reserves
    /// room for as much as this one held, so its payload is not copied each time its array doubles.
    func cutIfNeeded(blockSize: Int, now: Int64) -> HeadBlock? {
        guard !head.isEmpty, head.encodedSize >= blockSize else { return nil }
        guard now - headStarted < Self.busyFill else { return cut(next: HeadBlock()) }
        return cut(next: HeadBlock(reserving: head.encodedSize + head.encodedSize / 8, entries: head.count + head.count / 8))
    }

    /// Moves a non-empty head block to `pending` whatever its size (memory pressure) and returns it;
    /// the next block starts small.
    func cutNow() -> HeadBlock? {
        guard !head.isEmpty else { return nil }
        return cut(next: HeadBlock())
    }

    private func cut(next: HeadBlock) -> HeadBlock {
        var b = head
        b.sequence = nextSequence
        nextSequence += 1
        pending.append((b, nil))
        head = next
        return b
    }

    /// Takes the compressor's result for block `sequence`; returns whether the open chunk has now
    /// reached `targetSize` (compressed) and should be closed. A result for a block that a close
    /// already sealed itself is dropped.
    func sealed(_ block: ChunkBlock, sequence: UInt64, targetSize: Int) -> Bool {
        guard let i = pending.firstIndex(where: { $0.block.sequence == sequence }) else { return false }
        pending[i].sealed = block
        while let first = pending.first, let done = first.sealed {
            blocks.append(done)
            blocksBytes += done.bytes.count
            pending.removeFirst()
        }
        return blocksBytes >= targetSize
    }

    /// Closes the open chunk (sealing whatever is still pending and the head block here) and
    /// returns it, or nil if it is empty.
    func close(tenant: String, encoding: ChunkEncoding, reason: FlushReason) -> MemoryChunk? {
        for p in pending {
            let b = p.sealed ?? p.block.seal(encoding: encoding)
            blocks.append(b)
            blocksBytes += b.bytes.count
        }
        pending = []
        if !head.isEmpty {
            let b = head.seal(encoding: encoding)
            blocks.append(b)
            blocksBytes += b.bytes.count
            head = HeadBlock()
        }
        guard !blocks.isEmpty else { return nil }
        let header = ChunkHeader(encoding: encoding, tenant: tenant, labels: labels.canonical, minLSN: minLSN, maxLSN: maxLSN,
                                 minTime: blocks.map(\.minTime).min()!, maxTime: blocks.map(\.maxTime).max()!)
        let chunk = MemoryChunk(header: header, blocks: blocks, reason: reason)
        closed.append(chunk)
        blocks = []
        blocksBytes = 0
        minLSN = 0
        maxLSN = 0
        return chunk
    }

    /// What a checkpoint keeps of this stream, taken under the tenant's lock without copying
    /// (blocks are values shared copy-on-write; closed chunks are immutable). The head and pending
    /// blocks are compressed later, outside the lock, by `CheckpointCapture.chunks`.
    func capture() -> CheckpointCapture {
        CheckpointCapture(labels: labels.canonical, closed: closed.filter { $0.ref == nil }, sealedBlocks: blocks,
                          rawBlocks: pending.map { $0.sealed.map { .sealed($0) } ?? .raw($0.block) } + (head.isEmpty ? [] : [.raw(head)]),
                          minLSN: minLSN, maxLSN: maxLSN)
    }

    /// Makes `blocks` (from a checkpoint) this stream's open chunk, covering records `minLSN...maxLSN`.
    /// Only on an empty stream, before any record is applied.
    func restoreOpen(blocks restored: [ChunkBlock], minLSN: UInt64, maxLSN: UInt64, now: Int64) {
        blocks = restored
        blocksBytes = restored.reduce(0) { $0 + $1.bytes.count }
        self.minLSN = minLSN
        self.maxLSN = maxLSN
        lastAppend = now
        noteRestored(maxTime: restored.map(\.maxTime).max() ?? .min)
    }

    /// Adds a closed chunk from a checkpoint (it still has to be flushed).
    func restoreClosed(_ chunk: MemoryChunk, now: Int64) {
        closed.append(chunk)
        if lastAppend == 0 { lastAppend = now }
        noteRestored(maxTime: chunk.header.maxTime)
    }

    /// Validation continues from restored entries as it would from applied ones.
    private func noteRestored(maxTime: Int64) {
        if maxTime > admittedHighest { admittedHighest = maxTime }
        if maxTime > admittedLast { admittedLast = maxTime }
    }

    /// Uncompressed bytes held: the head block and blocks waiting for the compressor.
    var rawBytes: Int {
        head.memoryBytes + pending.reduce(0) { $0 + ($1.sealed == nil ? $1.block.memoryBytes : 0) }
    }

    /// Bytes of the open chunk (what closing it now would take out of memory once flushed).
    var openBytes: Int {
        // A pending block keeps its raw form until it moves to `blocks`, sealed or not.
        blocksBytes + head.memoryBytes + pending.reduce(0) { $0 + $1.block.memoryBytes + ($1.sealed?.bytes.count ?? 0) }
    }

    /// Bytes of closed chunks still in memory (waiting for a flush, or retained).
    var closedBytes: Int { closed.reduce(0) { $0 + $1.compressedBytes } }

    /// Bytes held: compressed blocks (open and closed) plus head and pending blocks' buffers.
    var memoryBytes: Int { openBytes + closedBytes }
}
