import CCodecs

/// LZ4 block compression through the system liblz4 (chunk blocks; the "Chunks and index" issue builds on it).
public enum LZ4 {
    /// Compresses `input` as one LZ4 block (no spare capacity kept).
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        return [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { buf, count in
            let n = input.withUnsafeBufferPointer { inp in
                LZ4_compress_default(UnsafeRawPointer(inp.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self),
                                     UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self),
                                     Int32(inp.count), Int32(bound))
            }
            count = Int(max(n, 0))
        }.withoutSpareCapacity()
    }

    /// Decompresses one LZ4 block whose decompressed size is known to be exactly `size` (≤ `maxOutput`).
    public static func decompress(_ input: [UInt8], size: Int, maxOutput: Int) throws(CodecError) -> [UInt8] {
        let result = input.withUnsafeBytes { inp in Result { () throws(CodecError) in try decompress(inp, size: size, maxOutput: maxOutput) } }
        return try result.get()
    }

    /// The same, reading the block where it lies (a chunk file's bytes, without copying it out).
    public static func decompress(_ input: UnsafeRawBufferPointer, size: Int, maxOutput: Int) throws(CodecError) -> [UInt8] {
        guard size >= 0, size <= maxOutput else {
            throw CodecError(.tooLarge, codec: "lz4", "declared size \(size) is outside 0...\(maxOutput)")
        }
        var n: Int32 = 0
        let out = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { buf, count in
            n = LZ4_decompress_safe((input.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self),
                                    UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self),
                                    Int32(input.count), Int32(size))
            count = n == Int32(size) ? size : 0
        }
        guard n == Int32(size) else { throw CodecError(.corrupt, codec: "lz4", "the block is corrupt or does not match its declared size") }
        return out
    }
}
