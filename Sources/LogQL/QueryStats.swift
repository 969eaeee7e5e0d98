import Synchronization

/// What a query read, for the `stats` of its answer, in the sections Loki's has: `ingester` for
/// what came from memory (head blocks and the compressed blocks of chunks not yet flushed) and
/// `querier.store` for what came from flushed chunks. Summary totals are the sums of both, as in
/// Loki: every line (and its bytes) read in the query's range before any filter, plus whole blocks
/// counted from their index without being taken apart. Shared by the query's workers: they add
/// their counts once per block, not per line.
public final class QueryStats: Sendable {
    /// The counts, named after Loki's JSON fields.
    public struct Counts: Sendable, Equatable {
        // ingester (memory)
        /// In-memory chunks (open or closed, not yet flushed) of matching streams with data in range.
        public var ingesterChunksMatched = 0
        /// In-memory places read: compressed blocks and head blocks (Loki: response batches).
        public var ingesterBatches = 0
        /// Lines from memory that the pushed-down filters kept.
        public var ingesterLinesSent = 0
        public var headChunkLines = 0
        public var headChunkBytes = 0
        public var ingesterDecompressedLines = 0
        public var ingesterDecompressedBytes = 0
        public var ingesterCompressedBytes = 0
        // querier.store (flushed chunks)
        /// Flushed chunks the index matched (not also in memory).
        public var storeChunksRef = 0
        /// Flushed chunks read from the volume.
        public var storeChunksDownloaded = 0
        public var storeChunksDownloadNanos = 0
        public var storeDecompressedLines = 0
        public var storeDecompressedBytes = 0
        public var storeCompressedBytes = 0
        /// Exact duplicates (same stream, timestamp and line) dropped while merging.
        public var duplicates = 0

        public init() {}

        public var linesProcessed: Int { headChunkLines + ingesterDecompressedLines + storeDecompressedLines }
        public var bytesProcessed: Int { headChunkBytes + ingesterDecompressedBytes + storeDecompressedBytes }
    }

    /// Where a block's lines came from.
    public enum Origin: Sendable {
        /// The head block of a stream in memory (uncompressed).
        case head
        /// A compressed block of an in-memory chunk.
        case memory
        /// A block of a flushed chunk.
        case store
    }

    private let counts = Mutex(Counts())

    public init() {}

    public var snapshot: Counts { counts.withLock { $0 } }

    public func update(_ body: (inout Counts) -> Void) {
        counts.withLock { body(&$0) }
    }

    /// One block (or head block) read: `lines` in range and their `bytes` (before filters),
    /// `compressed` bytes of its stored form, `kept` lines the pushed-down filters kept.
    public func read(_ origin: Origin, lines: Int, bytes: Int, compressed: Int = 0, kept: Int) {
        counts.withLock { c in
            if origin != .store {
                // Memory's places are what Loki's ingesters send, batch by batch.
                c.ingesterBatches += 1
                c.ingesterLinesSent += kept
            }
            switch origin {
            case .head:
                c.headChunkLines += lines
                c.headChunkBytes += bytes
            case .memory:
                c.ingesterDecompressedLines += lines
                c.ingesterDecompressedBytes += bytes
                c.ingesterCompressedBytes += compressed
            case .store:
                c.storeDecompressedLines += lines
                c.storeDecompressedBytes += bytes
                c.storeCompressedBytes += compressed
            }
        }
    }
}
