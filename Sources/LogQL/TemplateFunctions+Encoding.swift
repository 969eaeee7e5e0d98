public import GoTemplate

/// URL, base64 and JSON functions.
extension TemplateFunctions {
    static let encoding: [String: F] = [
        "urlencode": text(1) { GoURL.queryEscape($0[0]) },
        "urldecode": F([.string]) { a, _ throws(TemplateError) in .string(try GoURL.queryUnescape(a[0].stringValue)) },
        "b64enc": text(1) { base64Encode(Array($0[0].utf8)) },
        // Sprig returns the decoder's error text as the value rather than failing.
        "b64dec": text(1) { s in
            switch base64Decode(Array(s[0].utf8)) {
            case .success(let b): String(decoding: b, as: UTF8.self)
            case .failure(let at): "illegal base64 data at input byte \(at.offset)"
            }
        },
        // Sprig's `fromJson`: nil when the text is not JSON.
        "fromJson": F([.string]) { a, _ in TemplateJSON.parse(a[0].stringValue) ?? .missing },
    ]

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64Encode(_ b: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((b.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < b.count {
            let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = b.count - i
        if rest > 0 {
            let n = UInt32(b[i]) << 16 | (rest == 2 ? UInt32(b[i + 1]) << 8 : 0)
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], rest == 2 ? alphabet[Int(n >> 6 & 63)] : 0x3d, 0x3d]
        }
        return String(decoding: out, as: UTF8.self)
    }

    struct Base64Failure: Error { let offset: Int }

    /// `base64.StdEncoding.DecodeString`: padding required; newlines ignored; the error names the
    /// first bad byte.
    static func base64Decode(_ input: [UInt8]) -> Result<[UInt8], Base64Failure> {
        var out: [UInt8] = []
        var quad: [UInt32] = []
        var padAt: Int?
        for (i, c) in input.enumerated() {
            if c == 0x0a || c == 0x0d { continue }
            if c == 0x3d {
                if quad.count < 2 { return .failure(Base64Failure(offset: i)) }
                padAt = padAt ?? i
                quad.append(0)
                if quad.count == 4 { break }
                continue
            }
            if padAt != nil { return .failure(Base64Failure(offset: i)) }
            guard let v = alphabet.firstIndex(of: c) else { return .failure(Base64Failure(offset: i)) }
            quad.append(UInt32(v))
            if quad.count == 4 {
                let n = quad[0] << 18 | quad[1] << 12 | quad[2] << 6 | quad[3]
                out += [UInt8(n >> 16), UInt8(n >> 8 & 255), UInt8(n & 255)]
                quad = []
            }
        }
        if let p = padAt {
            guard quad.count == 4 else { return .failure(Base64Failure(offset: input.count)) }
            let pads = input[p...].filter { $0 == 0x3d }.count
            let n = quad[0] << 18 | quad[1] << 12 | quad[2] << 6
            out.append(UInt8(n >> 16))
            if pads == 1 { out.append(UInt8(n >> 8 & 255)) }
            return .success(out)
        }
        guard quad.isEmpty else { return .failure(Base64Failure(offset: input.count - quad.count + (quad.count == 1 ? 0 : quad.count - 1))) }
        return .success(out)
    }
}
