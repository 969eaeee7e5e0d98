import Glibc

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
    /// Every key that can set a wanted label as it stands (each name, and each name ending in
    /// `_extracted` without it), with the labels it sets, made once per query.
    private let keys: [PlainKey]

    /// A plain key (`[A-Za-z_][A-Za-z0-9_]*`, its own label name) that may set a wanted label.
    struct PlainKey: Sendable {
        let bytes: [UInt8]
        /// The label it sets when the stream has no label of that name, if wanted.
        let asIs: String?
        /// The label it sets when the stream has one (`<key>_extracted`), if wanted.
        let extracted: String?
        /// The key's text (its label name before any `_extracted`).
        let name: String

        /// The label this key sets on a line of a stream that has (or not) a label named like it;
        /// nil when that label is not wanted.
        func label(baseHasName: Bool) -> String? { baseHasName ? extracted : asIs }
    }
    /// The first bytes a top-level key may start with and still set a wanted label.
    let firstBytes: KeyFirstBytes

    init(_ names: Set<String>) {
        self.names = names
        errorDetails = names.contains(LabelsBuilder.errorDetailsLabel)
        var bits: UInt64 = 0
        var keyNames: Set<String> = []
        var low: UInt64 = 0, high: UInt64 = 0
        for n in names {
            for l in [n.utf8.count, n.utf8.count - "_extracted".utf8.count] where l >= 0 { bits |= 1 << UInt64(min(l, 63)) }
            keyNames.insert(n)
            if n.hasSuffix("_extracted") { keyNames.insert(String(n.dropLast("_extracted".count))) }
            if let c = n.utf8.first, c < 0x80 {
                if c < 64 { low |= 1 << UInt64(c) } else { high |= 1 << UInt64(c - 64) }
            }
        }
        lengths = bits
        keys = keyNames.sorted().map { k in
            PlainKey(bytes: Array(k.utf8), asIs: names.contains(k) ? k : nil,
                     extracted: names.contains(k + "_extracted") ? k + "_extracted" : nil, name: k)
        }
        firstBytes = KeyFirstBytes(low: low, high: high)
    }

    /// Whether a top-level key starting with byte `c` may set a wanted label.
    func mayWant(firstByte c: UInt8) -> Bool { firstBytes.mayStart(c) }

    /// The label a key that is its own label name (plain `[A-Za-z_][A-Za-z0-9_]*`, at the top
    /// level) sets, if it is wanted: the key must equal a wanted key byte for byte (no other plain
    /// key can set a wanted label); `baseHas` says whether the stream has a label of that name.
    func label(plainKey key: UnsafeRawBufferPointer, baseHas: (String) -> Bool) -> String? {
        for i in keys.indices where keys[i].bytes.count == key.count {
            if key.isEmpty || keys[i].bytes.withUnsafeBytes({ memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }) {
                return keys[i].label(baseHasName: baseHas(keys[i].name))
            }
        }
        return nil
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

/// Which top-level JSON keys may set a wanted label, by their first byte. A key starting with a
/// letter or `_` keeps that byte first through sanitising (only spaces are trimmed, a digit gains a
/// `_`, other bytes become `_` in place), so it can set only a name starting with it; a key
/// starting with any other byte may set anything. A plain value (no references): the JSON walk
/// tests it before handing a key out.
struct KeyFirstBytes: Sendable {
    /// Bit `c` (of 128): some wanted name starts with the ASCII byte `c`.
    let low: UInt64, high: UInt64

    @inline(__always) func mayStart(_ c: UInt8) -> Bool {
        let letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f
        guard letter else { return true }
        return c < 64 ? low & (1 << UInt64(c)) != 0 : high & (1 << UInt64(c - 64)) != 0
    }
}

extension Optional where Wrapped == LabelWants {
    /// Whether a parser should word its error details (always, when every label is wanted).
    var wantsErrorDetails: Bool { self?.errorDetails ?? true }

    /// Whether the label `name` is wanted (always, when every label is).
    func wants(_ name: String) -> Bool { self?.contains(name) ?? true }
}
