/// The `| json` stage's reading of a line, with the acceptance rules and error texts of the JSON
/// library Loki 2.8 parses with (buger/jsonparser's `ObjectEach`): the line must be an object; each
/// member's value is delimited, not validated (a number is whatever runs up to `,`, `}`, `]` or
/// space; nested objects and arrays are matched brace for brace); strings, numbers and booleans
/// become fields; nested objects are walked in turn; arrays and nulls are skipped; whatever follows
/// the closing brace is ignored. On a fault the walk stops with the library's message, and the
/// fields it had already handed out stay (Loki keeps the labels set before the error).
struct JSONObjectWalk {
    enum Kind { case string, number, bool }

    /// The library's error texts (what `__error_details__` shows).
    enum Failure: String, Error {
        case malformedJSON = "Malformed JSON error"
        case malformedString = "Value is string, but can't find closing '\"' symbol"
        case malformedArray = "Value is array, but can't find closing ']' symbol"
        case malformedObject = "Value looks like object, but can't find closing '}' symbol"
        case unknownValueType = "Unknown value type"
        case malformedStringEscape = "Encountered an invalid escape sequence in a string"
    }

    /// Nesting beyond this is refused (Go's stack grows; Skald's recursion does not).
    static let maxDepth = 512

    let u: UnsafeRawBufferPointer

    /// A member's key: its bytes in the line (no quotes) and, when it holds escapes, its text.
    struct Key {
        let start: Int, end: Int
        let unescaped: String?
        var length: Int { unescaped?.utf8.count ?? end - start }
    }

    /// The key's text.
    func text(_ k: Key) -> String {
        k.unescaped ?? String(decoding: UnsafeRawBufferPointer(rebasing: u[k.start..<k.end]), as: UTF8.self)
    }

