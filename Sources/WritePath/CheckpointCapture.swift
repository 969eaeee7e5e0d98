public import ChunkFormat
import CheckpointFormat

/// One stream's part of a checkpoint as captured under its tenant's lock: closed chunks not yet in
/// the store, and the open chunk's blocks — sealed ones as they are, the rest still raw. Turned into
/// checkpoint chunks (compressing the raw blocks) after the lock is released.
struct CheckpointCapture {
    enum Block {
        case sealed(ChunkBlock)
        case raw(HeadBlock)
    }

    let labels: String
    let closed: [MemoryChunk]
    let sealedBlocks: [ChunkBlock]
    let rawBlocks: [Block]
    let minLSN: UInt64
    let maxLSN: UInt64

    var isEmpty: Bool { closed.isEmpty && sealedBlocks.isEmpty && rawBlocks.isEmpty }

    /// The checkpoint chunks: every closed chunk, then the open chunk (if it holds anything).
    func chunks(tenant: String, encoding: ChunkEncoding) -> [CheckpointChunk] {
        var out = closed.map { CheckpointChunk(isOpen: false, header: $0.header, blocks: $0.blocks) }
        var blocks = sealedBlocks
        for b in rawBlocks {
            switch b {
            case .sealed(let s): blocks.append(s)
            case .raw(let h): blocks.append(h.seal(encoding: encoding))
            }
        }
        if !blocks.isEmpty {
            let header = ChunkHeader(encoding: encoding, tenant: tenant, labels: labels, minLSN: minLSN, maxLSN: maxLSN,
                                     minTime: blocks.map(\.minTime).min()!, maxTime: blocks.map(\.maxTime).max()!)
            out.append(CheckpointChunk(isOpen: true, header: header.counting(blocks), blocks: blocks))
        }
        return out
    }
}
