#if canImport(Glibc)
import Glibc
#endif

/// A scrape config's `encoding`: turns each line's bytes from the file's character set into UTF-8
/// (glibc's iconv). Only character sets where a newline is the single byte 0x0A and never part of
/// another character are accepted (ISO-8859-*, windows-125*, KOI8-*, Shift_JIS, EUC-*, GBK, GB18030,
/// Big5 …), since lines are split before they are decoded; UTF-16 and UTF-32 are refused. A byte
/// sequence the character set does not define becomes U+FFFD. Not thread-safe: one per file.
public final class LineTranscoder {
    public let encoding: String
    private let cd: iconv_t

    /// nil for UTF-8 (nothing to do).
    public static func make(_ encoding: String?) throws(AgentConfigError) -> LineTranscoder? {
        guard let encoding, !["utf-8", "utf8"].contains(encoding.lowercased()) else { return nil }
        return try LineTranscoder(encoding)
    }

    public init(_ encoding: String) throws(AgentConfigError) {
        let upper = encoding.uppercased()
        if upper.hasPrefix("UTF-16") || upper.hasPrefix("UTF16") || upper.hasPrefix("UTF-32") || upper.hasPrefix("UTF32") || upper.hasPrefix("UCS") {
            throw AgentConfigError("encoding \(encoding): files whose newline is more than one byte are not supported; only encodings like ISO-8859-1, windows-1252 or Shift_JIS are")
        }
        let c = iconv_open("UTF-8", encoding)
        guard let c, Int(bitPattern: c) != -1 else {
            throw AgentConfigError("encoding \(encoding) is not known to iconv; use an IANA name like ISO-8859-1, windows-1252 or Shift_JIS")
        }
        self.encoding = encoding
        cd = c
    }

    deinit { iconv_close(cd) }

    /// The line as UTF-8 text.
    public func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 2 + 16)
        var buffer = [CChar](repeating: 0, count: max(64, input.count * 4 + 16))
        iconv(cd, nil, nil, nil, nil)  // reset the shift state
        input.withUnsafeMutableBufferPointer { inp in
            var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inp.baseAddress)?.assumingMemoryBound(to: CChar.self)
            var inLeft = inp.count
            while inLeft > 0 {
                let produced: Int = buffer.withUnsafeMutableBufferPointer { ob in
                    var outPtr: UnsafeMutablePointer<CChar>? = ob.baseAddress
                    var outLeft = ob.count
                    let rc = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    let n = ob.count - outLeft
                    if rc == -1 && (errno == EILSEQ || errno == EINVAL) {
                        // Undefined or truncated sequence: one replacement character, skip a byte.
                        inPtr = inPtr.map { $0 + 1 }
                        inLeft -= 1
                        return -n - 1
                    }
                    return n
                }
                let n = produced < 0 ? -produced - 1 : produced
                out += buffer[0..<n].map { UInt8(bitPattern: $0) }
                if produced < 0 { out += [0xEF, 0xBF, 0xBD] } else if produced == 0 && inLeft > 0 { break }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