    /// Whether the key is a plain label name as it stands (`[A-Za-z0-9_]`, no escapes): its
    /// sanitized form is itself, or itself after a `_` when it starts with a digit.
    func isPlain(_ k: Key) -> Bool {
        guard k.unescaped == nil, k.end > k.start else { return false }
        for i in k.start..<k.end {
            let c = u[i]
            guard (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x5f else { return false }
        }
        return true
    }

    /// Walks the object in `u[from..<to]`; `visit(path, key, kind, valueStart, valueEnd)` gets each
    /// scalar member (string bounds exclude the quotes), `enter(path, key)` decides whether a nested
    /// object is walked (and returns the path to walk it under). Keys are not made strings here:
    /// most are not wanted. With `topLevel`, a top-level member whose key cannot start a wanted
    /// label is stepped over (checked, not handed out): most keys are ruled out without a call.
    func object<Path>(_ from: Int, _ to: Int, path: Path, depth: Int, topLevel: KeyFirstBytes? = nil,
                      visit: (Path, Key, Kind, Int, Int) -> Void,
                      enter: (Path, Key) -> Path?) throws(Failure) {
        guard depth < Self.maxDepth else { throw .malformedObject }
        guard var i = nextToken(from, to), u[i] == 0x7b else { throw .malformedObject }
        i += 1
        guard let first = nextToken(i, to) else { throw .malformedJSON }
        i = first
        if u[i] == 0x7d { return }
        while i < to {
            switch u[i] {
            case 0x22: i += 1
            case 0x7d: return
            default: throw .malformedObject
            }
            guard let (keyLength, escaped) = stringEnd(i, to) else { throw .malformedJSON }
            let keyEnd = i + keyLength // past the closing quote
            let key: Key
            if escaped {
                guard let k = unescape(i, keyEnd - 1) else { throw .malformedStringEscape }
                key = Key(start: i, end: keyEnd - 1, unescaped: k)
            } else {
                key = Key(start: i, end: keyEnd - 1, unescaped: nil)
            }
            i = keyEnd
            let handOut = depth > 0 || key.end == key.start || topLevel.map { $0.mayStart(u[key.start]) } ?? true
            guard let colon = nextToken(i, to), u[colon] == 0x3a else { throw .malformedJSON }
            i = colon + 1
            guard let v = nextToken(i, to) else { throw .malformedJSON }
            switch u[v] {
            case 0x22:
                guard let (end, _) = stringEnd(v + 1, to) else { throw .malformedString }
                if handOut { visit(path, key, .string, v + 1, v + end) }
                i = v + 1 + end
            case 0x5b:
                guard let end = blockEnd(v, to, open: 0x5b, close: 0x5d) else { throw .malformedArray }
                i = end
            case 0x7b:
                guard let end = blockEnd(v, to, open: 0x7b, close: 0x7d) else { throw .malformedObject }
                if handOut, let inner = enter(path, key) {
                    try object(v, end, path: inner, depth: depth + 1, visit: visit, enter: enter)
                }
                i = end
            default:
                let end = tokenEnd(v, to)
                let word = UnsafeRawBufferPointer(rebasing: u[v..<end])
                switch u[v] {
                case 0x74, 0x66:
                    guard word.elementsEqual("true".utf8) || word.elementsEqual("false".utf8) else { throw .unknownValueType }
                    if handOut { visit(path, key, .bool, v, end) }
                case 0x6e, 0x75:
                    guard word.elementsEqual("null".utf8) else { throw .unknownValueType }
                case 0x30...0x39, 0x2d:
                    if handOut { visit(path, key, .number, v, end) }
                default:
                    throw .unknownValueType
                }
                i = end
            }
            guard let sep = nextToken(i, to) else { throw .malformedArray }
            i = sep
            switch u[i] {
            case 0x7d: return
            case 0x2c: i += 1
            default: throw .malformedObject
            }
            guard let next = nextToken(i, to) else { throw .malformedArray }
            i = next
        }
        throw .malformedObject
    }

    /// Whether `u` opens an object: its first byte that is not JSON space is `{`.
    static func opensObject(_ u: UnsafeRawBufferPointer) -> Bool {
        guard let i = JSONObjectWalk(u: u).nextToken(0, u.count) else { return false }
        return u[i] == 0x7b
    }

    /// The first byte at or after `i` that is not JSON space.
    func nextToken(_ i: Int, _ to: Int) -> Int? {
        var j = i
        while j < to {
            switch u[j] {
            case 0x20, 0x0a, 0x0d, 0x09: j += 1
            default: return j
            }
        }
        return nil
    }

    /// Where a scalar ends: at space, `,`, `}` or `]`, else the end of the data.
    func tokenEnd(_ i: Int, _ to: Int) -> Int {
        var j = i
        while j < to {
            switch u[j] {
            case 0x20, 0x0a, 0x0d, 0x09, 0x2c, 0x7d, 0x5d: return j
            default: j += 1
            }
        }
        return to
    }

    /// From just inside a string: the offset past its closing quote (relative to `i`) and whether
    /// it holds a backslash; nil when it never closes. A quote after an odd run of backslashes is
    /// escaped.
    @inline(__always) func stringEnd(_ i: Int, _ to: Int) -> (Int, Bool)? {
        var escaped = false
        var j = i
        while j < to {
            // Eight bytes at a time up to the next quote or backslash (most strings hold neither
            // until their end).
            while j + 8 <= to {
                let m = Self.quoteOrBackslash(u.loadUnaligned(fromByteOffset: j, as: UInt64.self))
                if m != 0 {
                    j += m.trailingZeroBitCount >> 3
                    break
                }
                j += 8
            }
            guard j < to else { return nil }
            let c = u[j]
            if c == 0x22 {
                if !escaped { return (j - i + 1, false) }
                var k = j - 1, run = 0
                while k >= i, u[k] == 0x5c { run += 1; k -= 1 }
                if run % 2 == 0 { return (j - i + 1, true) }
            } else if c == 0x5c {
                escaped = true
            }
            j += 1
        }
        return nil
    }

    /// A mask whose lowest set bit is the high bit of the first byte of `w` (in memory order) that
    /// is a quote or a backslash; 0 when none is. (Bits above it may be set spuriously: the
    /// zero-byte test borrows across bytes only upwards from a zero byte.)
    @inline(__always) static func quoteOrBackslash(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ 0x2222_2222_2222_2222, b = w ^ 0x5c5c_5c5c_5c5c_5c5c
        return (((q &- ones) & ~q) | ((b &- ones) & ~b)) & highs
    }

    /// The end (exclusive) of the block opening at `i`, matching `open` and `close` outside strings.
    func blockEnd(_ i: Int, _ to: Int, open: UInt8, close: UInt8) -> Int? {
        var level = 0
        var j = i
        while j < to {
            switch u[j] {
            case 0x22:
                guard let (end, _) = stringEnd(j + 1, to) else { return nil }
                j += end
            case open: level += 1
            case close:
                level -= 1
                if level == 0 { return j + 1 }
            default: break
            }
            j += 1
        }
        return nil
    }

    /// The string between `from` and `to` (no quotes) with its escapes resolved; nil when an escape
    /// is invalid. A lone or broken surrogate becomes U+FFFD.
    func unescape(_ from: Int, _ to: Int) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(to - from)
        var j = from
        while j < to {
            let c = u[j]
            guard c == 0x5c else {
                out.append(c)
                j += 1
                continue
            }
            guard j + 1 < to else { return nil }
            let e = u[j + 1]
            j += 2
            switch e {
            case 0x22, 0x5c, 0x2f: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0c)
            case 0x6e: out.append(0x0a)
            case 0x72: out.append(0x0d)
            case 0x74: out.append(0x09)
            case 0x75:
                guard var cp = hex4(j, to) else { return nil }
                j += 4
                if cp >= 0xD800 && cp < 0xDC00 {
                    if j + 6 <= to, u[j] == 0x5c, u[j + 1] == 0x75, let lo = hex4(j + 2, to), lo >= 0xDC00 && lo < 0xE000 {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                        j += 6
                    } else {
                        cp = 0xFFFD
                    }
                }
                out += Array(String(Character(UnicodeScalar(cp) ?? "\u{FFFD}")).utf8)
            default:
                return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func hex4(_ at: Int, _ limit: Int) -> UInt32? {
        guard at + 4 <= limit else { return nil }
        var v: UInt32 = 0
        for k in at..<(at + 4) {
            let c = u[k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }
}
