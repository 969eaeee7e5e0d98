import LogModel

/// Loki's `ip("…")` filter: a single address, a CIDR prefix (`10.0.0.0/8`) or a range
/// (`10.0.0.1-10.0.0.9`), for IPv4 and IPv6. As a line filter it scans the line for address-shaped
/// runs; as a label filter it reads one label's value.
public struct IPFilter: Sendable, Equatable {
    /// An address: 16 bytes (IPv4 in the last 4) and its family.
    struct Address: Sendable, Equatable, Comparable {
        var bytes: [UInt8]
        var v4: Bool

        static func < (a: Address, b: Address) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

        /// `netip.ParseAddr`: dotted quad (no leading zeros), or IPv6 with `::`, an embedded IPv4
        /// tail and an optional `%zone`.
        static func parse<C: Collection>(_ text: C) -> Address? where C.Element == UInt8 {
            let s = Array(text)
            if s.contains(0x3a) { return parse6(s) }
            guard let four = parse4(s[...]) else { return nil }
            return Address(bytes: Array(repeating: 0, count: 12) + four, v4: true)
        }

        static func parse4(_ s: ArraySlice<UInt8>) -> [UInt8]? {
            let parts = s.split(separator: 0x2e, omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var out: [UInt8] = []
            for p in parts {
                guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
                if p.count > 1, p.first == 0x30 { return nil }
                let v = p.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                guard v <= 255 else { return nil }
                out.append(UInt8(v))
            }
            return out
        }

        static func parse6(_ whole: [UInt8]) -> Address? {
            var s = whole[...]
            if let z = s.firstIndex(of: 0x25) {
                guard z < s.endIndex - 1 else { return nil }
                s = s[..<z]
            }
            var groups: [UInt16] = []
            var gap: Int?
            var rest = s
            if rest.starts(with: [0x3a, 0x3a]) {
                gap = 0
                rest = rest.dropFirst(2)
            } else if rest.first == 0x3a {
                return nil
            }
            var tail4: [UInt8]?
            while !rest.isEmpty {
                let end = rest.firstIndex(of: 0x3a) ?? rest.endIndex
                let field = rest[rest.startIndex..<end]
                if end == rest.endIndex, field.contains(0x2e) {
                    guard let f = parse4(field) else { return nil }
                    tail4 = f
                    rest = rest[end...]
                    break
                }
                guard !field.isEmpty, field.count <= 4, let v = UInt16(String(decoding: field, as: UTF8.self), radix: 16) else { return nil }
                groups.append(v)
                rest = rest[end...]
                if rest.starts(with: [0x3a, 0x3a]) {
                    guard gap == nil else { return nil }
                    gap = groups.count
                    rest = rest.dropFirst(2)
                } else if rest.first == 0x3a {
                    rest = rest.dropFirst()
                    if rest.isEmpty { return nil }
                }
            }
            let want = tail4 == nil ? 8 : 6
            if let g = gap {
                guard groups.count < want else { return nil }
                groups.insert(contentsOf: Array(repeating: 0, count: want - groups.count), at: g)
            }
            guard groups.count == want else { return nil }
            var out: [UInt8] = []
            for g in groups { out += [UInt8(g >> 8), UInt8(g & 0xff)] }
            if let t = tail4 { out += t }
            return Address(bytes: out, v4: false)
        }
    }

    enum Matcher: Sendable, Equatable {
        case single(Address)
        case prefix(Address, bits: Int)
        case range(Address, Address)
    }

    /// The pattern as written (`ip("…")` prints it back).
    public let pattern: String
    let matcher: Matcher

    public struct Invalid: Error, CustomStringConvertible {
        let pattern: String
        public var description: String { "ip: invalid pattern: \(GoQuote.quote(pattern))" }
    }

    public init(_ pattern: String) throws(Invalid) {
        self.pattern = pattern
        let b = Array(pattern.utf8)
        if let a = Address.parse(b) {
            matcher = .single(a)
        } else if let slash = b.firstIndex(of: 0x2f), let a = Address.parse(b[..<slash]), !b[..<slash].contains(0x25),
                  let bits = Int(String(decoding: b[(slash + 1)...], as: UTF8.self)), bits >= 0, bits <= (a.v4 ? 32 : 128),
                  b[(slash + 1)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), !(b.count - slash > 2 && b[slash + 1] == 0x30) {
            matcher = .prefix(a, bits: bits)
        } else if let dash = b.firstIndex(of: 0x2d), let from = Address.parse(b[..<dash]), let to = Address.parse(b[(dash + 1)...]),
                  from.v4 == to.v4, !(to < from), !b.contains(0x25) {
            matcher = .range(from, to)
        } else {
            throw Invalid(pattern: pattern)
        }
    }

    func contains(_ a: Address) -> Bool {
        switch matcher {
        case .single(let s): return s == a
        case .range(let lo, let hi): return lo.v4 == a.v4 && !(a < lo) && !(hi < a)
        case .prefix(let p, let bits):
            guard p.v4 == a.v4 else { return false }
            var remaining = bits + (p.v4 ? 96 : 0)
            for i in 0..<16 where remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xff : ~(0xff >> UInt8(remaining))
                if p.bytes[i] & mask != a.bytes[i] & mask { return false }
                remaining -= 8
            }
            return true
        }
    }

    /// Whether the text (a label value, or a line) holds an address in range: Loki scans for runs
    /// that look like an IPv4 (a digit, then a `.` within 3) or IPv6 (hex digits then `:`) address.
    func matches(_ text: UnsafeRawBufferPointer) -> Bool {
        let n = text.count
        guard n > 0 else { return false }
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66) }
        func span(_ start: Int, v6: Bool) -> Int {
            var e = start
            while e < n, isDigit(text[e]) || text[e] == 0x2e || (v6 && (isHex(text[e]) || text[e] == 0x3a)) { e += 1 }
            return e - start
        }
        var i = 0
        while i < n {
            var v6 = false
            if i + 3 < n, isDigit(text[i]), text[i + 1] == 0x2e || text[i + 2] == 0x2e || text[i + 3] == 0x2e {
                v6 = false
            } else if i + 4 < n, (text[i] == 0x3a && text[i + 1] == 0x3a && isHex(text[i + 2]))
                        || (isHex(text[i]) && text[i + 1] == 0x3a)
                        || (isHex(text[i]) && isHex(text[i + 1]) && text[i + 2] == 0x3a)
                        || (isHex(text[i]) && isHex(text[i + 1]) && isHex(text[i + 2]) && text[i + 3] == 0x3a)
                        || (isHex(text[i]) && isHex(text[i + 1]) && isHex(text[i + 2]) && isHex(text[i + 3]) && text[i + 4] == 0x3a) {
                v6 = true
            } else {
                i += 1
                continue
            }
            let len = span(i, v6: v6)
            if let a = Address.parse(UnsafeRawBufferPointer(rebasing: text[i..<(i + len)])), contains(a) { return true }
            i += len + 1
        }
        return false
    }
}

