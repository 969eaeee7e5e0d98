#if canImport(Glibc)
import Glibc
#endif
import LogModel

/// The parsers that turn a line's content into labels (`json`, `logfmt`, `regexp`, `unpack`), with
/// Loki's naming rules: keys are sanitised to `[a-zA-Z0-9_]` (a leading digit gets a `_`), nested
/// JSON keys are joined with `_`, and a name the stream already has gets the suffix `_extracted`.
/// A line they cannot parse keeps its labels so far and is marked with `__error__`.
enum LineParsers {
    static func sanitize(_ key: String) -> String {
        var utf8 = key
        return utf8.withUTF8 { u in
            // Most keys are already clean: `[a-zA-Z_][a-zA-Z0-9_]*`.
            var clean = !u.isEmpty
            for i in 0..<u.count where !isNameByte(u[i], first: i == 0) {
                clean = false
                break
            }
            if clean { return key }
            // Go's TrimSpace; Unicode spaces (rare) take the slow way.
            if let f = u.first, let l = u.last, f >= 0x80 || l >= 0x80 { return sanitizeUnicode(key) }
            var lo = 0, hi = u.count
            while lo < hi, isSpace(u[lo]) { lo += 1 }
            while hi > lo, isSpace(u[hi - 1]) { hi -= 1 }
            guard lo < hi else { return "" }
            var out: [UInt8] = []
            out.reserveCapacity(hi - lo + 1)
            if u[lo] >= 0x30 && u[lo] <= 0x39 { out.append(0x5f) }
            for i in lo..<hi {
                let c = u[i]
                if c < 0x80 {
                    out.append(isNameByte(c, first: false) ? c : 0x5f)
                } else if c >= 0xC0 {
                    out.append(0x5f) // one `_` per character (a string's UTF-8 is valid)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    private static func isNameByte(_ c: UInt8, first: Bool) -> Bool {
        (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f || (!first && c >= 0x30 && c <= 0x39)
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0d) }

    private static func sanitizeUnicode(_ key: String) -> String {
        var out: [UInt8] = []
        var trimmed = Substring(key)
        while let f = trimmed.first, f.isWhitespace { trimmed.removeFirst() }
        while let l = trimmed.last, l.isWhitespace { trimmed.removeLast() }
        guard !trimmed.isEmpty else { return "" }
        if let f = trimmed.utf8.first, f >= 0x30 && f <= 0x39 { out.append(0x5f) }
        for scalar in trimmed.unicodeScalars {
            let v = scalar.value
            out.append(v < 0x80 && isNameByte(UInt8(v), first: false) ? UInt8(v) : 0x5f)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func labelName(_ name: String, _ b: borrowing LabelsBuilder) -> String {
        b.baseHas(name) ? name + "_extracted" : name
    }

    /// A parsed value as a label value: one that holds U+FFFD (what invalid UTF-8 decodes to)
    /// becomes empty, as in Loki.
    static func labelValue(_ v: String) -> String {
        // U+FFFD is EF BF BD in UTF-8: without an 0xEF byte there is none.
        guard v.utf8.contains(0xEF) else { return v }
        return v.unicodeScalars.contains("\u{FFFD}") ? "" : v
    }

    // MARK: json

    /// `| json`: every string, number and boolean field, nested objects flattened with `_`
    /// (arrays and nulls are skipped), read by Loki's rules (`JSONObjectWalk`): a malformed line
    /// keeps the fields before the fault and gets `JSONParserErr` with the library's message. When
    /// only some labels are `wanted`, only they are built, and a nested object none of them can
    /// come from is stepped over unread (as Loki's parser hints do).
    static func json(_ line: UnsafeRawBufferPointer, _ b: inout LabelsBuilder, wanted: LabelWants? = nil) {
        let walk = JSONObjectWalk(u: line)
        // Most lines of a mixed stream are not objects: they fail here, before anything is set up.
        guard JSONObjectWalk.opensObject(line) else {
            b.setError("JSONParserErr", details: JSONObjectWalk.Failure.malformedObject.rawValue)
            return
        }
        func value(_ kind: JSONObjectWalk.Kind, _ from: Int, _ to: Int) -> String {
            switch kind {
            case .string:
                let raw = UnsafeRawBufferPointer(rebasing: line[from..<to])
                return raw.contains(0x5c) ? walk.unescape(from, to).map(labelValue) ?? "" : labelValue(String(decoding: raw, as: UTF8.self))
            case .number, .bool:
                return String(decoding: UnsafeRawBufferPointer(rebasing: line[from..<to]), as: UTF8.self)
            }
        }
        do throws(JSONObjectWalk.Failure) {
            try walk.object(0, line.count, path: "", depth: 0, topLevel: wanted?.firstBytes, visit: { prefix, key, kind, from, to in
                // Most keys are not wanted: rule them out by their bytes, or their length, before
                // making any string.
                if let wanted {
                    // (Top-level keys whose first byte no wanted label starts with were ruled out
                    // by the walk itself: `topLevel`.)
                    if prefix.isEmpty, key.end > key.start {
                        let first = line[key.start]
                        if walk.isPlain(key) {
                            // A plain key not starting with a digit is its own label name: only a
                            // wanted key's bytes can set a wanted label, and its label is made already.
                            if !(first >= 0x30 && first <= 0x39) {
                                guard let label = wanted.label(plainKey: UnsafeRawBufferPointer(rebasing: line[key.start..<key.end]),
                                                               baseHas: { b.base[$0] != nil }) else { return }
                                b.set(label, value(kind, from, to))
                                return
                            } else if !wanted.mayWant(keyLength: key.length) {
                                return
                            }
                        }
                    } else if walk.isPlain(key), !wanted.mayWant(keyLength: (prefix.isEmpty ? 0 : prefix.utf8.count + 1) + key.length) {
                        return
                    }
                }
                let clean = sanitize(walk.text(key))
                let name = prefix.isEmpty ? clean : prefix + "_" + clean
                let label = labelName(name, b)
                if let wanted, !(wanted.mayWant(cleanLength: name.utf8.count) && wanted.contains(label)) { return }
                b.set(label, value(kind, from, to))
            }, enter: { prefix, key in
                // (A top-level object's labels start with its key's first byte: the walk rules
                // most objects out by it before asking.)
                let clean = sanitize(walk.text(key))
                let name = prefix.isEmpty ? clean : prefix + "_" + clean
                if let wanted, !wanted.mayHavePrefix(name) { return nil }
                return name
            })
        } catch {
            // (Static texts: always set, as Loki does.)
            b.setError("JSONParserErr", details: error.rawValue)
        }
    }

    /// A path in `json a="b.c[0]"`: object keys and array indexes.
    enum PathStep: Equatable { case key(String), index(Int) }

    /// Parses `a.b`, `a[0]`, `a["b.c"]`, `[0].x`; nil when malformed.
    static func path(_ text: String) -> [PathStep]? {
        let u = Array(text.utf8)
        var i = 0
        var steps: [PathStep] = []
        while i < u.count {
            if u[i] == 0x2e { i += 1; continue }
            if u[i] == 0x5b {
                i += 1
                if i < u.count, u[i] == 0x22 {
                    i += 1
                    let start = i
                    while i < u.count, u[i] != 0x22 { i += 1 }
                    guard i + 1 < u.count, u[i + 1] == 0x5d else { return nil }
                    steps.append(.key(String(decoding: u[start..<i], as: UTF8.self)))
                    i += 2
                } else {
                    let start = i
                    while i < u.count, u[i] >= 0x30 && u[i] <= 0x39 { i += 1 }
                    guard i > start, i < u.count, u[i] == 0x5d, let n = Int(String(decoding: u[start..<i], as: UTF8.self)) else { return nil }
                    steps.append(.index(n))
                    i += 1
                }
                continue
            }
            let start = i
            while i < u.count, u[i] != 0x2e, u[i] != 0x5b { i += 1 }
            steps.append(.key(String(decoding: u[start..<i], as: UTF8.self)))
        }
        return steps.isEmpty ? nil : steps
    }

    /// `| json a="b.c"`: each extraction's value ("" when the path is absent; objects and arrays
    /// as their JSON text). A line that is not valid JSON gets `__error__` and no labels.
    static func json(_ line: UnsafeRawBufferPointer, _ b: inout LabelsBuilder, extractions: [(name: String, path: [PathStep])]) {
        var check = JSONScanner(line)
        do throws(JSONScanner.Failure) {
            try check.skipValue()
            check.skipSpace()
            guard check.atEnd else { throw check.fail("unexpected data after the value") }
        } catch {
            b.setError("JSONParserErr", details: error.message)
            return
        }
        for (name, path) in extractions {
            var s = JSONScanner(line)
            let v = (try? value(&s, path[...])) ?? ""
            b.set(labelName(name, b), v)
        }
    }

    private static func value(_ s: inout JSONScanner, _ path: ArraySlice<PathStep>) throws(JSONScanner.Failure) -> String {
        guard let step = path.first else {
            switch try s.peekKind() {
            case .string: return try s.readString()
            case .null: return ""
            case .number, .bool: return try s.readScalar()
            case .object, .array: return try s.rawValue()
            }
        }
        switch (step, try s.peekKind()) {
        case (.key(let want), .object):
            var result: String?
            try s.forEachMember { (s: inout JSONScanner, key: String) throws(JSONScanner.Failure) in
                if result == nil, key == want { result = try value(&s, path.dropFirst()) } else { try s.skipValue() }
            }
            return result ?? ""
        case (.index(let n), .array):
            // Read to the end of the array, so an enclosing object can go on after it.
            s.i += 1
            var k = 0
            var result: String?
            s.skipSpace()
            if s.i < s.b.count, s.b[s.i] == 0x5d {
                s.i += 1
                return ""
            }
            while true {
                if k == n { result = try value(&s, path.dropFirst()) } else { try s.skipValue() }
                s.skipSpace()
                guard s.i < s.b.count else { throw s.fail("unexpected end of array") }
                if s.b[s.i] == 0x5d {
                    s.i += 1
                    return result ?? ""
                }
                guard s.b[s.i] == 0x2c else { throw s.fail("expected ',' or ']'") }
                s.i += 1
                k += 1
            }
        default:
            try s.skipValue()
            return ""
        }
    }

    /// `| unpack`: for a packed line (Promtail's pack stage: an object with `_entry`), its string
    /// fields become labels and `_entry` becomes the line; other JSON objects are left alone.
    static func unpack(_ line: UnsafeRawBufferPointer, _ b: inout LabelsBuilder) -> [UInt8]? {
        var s = JSONScanner(line)
        var entry: [UInt8]?
        var found: [(String, String)] = []
        do throws(JSONScanner.Failure) {
            // Loki's text for a line that is not an object ("6" is its JSON library's code for one).
            guard (try? s.peekKind()) == .object else {
                b.setError("JSONParserErr", details: "expecting json object(6), but it is not")
                return nil
            }
            try s.forEachMember { (s: inout JSONScanner, key: String) throws(JSONScanner.Failure) in
                guard try s.peekKind() == .string else { return try s.skipValue() }
                let v = try s.readString()
                if key == "_entry" { entry = Array(v.utf8) } else { found.append((key, v)) }
            }
        } catch {
            b.setError("JSONParserErr", details: s.atEnd || error.message.hasPrefix("unterminated string") ? truncatedJSONDetails(line) : error.message)
            return nil
        }
        // Loki sets the fields only for a packed line (one with `_entry`); other JSON is left as it is.
        guard entry != nil else { return nil }
        for (k, v) in found { b.set(labelName(k, b), v) }
        return entry
    }

    /// Loki's unpack text for a line that ends inside a string (its JSON library's report: the
    /// 10 bytes before the end, and up to 50 of context).
    static func truncatedJSONDetails(_ line: UnsafeRawBufferPointer) -> String {
        let n = line.count
        let near = String(decoding: UnsafeRawBufferPointer(rebasing: line[max(0, n - 10)..<n]), as: UTF8.self)
        let context = String(decoding: UnsafeRawBufferPointer(rebasing: line[max(0, n - 50)..<n]), as: UTF8.self)
        return "readStringSlowPath: unexpected end of input, error found in #\(min(10, n)) byte of ...|\(near)|..., bigger context ...|\(context)|..."
    }

    // MARK: logfmt

    /// `| logfmt`: `key=value` pairs (values bare or double-quoted with Go escapes; a bare key is
    /// an empty value). As in Loki 2.8, the first fault (a `"` in a key, `=` or `"` inside a bare
    /// value, an unterminated quote) stops parsing: the pairs before it are kept and the line gets
    /// `__error__`. (`--strict` is accepted; 2.8 is always strict.) Empty values are kept as labels.
    /// Without `only`, `cache` remembers the label each key became (a stream's lines repeat their
    /// keys) and only `wanted` labels (nil: all) are built.
    static func logfmt(_ line: UnsafeRawBufferPointer, _ b: inout LabelsBuilder, only: [(name: String, key: String)]? = nil,
                       cache: inout KeyCache, wanted: LabelWants? = nil) {
        if only == nil { cache.begin(b) }
        var i = 0
        let n = line.count
        func isSpace(_ c: UInt8) -> Bool { c <= 0x20 }
        var fault: LogfmtFault?
        scan: while i < n {
            while i < n, isSpace(line[i]) { i += 1 }
            guard i < n else { break }
            let keyStart = i
            while i < n, !isSpace(line[i]), line[i] != 0x3d, line[i] != 0x22 { i += 1 }
            if i < n, line[i] == 0x22 {
                fault = .unexpected(i + 1, 0x22)
                break
            }
            if i == keyStart {
                fault = .unexpected(i + 1, 0x3d)
                break
            }
            let keyBytes = UnsafeRawBufferPointer(rebasing: line[keyStart..<i])
            let key = only == nil ? "" : String(decoding: keyBytes, as: UTF8.self)
            // The label this pair sets, if any; its value is built only when it is wanted (nil:
            // every label is), but always read to its end so faults are found as before.
            var name: String?
            if only == nil {
                name = cache.name(key: keyBytes, b, wanted: wanted)
            }
            let build = name != nil || only?.contains(where: { $0.key == key }) == true
            var value = ""
            if i < n, line[i] == 0x3d {
                i += 1
                if i < n, line[i] == 0x22 {
                    i += 1
                    let start = i
                    var escaped = false
                    while i < n, line[i] != 0x22 || escaped {
                        escaped = !escaped && line[i] == 0x5c
                        i += 1
                    }
                    guard i < n else {
                        fault = .unterminated(n + 1)
                        break
                    }
                    if build { value = unquote(UnsafeRawBufferPointer(rebasing: line[start..<i])) }
                    i += 1
                } else {
                    let start = i
                    while i < n, !isSpace(line[i]) {
                        if line[i] == 0x22 || line[i] == 0x3d {
                            fault = .unexpected(i + 1, line[i])
                            break scan
                        }
                        i += 1
                    }
                    if build { value = String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<i]), as: UTF8.self) }
                }
            }
            if let only {
                for (name, k) in only where k == key { b.set(labelName(name, b), value) }
                continue
            }
            if let name { b.set(name, labelValue(value)) }
        }
        if let fault {
            // The details are text built per line: only when something may read them.
            b.setError("LogfmtParserErr", details: wanted.wantsErrorDetails ? fault.message : nil)
        }
    }

    /// Where and how a logfmt line went wrong, worded as Loki 2.8's decoder words it.
    enum LogfmtFault {
        case unexpected(Int, UInt8)
        case unterminated(Int)

        var message: String {
            switch self {
            case .unexpected(let pos, let c): "logfmt syntax error at pos \(pos) : unexpected '\(c == 0x22 ? "\"" : "=")'"
            case .unterminated(let pos): "logfmt syntax error at pos \(pos) : unterminated quoted value"
            }
        }
    }

    /// A quoted logfmt value's text with Go's escapes undone (the raw text if they are malformed).
    static func unquote(_ body: UnsafeRawBufferPointer) -> String {
        var u: [UInt8] = [0x22]
        u += body
        u += [0x22, 0]
        var i = 0
        return (try? LabelParser.parseQuoted(&u, &i)) ?? String(decoding: body, as: UTF8.self)
    }

    // MARK: regexp

    /// `| regexp "…"`: each named group that took part becomes a label (a line that does not match
    /// is kept unchanged, as in Loki).
    static func regexp(_ line: UnsafeRawBufferPointer, _ b: inout LabelsBuilder, _ re: CompiledRegexp) {
        guard let caps = re.regex.captures(line, groups: re.names.count) else { return }
        for (i, name) in re.names.enumerated() where !name.isEmpty {
            guard let r = caps[i] else { continue }
            b.set(labelName(name, b), String(decoding: UnsafeRawBufferPointer(rebasing: line[r]), as: UTF8.self))
        }
    }

    /// `| pattern`: each capture becomes a label (`_extracted` when the stream has the name).
    static func pattern(_ line: UnsafeRawBufferPointer, _ b: inout LabelsBuilder, _ p: PatternExpr) {
        for (name, r) in p.captures(line) {
            b.set(labelName(name, b), String(decoding: UnsafeRawBufferPointer(rebasing: line[r]), as: UTF8.self))
        }
    }

    // MARK: decolorize

    /// Removes ANSI escape sequences: CSI (`ESC [ … final`), OSC (`ESC ] … BEL`), and two-byte escapes.
    static func decolorize(_ line: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(line.count)
        var i = 0
        let n = line.count
        while i < n {
            let c = line[i]
            guard c == 0x1b, i + 1 < n else {
                out.append(c)
                i += 1
                continue
            }
            let d = line[i + 1]
            if d == 0x5b {
                var j = i + 2
                while j < n, (line[j] >= 0x30 && line[j] <= 0x3f) || (line[j] >= 0x20 && line[j] <= 0x2f) { j += 1 }
                i = j < n ? j + 1 : n
            } else if d == 0x5d {
                var j = i + 2
                while j < n, line[j] != 0x07 { j += 1 }
                i = min(j + 1, n)
            } else {
                i += 2
            }
        }
        return out
    }
}

/// The label names a parser made of the keys it met: a small hash table from key bytes to the
/// label (lines of a stream repeat their keys), so a known key costs a hash and one byte comparison
/// instead of a sanitised string and two lookups. A key seen once (an IP address where a line is
/// not logfmt) gives way to the next newcomer; keys in use stay. Valid for one stream's labels (a
/// name gets `_extracted` when the stream has it) and one set of wanted labels.
struct KeyCache: Sendable {
    private struct Slot: Sendable {
        var key: [UInt8]
        var name: String?
        var hits: Int
    }
    private var base: String?
    /// Allocated at the first key looked up.
    private var slots: [Slot?] = []
    static let size = 256
    static let probes = 4

