public import ChunkFormat
public import Storage

/// A closed chunk still in memory: waiting for a flush worker, being retried, or flushed and kept
/// for `chunk_retain_period` so queries see no gap.
final class MemoryChunk: @unchecked Sendable {
    let header: ChunkHeader
    let blocks: [ChunkBlock]
    let reason: FlushReason
    /// Set (under the tenant's lock) once the file is durable and in the store index.
    var ref: ChunkRef?
    /// Set (under the tenant's lock) once the file is durable, just before the index learns of it:
    /// from then on queries read this chunk from memory only and skip the store's copy, so it is
    /// never counted twice. The chunk still counts as unflushed for log truncation until `ref` is set.
    var storedKey: String?
    /// Monotonic time of the flush.
    var flushedAt: Int64 = 0

    init(header: ChunkHeader, blocks: [ChunkBlock], reason: FlushReason) {
        self.header = header
        self.blocks = blocks
        self.reason = reason
    }

    var compressedBytes: Int { blocks.reduce(0) { $0 + $1.bytes.count } }
}

/// Why a chunk was closed (Loki's `reason` label on `loki_ingester_chunks_flushed_total`).
public enum FlushReason: String, Sendable, CaseIterable {
    case full
    case idle
    case maxAge = "max_age"
    case forced
    /// Skald's own: closed early to keep memory within `ingester.memory_budget`.
    case memory
}
