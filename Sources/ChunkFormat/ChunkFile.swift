import Codecs

/// Writes chunk files (docs/format/chunk.md): as parts to be written back to back (the compressed
/// blocks are not copied), or as one buffer.
public enum ChunkFile {
    /// The whole file for `header` and `blocks` (already compressed with `header.encoding`).
    public static func encode(header: ChunkHeader, blocks: [ChunkBlock]) -> [UInt8] {
        let parts = encodeParts(header: header, blocks: blocks)
        var out: [UInt8] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for p in parts { out.append(contentsOf: p) } // (`joined()` would copy byte by byte)
        return out
    }

    /// The file as parts whose concatenation is the file: prefix and header, each block's bytes
    /// as they are held, then block index and trailer. A writer hands them to `writev`, so the
    /// blocks reach the disk without being copied into one buffer first.
    public static func encodeParts(header: ChunkHeader, blocks: [ChunkBlock]) -> [[UInt8]] {
        var head: [UInt8] = []
        head.reserveCapacity(ChunkLayout.prefixSize + 64 + header.tenant.utf8.count + header.labels.utf8.count)
        head.append(contentsOf: ChunkLayout.magic)
        head.append(ChunkLayout.currentVersion)
        head.append(header.encoding.rawValue)
        head.append(0)
        head.append(0)
        head.appendU32LE(0) // header length, patched below
        let bodyStart = head.count
        appendString(header.tenant, to: &head)
        appendString(header.labels, to: &head)
        head.appendU64LE(header.minLSN)
        head.appendU64LE(header.maxLSN)
        head.appendU64LE(UInt64(bitPattern: header.minTime))
        head.appendU64LE(UInt64(bitPattern: header.maxTime))
        let counted = header.counting(blocks)
        head.appendU64LE(UInt64(counted.entries))
        head.appendU64LE(UInt64(counted.rawBytes))
        head.storeU32LE(UInt32(head.count - bodyStart), at: 8)
        head.appendU32LE(CRC32C.checksum(head))

        // The chunk checksum runs over every byte before it: the head, the blocks, then the tail.
        var fileCRC = CRC32C.checksum(head)
        var parts: [[UInt8]] = [head]
        parts.reserveCapacity(blocks.count + 2)
        var offset = head.count
        var tail: [UInt8] = []
        tail.reserveCapacity(4 + blocks.count * ChunkLayout.indexEntrySize + 4 + ChunkLayout.trailerSize)
        tail.appendU32LE(UInt32(blocks.count))
        for b in blocks {
            parts.append(b.bytes)
            fileCRC = CRC32C.checksum(b.bytes, continuing: fileCRC)
            tail.appendU64LE(UInt64(offset))
            tail.appendU32LE(UInt32(b.bytes.count))
            tail.appendU32LE(UInt32(b.rawLength))
            tail.appendU32LE(UInt32(b.entries))
            tail.appendU64LE(UInt64(bitPattern: b.minTime))
            tail.appendU64LE(UInt64(bitPattern: b.maxTime))
            tail.appendU32LE(b.checksum)
            offset += b.bytes.count
        }
        let indexOffset = offset
        tail.appendU32LE(CRC32C.checksum(tail))
        let indexLength = tail.count

        tail.appendU64LE(UInt64(indexOffset))
        tail.appendU32LE(UInt32(indexLength))
        tail.appendU32LE(CRC32C.checksum(tail, continuing: fileCRC))
        parts.append(tail)
        return parts
    }

    private static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { u in
            out.appendUVarint(UInt64(u.count))
            out.append(contentsOf: u)
        }
    }
}
