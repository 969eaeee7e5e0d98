import CCodecs

/// gzip / zlib / raw deflate through the system zlib, with a hard cap on the output size.
public enum Deflate {
    /// The container around the deflate stream.
    public enum Format: Int32, Sendable {
        case raw = 0
        case zlib = 1
        case gzip = 2
        /// zlib or gzip, detected from the header (what HTTP `Content-Encoding: deflate` often carries).
        case auto = 3
    }

    /// Inflates `input`, failing with `.tooLarge` as soon as the output would pass `maxOutput` bytes.
    public static func decompress(_ input: [UInt8], format: Format, maxOutput: Int) throws(CodecError) -> [UInt8] {
        let r = input.withUnsafeBytes { raw in Result { () throws(CodecError) in try decompress(raw, format: format, maxOutput: maxOutput) } }
        return try r.get()
    }

    /// Inflates input read in place (e.g. a request body's buffer).
    public static func decompress(_ raw: UnsafeRawBufferPointer, format: Format, maxOutput: Int) throws(CodecError) -> [UInt8] {
        let input = raw.bindMemory(to: UInt8.self)
        let name = format == .gzip ? "gzip" : "deflate"
        // Start small and grow: most bodies are far below the cap, and a bomb stops at the cap.
        var capacity = min(max(input.count * 4, 64 * 1024), maxOutput)
        while true {
            var result = 0
            let out = [UInt8](unsafeUninitializedCapacity: max(capacity, 1)) { buf, count in
                result = skald_inflate(input.baseAddress ?? UnsafePointer(bitPattern: 1)!, input.count, buf.baseAddress!, capacity, format.rawValue)
                count = max(result, 0)
            }
            switch result {
            case 0...: return out
            case -2:
                if capacity >= maxOutput {
                    throw CodecError(.tooLarge, codec: name, "the body decompresses to more than the limit of \(maxOutput) bytes")
                }
                capacity = min(capacity &* 4, maxOutput)
            case -3:
                throw CodecError(.truncated, codec: name, "the compressed body ends before its stream does")
            default:
                throw CodecError(.corrupt, codec: name, "the body is not valid \(name) data")
            }
        }
    }

    /// Gzip-compresses `input` (no spare capacity kept).
    public static func gzip(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        let bound = skald_gzip_bound(input.count)
        return [UInt8](unsafeUninitializedCapacity: bound) { buf, count in
            let n = input.withUnsafeBufferPointer { inp in
                skald_gzip(inp.baseAddress ?? UnsafePointer(bitPattern: 1)!, inp.count, buf.baseAddress!, bound, level)
            }
            count = max(n, 0)
        }.withoutSpareCapacity()
    }
}
