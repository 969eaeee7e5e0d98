import Codecs

/// Writes chunk files (docs/format/chunk.md). Encoding appends; the result is one immutable buffer
/// to be written with the crash-safety ritual.
public enum ChunkFile {
    /// The whole file for `header` and `blocks` (already compressed with `header.encoding`).
    public static func encode(header: ChunkHeader, blocks: [ChunkBlock]) -> [UInt8] {
        var out: [UInt8] = []
        let payload = blocks.reduce(0) { $0 + $1.bytes.count }
        out.reserveCapacity(ChunkLayout.prefixSize + 64 + header.tenant.utf8.count + header.labels.utf8.count
                            + payload + 8 + blocks.count * ChunkLayout.indexEntrySize + ChunkLayout.trailerSize)
        out.append(contentsOf: ChunkLayout.magic)
        out.append(ChunkLayout.currentVersion)
        out.append(header.encoding.rawValue)
        out.append(0)
        out.append(0)
        out.appendU32LE(0) // header length, patched below
        let bodyStart = out.count
        appendString(header.tenant, to: &out)
        appendString(header.labels, to: &out)
        out.appendU64LE(header.minLSN)
        out.appendU64LE(header.maxLSN)
        out.appendU64LE(UInt64(bitPattern: header.minTime))
        out.appendU64LE(UInt64(bitPattern: header.maxTime))
        let counted = header.counting(blocks)
        out.appendU64LE(UInt64(counted.entries))
        out.appendU64LE(UInt64(counted.rawBytes))
        out.storeU32LE(UInt32(out.count - bodyStart), at: 8)
        out.appendU32LE(CRC32C.checksum(out))

        var offsets: [Int] = []
        offsets.reserveCapacity(blocks.count)
        for b in blocks {
            offsets.append(out.count)
            out.append(contentsOf: b.bytes)
        }

        let indexOffset = out.count
        out.appendU32LE(UInt32(blocks.count))
        for (b, off) in zip(blocks, offsets) {
            out.appendU64LE(UInt64(off))
            out.appendU32LE(UInt32(b.bytes.count))
            out.appendU32LE(UInt32(b.rawLength))
            out.appendU32LE(UInt32(b.entries))
            out.appendU64LE(UInt64(bitPattern: b.minTime))
            out.appendU64LE(UInt64(bitPattern: b.maxTime))
            out.appendU32LE(b.checksum)
        }
        let indexCRC = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[indexOffset...])) }
        out.appendU32LE(indexCRC)
        let indexLength = out.count - indexOffset

        out.appendU64LE(UInt64(indexOffset))
        out.appendU32LE(UInt32(indexLength))
        out.appendU32LE(CRC32C.checksum(out))
        return out
    }

    private static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { u in
            out.appendUVarint(UInt64(u.count))
            out.append(contentsOf: u)
        }
    }
}