    /// Forgets everything if the stream changed.
    mutating func begin(_ b: LabelsBuilder) {
        if base != b.base.canonical {
            base = b.base.canonical
            slots = []
        }
    }

    /// The label that `key` sets (nil: none: empty after sanitising, or not wanted).
    mutating func name(key: UnsafeRawBufferPointer, _ b: LabelsBuilder, wanted: LabelWants?) -> String? {
        // A key no wanted label can come from (by its first byte, or a plain key by its length)
        // is not looked up or named: most keys, when a query reads one or two labels.
        if let wanted, let c = key.first, !wanted.mayWant(firstByte: c) { return nil }
        if let wanted, !wanted.mayWant(keyLength: key.count), !key.contains(where: { $0 >= 0x80 || $0 <= 0x20 }) { return nil }
        if slots.isEmpty { slots = Array(repeating: nil, count: Self.size) }
        var h: UInt32 = 2_166_136_261
        for c in key { h = (h ^ UInt32(c)) &* 16_777_619 }
        var victim = Int(h) & (Self.size - 1)
        for p in 0..<Self.probes {
            let i = (Int(h) &+ p) & (Self.size - 1)
            guard let slot = slots[i] else {
                victim = i
                break
            }
            if slot.key.count == key.count,
               key.isEmpty || slot.key.withUnsafeBytes({ memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }) {
                slots[i]!.hits += 1
                return slot.name
            }
            if let v = slots[victim], slot.hits < v.hits { victim = i }
        }
        let clean = LineParsers.sanitize(String(decoding: key, as: UTF8.self))
        var name: String?
        if !clean.isEmpty {
            let n = LineParsers.labelName(clean, b)
            if wanted.wants(n) { name = n }
        }
        if slots[victim].map({ $0.hits <= 1 }) ?? true { slots[victim] = Slot(key: Array(key), name: name, hits: 0) }
        return name
    }
}

/// A `regexp` stage's pattern and its group names.
struct CompiledRegexp: Sendable {
    let regex: RE2Regex
    let names: [String]
}

import Codecs
