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
    /// LSN range of the records in the open chunk (0 when it is empty).
    private(set) var minLSN: UInt64 = 0
    private(set) var maxLSN: UInt64 = 0
    /// Monotonic time of the last append (idle detection).
    private(set) var lastAppend: Int64 = 0
    /// Closed chunks not yet dropped from memory, oldest first.
    var closed: [MemoryChunk] = []

    /// Highest timestamp admitted by validation (may run ahead of the chunk while a push is in the WAL).
    var admittedHighest: Int64 = .min
    /// Timestamp of the last admitted entry (ordered-writes mode).
    var admittedLast: Int64 = .min
    var rateLimiter: TokenBucket?

    init(labels: LabelSet) { self.labels = labels }

    var openIsEmpty: Bool { blocks.isEmpty && head.isEmpty }
    /// Nothing in memory at all (the stream can be forgotten once idle).
    var isEmpty: Bool { openIsEmpty && closed.isEmpty }
    var openMinTime: Int64 { min(blocks.map(\.minTime).min() ?? .max, head.isEmpty ? .max : head.minTime) }
    var openMaxTime: Int64 { max(blocks.map(\.maxTime).max() ?? .min, head.isEmpty ? .min : head.maxTime) }

    /// Adds one entry of the record at `lsn`; returns whether it was new (not an exact duplicate).
    func append(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: [Label]?, lsn: UInt64, now: Int64) -> Bool {
        guard head.insert(timestamp: timestamp, line: line, metadata: metadata) else { return false }
        if minLSN == 0 || lsn < minLSN { minLSN = lsn }
        if lsn > maxLSN { maxLSN = lsn }
        lastAppend = now
        return true
    }

    /// Seals the head block once it reaches `blockSize`; returns whether the open chunk has reached
    /// `targetSize` and should be closed. Called between records, never inside one.
    func cutIfNeeded(blockSize: Int, targetSize: Int, encoding: ChunkEncoding) -> Bool {
        if head.encodedSize >= blockSize { sealHead(encoding: encoding) }
        return blocksBytes >= targetSize
    }

    private func sealHead(encoding: ChunkEncoding) {
        guard !head.isEmpty else { return }
        let b = head.seal(encoding: encoding)
        blocks.append(b)
        blocksBytes += b.bytes.count
        head = HeadBlock()
    }

    /// Closes the open chunk (sealing the head block) and returns it, or nil if it is empty.
    func close(tenant: String, encoding: ChunkEncoding, reason: FlushReason) -> MemoryChunk? {
        sealHead(encoding: encoding)
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

    /// Bytes held: compressed blocks (open and closed) plus the head block's encoded size.
    var memoryBytes: Int {
        blocksBytes + head.encodedSize + closed.reduce(0) { $0 + $1.compressedBytes }
    }
}
