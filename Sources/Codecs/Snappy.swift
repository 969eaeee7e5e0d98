import CCodecs

/// Snappy block format (not the framed stream format): what Promtail compresses push bodies with.
public enum Snappy {
    /// Decompresses a snappy block, refusing before allocating if the declared length exceeds `maxOutput`.
    public static func decompress(_ input: [UInt8], maxOutput: Int) throws(CodecError) -> [UInt8] {
        let r = input.withUnsafeBytes { raw in Result { () throws(CodecError) in try decompress(raw, maxOutput: maxOutput) } }
        return try r.get()
    }

    /// Decompresses a snappy block read in place (e.g. a request body's buffer).
    public static func decompress(_ input: UnsafeRawBufferPointer, maxOutput: Int) throws(CodecError) -> [UInt8] {
        try input.withMemoryRebound(to: UInt8.self) { (inp: UnsafeBufferPointer<UInt8>) throws(CodecError) -> [UInt8] in
            var declared = 0
            let inBase = UnsafeRawPointer(inp.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
            guard snappy_uncompressed_length(inBase, inp.count, &declared) == SNAPPY_OK else {
                throw CodecError(.corrupt, codec: "snappy", "the body is not snappy block-compressed data")
            }
            guard declared <= maxOutput else {
                throw CodecError(.tooLarge, codec: "snappy",
                                 "the body decompresses to \(declared) bytes, more than the limit of \(maxOutput)")
            }
            var outLen = declared
            var failed = false
            let out = [UInt8](unsafeUninitializedCapacity: max(declared, 1)) { buf, count in
                let rc = snappy_uncompress(inBase, inp.count,
                                           UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self), &outLen)
                if rc != SNAPPY_OK || outLen != declared { failed = true; count = 0 } else { count = outLen }
            }
            if failed { throw CodecError(.corrupt, codec: "snappy", "the snappy block is corrupt or truncated") }
            return out
        }
    }

    /// Compresses `input` as one snappy block into `output`, replacing what it held and keeping its
    /// capacity, so a sender that compresses batch after batch reuses one buffer.
    public static func compress(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        let bound = max(snappy_max_compressed_length(input.count), 1)
        if output.count < bound { output.append(contentsOf: repeatElement(0, count: bound - output.count)) }
        var outLen = bound
        output.withUnsafeMutableBufferPointer { out in
            _ = snappy_compress(UnsafeRawPointer(input.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self),
                                input.count, UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: CChar.self), &outLen)
        }
        output.removeLast(output.count - outLen)
    }

    /// Compresses `input` as one snappy block (no spare capacity kept).
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        let bound = snappy_max_compressed_length(input.count)
        return [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { buf, count in
            var outLen = bound
            input.withUnsafeBufferPointer { inp in
                _ = snappy_compress(UnsafeRawPointer(inp.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self),
                                    inp.count,
                                    UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self), &outLen)
            }
            count = outLen
        }.withoutSpareCapacity()
    }
}
