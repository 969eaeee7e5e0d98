import ChunkFormat
import CheckpointFormat
import Codecs

/// Deterministic checkpoints for the tests.
enum CheckpointSample {
    /// A block of `n` entries starting at `t0`, sealed with `encoding`.
    static func block(_ n: Int, t0: Int64, encoding: ChunkEncoding = .lz4) -> ChunkBlock {
        var w = BlockWriter(capacity: 1024)
        for i in 0..<n {
            let line = Array("line \(t0 + Int64(i)) of a checkpointed stream".utf8)
            line.withUnsafeBytes { _ = w.append(timestamp: t0 + Int64(i), line: $0, metadata: []) }
        }
        return ChunkBlock(sealing: w, encoding: encoding)
    }

    /// `streams` streams, each with one closed chunk (LSNs 10s + 1...10s + 4) and one open chunk (10s + 5...10s + 9).
    static func chunks(_ streams: Int) -> [CheckpointChunk] {
        (0..<streams).flatMap { s -> [CheckpointChunk] in
            let labels = "{app=\"svc\(s)\", env=\"prod\"}"
            let base = UInt64(10 * s)
            let closedBlocks = [block(3, t0: 1_000), block(2, t0: 2_000)]
            let openBlocks = [block(4, t0: 3_000)]
            let closed = ChunkHeader(encoding: .lz4, tenant: "fake", labels: labels, minLSN: base + 1, maxLSN: base + 4, minTime: 1_000, maxTime: 2_001)
            let open = ChunkHeader(encoding: .lz4, tenant: "fake", labels: labels, minLSN: base + 5, maxLSN: base + 9, minTime: 3_000, maxTime: 3_003)
            return [CheckpointChunk(isOpen: false, header: closed.counting(closedBlocks), blocks: closedBlocks),
                    CheckpointChunk(isOpen: true, header: open.counting(openBlocks), blocks: openBlocks)]
        }
    }

    /// A whole checkpoint file at `lsn` holding `chunks(streams)`.
    static func file(_ streams: Int, lsn: UInt64 = 1234) -> [UInt8] {
        let cs = chunks(streams)
        var out = CheckpointCodec.encodePrefix(CheckpointPrefix(lsn: lsn, createdUnixNano: 1_700_000_000_000_000_000))
        for c in cs {
            let (h, p) = CheckpointCodec.encodeChunk(c)
            out += h + p
        }
        out += CheckpointCodec.encodeEnd(CheckpointEnd(chunks: UInt64(cs.count), lowestLSN: cs.map(\.header.minLSN).min() ?? .max))
        return out
    }
}
