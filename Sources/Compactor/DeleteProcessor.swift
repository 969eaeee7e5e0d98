import ChunkFormat
import IndexFormat
import LogModel
import LogQL
import Storage

/// Applies the delete requests whose cancel period is over (`deletion_mode: filter-and-delete`)
/// to the chunks they touch, during a compaction: a chunk none of whose lines is deleted stays; one
/// all of whose lines are goes for good; otherwise it is rewritten without them — a new chunk file
/// with the same LSN range (so replay still skips its records), the old one deleted after the delay.
struct DeleteProcessor {
    let rules: [(tenant: String, deletion: LineDeletion)]
    let chunks: ChunkStore
    /// Rewritten chunks' old keys (deleted after the delay, like expired ones).
    var replaced: [String] = []
    var linesDeleted = 0

    /// The due requests, compiled (a request whose query no longer parses is skipped and stays received).
    init(requests: [DeleteRequest], chunks: ChunkStore) {
        self.chunks = chunks
        rules = requests.compactMap { r in LineDeletion(query: r.query, start: r.start, end: r.end).map { (r.tenant, $0) } }
    }

    /// What to do with one indexed chunk.
    mutating func decide(tenant: String, labels: LabelSet, chunk c: IndexedChunk) throws -> StoreIndex.Decision {
        let mine = rules.filter { $0.tenant == tenant && $0.deletion.start <= c.maxTime && $0.deletion.end >= c.minTime && $0.deletion.matchers.matches(labels) }.map(\.deletion)
        guard !mine.isEmpty else { return .keep }
        let key = ChunkRef.key(tenant: tenant, labels: labels.canonical, minTime: c.minTime, maxTime: c.maxTime, checksum: c.checksum)
        let header = ChunkHeader(encoding: ChunkEncoding(rawValue: c.encoding) ?? .lz4, tenant: tenant, labels: labels.canonical,
                                 minLSN: c.minLSN, maxLSN: c.maxLSN, minTime: c.minTime, maxTime: c.maxTime, entries: c.entries, rawBytes: c.rawBytes)
        let reader = try chunks.open(ChunkRef(key: key, header: header, checksum: c.checksum, size: c.size))
        var kept: [LogEntry] = []
        var removed = 0
        for b in reader.blocks.indices {
            for e in try reader.entries(ofBlock: b) {
                if mine.contains(where: { $0.removes(e.timestamp, e.line) }) { removed += 1 } else { kept.append(e) }
            }
        }
        guard removed > 0 else { return .keep }
        linesDeleted += removed
        replaced.append(key)
        guard let first = kept.first else { return .remove }
        // The rest, in blocks of about the server's size, in the chunk's encoding.
        var blocks: [ChunkBlock] = []
        var w = BlockWriter()
        for e in kept {
            w.append(e)
            if w.bytes.count >= 256 << 10 { blocks.append(ChunkBlock(sealing: w, encoding: header.encoding)); w = BlockWriter() }
        }
        if !w.isEmpty { blocks.append(ChunkBlock(sealing: w, encoding: header.encoding)) }
        let (lo, hi) = kept.reduce((first.timestamp, first.timestamp)) { (min($0.0, $1.timestamp), max($0.1, $1.timestamp)) }
        var newHeader = header
        (newHeader.minTime, newHeader.maxTime) = (lo, hi)
        let ref = try chunks.put(header: newHeader, blocks: blocks)
        return .replace(IndexedChunk(minTime: ref.header.minTime, maxTime: ref.header.maxTime, minLSN: ref.header.minLSN, maxLSN: ref.header.maxLSN,
                                     entries: ref.header.entries, rawBytes: ref.header.rawBytes, size: ref.size, checksum: ref.checksum,
                                     encoding: ref.header.encoding.rawValue))
    }
}
