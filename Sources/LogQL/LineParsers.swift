import LogModel

/// The parsers that turn a line's content into labels (`json`, `logfmt`, `regexp`, `unpack`), with
/// Loki's naming rules: keys are sanitised to `[a-zA-Z0-9_]` (a leading digit gets a `_`), nested
/// JSON keys are joined with `_`, and a name the stream already has gets the suffix `_extracted`.
/// A line they cannot parse keeps its labels so far and is marked with `__error__`.
enum LineParsers {
    static func sanitize(_ key: String) -> String {
        var out: [UInt8] = []
        var trimmed = Substring(key)
        while let f = trimmed.first, f.isWhitespace { trimmed.removeFirst() }
        while let l = trimmed.last, l.isWhitespace { trimmed.removeLast() }
        guard !trimmed.isEmpty else { return "" }
        if let f = trimmed.utf8.first, f >= 0x30 && f <= 0x39 { out.append(0x5f) }
        for scalar in trimmed.unicodeScalars {
            let v = scalar.value
            let ok = (v >= 0x61 && v <= 0x7a) || (v >= 0x41 && v <= 0x5a) || (v >= 0x30 && v <= 0x39) || v == 0x5f
            out.append(ok ? UInt8(v) : 0x5f)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func labelName(_ name: String, _ b: LabelsBuilder) -> String {
        b.baseHas(name) ? name + "_extracted" : name
    }

    // MARK: json

    /// `| json`: every string, number and boolean field, nested objects flattened with `_`
    /// (arrays and nulls are skipped).
    static func json(_ line: UnsafeRawBufferPointer, _ b: inout LabelsBuilder) {
        var s = JSONScanner(line)
        var found: [(String, String)] = []
        do throws(JSONScanner.Failure) {
            try flatten(&s, prefix: "", into: &found, depth: 0)
            s.skipSpace()
            guard s.atEnd else { throw s.fail("unexpected data after the object") }
        } catch {
            b.setError("JSONParserErr", details: error.message)
            return
        }
        for (k, v) in found { b.set(labelName(k, b), v) }
    }

    private static func flatten(_ s: inout JSONScanner, prefix: String, into out: inout [(String, String)], depth: Int) throws(JSONScanner.Failure) {
        guard depth < 128 else { throw s.fail("nested too deeply") }
        guard try s.peekKind() == .object else { throw s.fail("expecting a JSON object") }
        try s.forEachMember { (s: inout JSONScanner, key: String) throws(JSONScanner.Failure) in
            let clean = sanitize(key)
            let name = prefix.isEmpty ? clean : prefix + "_" + clean
            switch try s.peekKind() {
            case .string:
                let v = try s.readString()
                out.append((name, v.unicodeScalars.contains("\u{FFFD}") ? "" : v))
            case .number, .bool:
                out.append((name, try s.readScalar()))
            case .object:
                try flatten(&s, prefix: name, into: &out, depth: depth + 1)
            case .null, .array:
                try s.skipValue()
            }
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

    /// `| unpack`: string fields become labels; `_entry` (Promtail's pack stage) becomes the line.
    static func unpack(_ line: UnsafeRawBufferPointer, _ b: inout LabelsBuilder) -> [UInt8]? {
        var s = JSONScanner(line)
        var entry: [UInt8]?
        var found: [(String, String)] = []
        do throws(JSONScanner.Failure) {
            guard try s.peekKind() == .object else { throw s.fail("expecting json object") }
            try s.forEachMember { (s: inout JSONScanner, key: String) throws(JSONScanner.Failure) in
                guard try s.peekKind() == .string else { return try s.skipValue() }
                let v = try s.readString()
                if key == "_entry" { entry = Array(v.utf8) } else { found.append((key, v)) }
            }
        } catch {
            b.setError("JSONParserErr", details: error.message)
            return nil
        }
        for (k, v) in found { b.set(labelName(k, b), v) }
        return entry
    }

    // MARK: logfmt

    /// `| logfmt`: `key=value` pairs (values bare or double-quoted with Go escapes; a bare key is
    /// an empty value). As in Loki 2.8, the first fault (a `"` in a key, `=` or `"` inside a bare
    /// value, an unterminated quote) stops parsing: the pairs before it are kept and the line gets
    /// `__error__`. (`--strict` is accepted; 2.8 is always strict.) Empty values are kept as labels.
    static func logfmt(_ line: UnsafeRawBufferPointer, _ b: inout LabelsBuilder, only: [(name: String, key: String)]? = nil) {
        var i = 0
        let n = line.count
        func isSpace(_ c: UInt8) -> Bool { c <= 0x20 }
        var fault: String?
        scan: while i < n {
            while i < n, isSpace(line[i]) { i += 1 }
            guard i < n else { break }
            let keyStart = i
            while i < n, !isSpace(line[i]), line[i] != 0x3d, line[i] != 0x22 { i += 1 }
            if i < n, line[i] == 0x22 {
                fault = "logfmt syntax error at pos \(i + 1) : unexpected '\"'"
                break
            }
            if i == keyStart {
                fault = "logfmt syntax error at pos \(i + 1) : unexpected '='"
                break
            }
            let key = String(decoding: UnsafeRawBufferPointer(rebasing: line[keyStart..<i]), as: UTF8.self)
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
                        fault = "logfmt syntax error at pos \(n + 1) : unterminated quoted value"
                        break
                    }
                    value = unquote(UnsafeRawBufferPointer(rebasing: line[start..<i]))
                    i += 1
                } else {
                    let start = i
                    while i < n, !isSpace(line[i]) {
                        if line[i] == 0x22 || line[i] == 0x3d {
                            fault = "logfmt syntax error at pos \(i + 1) : unexpected '\(line[i] == 0x22 ? "\"" : "=")'"
                            break scan
                        }
                        i += 1
                    }
                    value = String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<i]), as: UTF8.self)
                }
            }
            if let only {
                for (name, k) in only where k == key { b.set(labelName(name, b), value) }
                continue
            }
            let clean = sanitize(key)
            guard !clean.isEmpty else { continue }
            b.set(labelName(clean, b), value.unicodeScalars.contains("\u{FFFD}") ? "" : value)
        }
        if let fault { b.setError("LogfmtParserErr", details: fault) }
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

/// A `regexp` stage's pattern and its group names.
struct CompiledRegexp: Sendable {
    let regex: RE2Regex
    let names: [String]
}

import Codecs
