/// The labels a query reads when it reads only some (a metric query's grouping, label filters and
/// unwrapped label): parsers build just these, and word their error details only when those are
/// among them. Made once per query; nil where every label is wanted. A class: parsers are handed
/// it for every line, and a reference is passed without copying (retaining) its collections.
final class LabelWants: Sendable {
    let names: Set<String>
    /// Whether `__error_details__` is read.
    let errorDetails: Bool
    /// Bit `n`: a clean name of `n` bytes (before any `_extracted`) may be one of `names`; bit 63
    /// stands for every length from 63 up.
    private let lengths: UInt64
    /// The bytes of every key that can set a wanted label as it stands: each name, and each name
    /// ending in `_extracted` without it.
    private let keys: [[UInt8]]
    /// Bit `c` (of 128): some wanted name starts with the ASCII byte `c`.
    private let firstBytes: (low: UInt64, high: UInt64)

    init(_ names: Set<String>) {
        self.names = names
        errorDetails = names.contains(LabelsBuilder.errorDetailsLabel)
        var bits: UInt64 = 0
        var keys: [[UInt8]] = []
        var low: UInt64 = 0, high: UInt64 = 0
        for n in names {
            for l in [n.utf8.count, n.utf8.count - "_extracted".utf8.count] where l >= 0 { bits |= 1 << UInt64(min(l, 63)) }
            keys.append(Array(n.utf8))
            if n.hasSuffix("_extracted") { keys.append(Array(n.utf8.dropLast("_extracted".utf8.count))) }
            if let c = n.utf8.first, c < 0x80 {
                if c < 64 { low |= 1 << UInt64(c) } else { high |= 1 << UInt64(c - 64) }
            }
        }
        lengths = bits
        self.keys = keys
        firstBytes = (low, high)
    }

    /// Whether a top-level key starting with byte `c` may set a wanted label. A key starting
    /// with a letter or `_` keeps that byte first through sanitising (only spaces are trimmed, a
    /// digit gains a `_`, other bytes become `_` in place), so it can set only a name starting
    /// with it; for any other first byte the answer is yes.
    func mayWant(firstByte c: UInt8) -> Bool {
        let letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f
        guard letter else { return true }
        return c < 64 ? firstBytes.low & (1 << UInt64(c)) != 0 : firstBytes.high & (1 << UInt64(c - 64)) != 0
    }

    /// Whether a key that is its own label name (plain `[A-Za-z_][A-Za-z0-9_]*`, at the top
    /// level) may set a wanted label: it must be one of `keys`, byte for byte.
    func mayWant(plainKey key: UnsafeRawBufferPointer) -> Bool {
        for k in keys where k.count == key.count {
            if k.withUnsafeBytes({ $0.elementsEqual(key) }) { return true }
        }
        return false
    }

    /// Whether a clean name of `n` bytes may be wanted (a cheap test before looking it up).
    func mayWant(cleanLength n: Int) -> Bool { lengths & (1 << UInt64(min(n, 63))) != 0 }

    /// Whether a plain ASCII key of `n` bytes may become a wanted label (a leading digit gains `_`).
    func mayWant(keyLength n: Int) -> Bool { mayWant(cleanLength: n) || mayWant(cleanLength: n + 1) }

    /// Whether the label `name` (as set, `_extracted` included) is wanted.
    func contains(_ name: String) -> Bool { names.contains(name) }

    /// Whether some wanted label starts with `prefix` (a nested JSON object worth walking).
    func mayHavePrefix(_ prefix: String) -> Bool { names.contains { $0.hasPrefix(prefix) } }
}

extension Optional where Wrapped == LabelWants {
    /// Whether a parser should word its error details (always, when every label is wanted).
    var wantsErrorDetails: Bool { self?.errorDetails ?? true }

    /// Whether the label `name` is wanted (always, when every label is).
    func wants(_ name: String) -> Bool { self?.contains(name) ?? true }
}
