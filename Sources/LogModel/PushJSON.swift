import Codecs

/// Loki's JSON push body, parsed by a purpose-built scanner (Foundation's JSON is far too slow for
/// the ingest target): `{"streams":[{"stream":{"k":"v"},"values":[["<ns>","line"(,{"k":"v"})?]]}]}`,
/// plus the legacy `/api/prom/push` shape `{"streams":[{"labels":"{k=\"v\"}","entries":[{"ts":"<RFC3339>","line":"…"}]}]}`.
/// Unknown keys are skipped. Unescaped line bytes are appended to one buffer; entries point into it.
public struct PushJSON {
    /// Nesting deeper than this inside skipped values is refused (no recursion bombs).
    static let maxDepth = 64

    var p: UnsafeRawBufferPointer
    var i = 0
    var out = PushBatch()

    public static func decode(_ body: [UInt8]) throws(PushDecodeError) -> PushBatch {
        let result = body.withUnsafeBytes { raw in Result { () throws(PushDecodeError) in try decode(raw) } }
        return try result.get()
    }

    /// Decodes a body read in place; unescaped lines are copied into the batch's own buffer.
    public static func decode(_ raw: UnsafeRawBufferPointer) throws(PushDecodeError) -> PushBatch {
        var d = PushJSON(p: raw)
        d.out.bytes.reserveCapacity(raw.count)
        try d.document()
        return d.out
    }

    func fail(_ msg: String) -> PushDecodeError {
        PushDecodeError("the JSON push body is malformed: \(msg) at offset \(i)")
    }

    @inline(__always)
    mutating func ws() {
        while i < p.count {
            let c = p[i]
            if c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 { i += 1 } else { return }
        }
    }

    @inline(__always)
    mutating func expect(_ c: UInt8, _ what: String) throws(PushDecodeError) {
        ws()
        guard i < p.count, p[i] == c else { throw fail("expected \(what)") }
        i += 1
    }

    /// Consumes `c` if it is next (after whitespace).
    @inline(__always)
    mutating func accept(_ c: UInt8) -> Bool {
        ws()
        if i < p.count, p[i] == c { i += 1; return true }
        return false
    }

    mutating func document() throws(PushDecodeError) {
        try expect(0x7b, "'{' at the start of the body")
        var sawStreams = false
        if !accept(0x7d) {
            repeat {
                let key = try string()
                try expect(0x3a, "':'")
                if key == "streams" {
                    sawStreams = true
                    try streams()
                } else {
                    try skipValue(depth: 0)
                }
            } while accept(0x2c)
            try expect(0x7d, "'}' or ','")
        }
        ws()
        guard i == p.count else { throw fail("unexpected data after the JSON document") }
        guard sawStreams else { throw PushDecodeError("the JSON push body has no \"streams\" array") }
    }

    mutating func streams() throws(PushDecodeError) {
        if peekNull() { return }
        try expect(0x5b, "'[' starting \"streams\"")
        if accept(0x5d) { return }
        repeat {
            try stream()
        } while accept(0x2c)
        try expect(0x5d, "']' or ','")
    }

    mutating func peekNull() -> Bool {
        ws()
        if i + 4 <= p.count, p[i] == 0x6e, p[i + 1] == 0x75, p[i + 2] == 0x6c, p[i + 3] == 0x6c { i += 4; return true }
        return false
    }

    mutating func stream() throws(PushDecodeError) {
        try expect(0x7b, "'{' starting a stream")
        out.streams.append(PushStream(labels: ""))
        let index = out.streams.count - 1
        var sawLabels = false
        if !accept(0x7d) {
            repeat {
                let key = try string()
                try expect(0x3a, "':'")
                switch key {
                case "stream":
                    out.streams[index].labels = try labelObject()
                    sawLabels = true
                case "labels":
                    out.streams[index].labels = try string()
                    sawLabels = true
                case "values": try values(index)
                case "entries": try legacyEntries(index)
                default: try skipValue(depth: 0)
                }
            } while accept(0x2c)
            try expect(0x7d, "'}' or ',' in a stream")
        }
        if !sawLabels { out.streams[index].labels = "{}" }
    }

    /// `{"k":"v",…}` rendered as a label string for the label parser (which validates it).
    mutating func labelObject() throws(PushDecodeError) -> String {
        if peekNull() { return "{}" }
        try expect(0x7b, "'{' starting the stream's labels")
        var pairs: [Label] = []
        if !accept(0x7d) {
            repeat {
                let k = try string()
                try expect(0x3a, "':'")
                ws()
                guard i < p.count, p[i] == 0x22 else { throw fail("label \"\(k)\" must have a string value") }
                pairs.append(Label(k, try string()))
            } while accept(0x2c)
            try expect(0x7d, "'}' or ',' in the stream's labels")
        }
        var s = "{"
        for (n, l) in pairs.enumerated() {
            if n > 0 { s += ", " }
            s += l.name
            s += "=\""
            LabelSet.appendEscaped(l.value, to: &s)
            s += "\""
        }
        return s + "}"
    }

    mutating func values(_ index: Int) throws(PushDecodeError) {
        if peekNull() { return }
        try expect(0x5b, "'[' starting \"values\"")
        if accept(0x5d) { return }
        repeat {
            try expect(0x5b, "'[' starting a value pair [\"<unix ns>\", \"<line>\"]")
            ws()
            guard i < p.count, p[i] == 0x22 else {
                throw fail("the timestamp must be a string of unix nanoseconds, like \"1700000000000000000\"")
            }
            let ts = try nanosString()
            try expect(0x2c, "',' after the timestamp")
            ws()
            guard i < p.count, p[i] == 0x22 else { throw fail("the log line must be a string") }
            let line = try lineString()
            var meta: Int32 = -1
            if accept(0x2c) {
                let m = try metadataObject()
                if !m.isEmpty {
                    meta = Int32(out.metadata.count)
                    out.metadata.append(m)
                }
            }
            try expect(0x5d, "']' closing the value pair")
            out.streams[index].entries.append(PushEntry(timestamp: ts, line: line, metadata: meta))
        } while accept(0x2c)
        try expect(0x5d, "']' or ',' in \"values\"")
    }

    mutating func metadataObject() throws(PushDecodeError) -> [Label] {
        if peekNull() { return [] }
        try expect(0x7b, "'{' starting structured metadata")
        var pairs: [Label] = []
        if !accept(0x7d) {
            repeat {
                let k = try string()
                try expect(0x3a, "':'")
                ws()
                guard i < p.count, p[i] == 0x22 else { throw fail("structured metadata \"\(k)\" must have a string value") }
                pairs.append(Label(k, try string()))
            } while accept(0x2c)
            try expect(0x7d, "'}' or ',' in structured metadata")
        }
        return pairs
    }

    mutating func legacyEntries(_ index: Int) throws(PushDecodeError) {
        if peekNull() { return }
        try expect(0x5b, "'[' starting \"entries\"")
        if accept(0x5d) { return }
        repeat {
            try expect(0x7b, "'{' starting an entry")
            var ts: Int64?
            var line: Range<Int> = out.bytes.count..<out.bytes.count
            if !accept(0x7d) {
                repeat {
                    let k = try string()
                    try expect(0x3a, "':'")
                    switch k {
                    case "ts", "timestamp":
                        let s = try string()
                        guard let v = TimeParser.rfc3339(s) else {
                            throw fail("entry timestamp \"\(s)\" is not RFC3339, like \"2006-01-02T15:04:05.999999999Z\"")
                        }
                        ts = v
                    case "line":
                        ws()
                        guard i < p.count, p[i] == 0x22 else { throw fail("the log line must be a string") }
                        line = try lineString()
                    default: try skipValue(depth: 0)
                    }
                } while accept(0x2c)
                try expect(0x7d, "'}' or ',' in an entry")
            }
            guard let t = ts else { throw fail("an entry has no \"ts\"") }
            out.streams[index].entries.append(PushEntry(timestamp: t, line: line))
        } while accept(0x2c)
        try expect(0x5d, "']' or ',' in \"entries\"")
    }

    /// A quoted decimal integer of nanoseconds.
    mutating func nanosString() throws(PushDecodeError) -> Int64 {
        let start = i
        i += 1
        var neg = false
        if i < p.count, p[i] == 0x2d { neg = true; i += 1 }
        var v: Int64 = 0
        var digits = 0
        while i < p.count, p[i] >= 0x30, p[i] <= 0x39 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(p[i] - 0x30))
            if o1 || o2 { i = start; throw fail("the timestamp does not fit in 64-bit nanoseconds") }
            v = a
            digits += 1
            i += 1
        }
        guard digits > 0, i < p.count, p[i] == 0x22 else {
            i = start
            throw fail("the timestamp must be a string of unix nanoseconds, like \"1700000000000000000\"")
        }
        i += 1
        return neg ? -v : v
    }

    /// A JSON string, unescaped into `out.bytes`; returns its range there.
    mutating func lineString() throws(PushDecodeError) -> Range<Int> {
        var bytes = out.bytes
        out.bytes = []
        let start = bytes.count
        defer { out.bytes = bytes }
        try unescape(into: &bytes)
        return start..<bytes.count
    }

    /// A JSON string as a Swift String.
    mutating func string() throws(PushDecodeError) -> String {
        ws()
        guard i < p.count, p[i] == 0x22 else { throw fail("expected a string") }
        var bytes: [UInt8] = []
        try unescape(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Scans a string starting at the opening quote, appending its unescaped bytes to `dest`.
    ///
    /// First the closing quote is found (16 bytes at a time; a backslash skips the byte after it);
    /// a string without escapes is then one append. With escapes, the string is decoded into room
    /// made at `dest`'s end for it (a decoded string is never longer than its escaped form) —
    /// escaped lines (JSON inside a JSON string) were appended a few bytes at a time, a tenth of
    /// the JSON push CPU. A string that is malformed (unterminated, a control byte) is read again
    /// by `unescapeByteByByte`, which words the first fault exactly as before.
    @inline(__always)
    mutating func unescape(into dest: inout [UInt8]) throws(PushDecodeError) {
        let open = i
        let start = i + 1
        var end = start
        var escapes = false
        while true {
            end += JSONStringScan.plainRun(p, from: end, end: p.count)
            guard end < p.count, p[end] != 0x22 else { break }
            guard p[end] == 0x5c else { break } // a control byte: reported below
            escapes = true
            end += 2
        }
        guard end < p.count, p[end] == 0x22 else {
            i = open
            return try unescapeByteByByte(into: &dest)
        }
        if !escapes {
            dest.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[start..<end]).assumingMemoryBound(to: UInt8.self))
            i = end + 1
            return
        }
        let base = dest.count
        dest.append(contentsOf: repeatElement(0, count: end - start))
        var written = base
        var failure: PushDecodeError?
        i = start
        dest.withUnsafeMutableBufferPointer { d in
            let out = UnsafeMutableRawPointer(d.baseAddress!)
            while i < end {
                let run = JSONStringScan.plainRun(p, from: i, end: end)
                if run > 0 {
                    (out + written).copyMemory(from: p.baseAddress! + i, byteCount: run)
                    written += run
                    i += run
                    if i >= end { break }
                }
                // A backslash: the first pass ruled out quotes and control bytes before `end`.
                do throws(PushDecodeError) {
                    var tmp: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
                    let n = try escape(&tmp)
                    withUnsafeBytes(of: &tmp) { (out + written).copyMemory(from: $0.baseAddress!, byteCount: n) }
                    written += n
                    i += 1
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
        dest.removeLast(dest.count - written)
        i = end + 1
    }

    /// Decodes the escape at `i` (a backslash) into `tmp`, returning its byte count; leaves `i` on
    /// the escape's last byte.
    @inline(__always)
    mutating func escape(_ tmp: inout (UInt8, UInt8, UInt8, UInt8)) throws(PushDecodeError) -> Int {
        i += 1
        guard i < p.count else { throw fail("unterminated escape") }
        switch p[i] {
        case 0x22: tmp.0 = 0x22
        case 0x5c: tmp.0 = 0x5c
        case 0x2f: tmp.0 = 0x2f
        case 0x62: tmp.0 = 0x08
        case 0x66: tmp.0 = 0x0c
        case 0x6e: tmp.0 = 0x0a
        case 0x72: tmp.0 = 0x0d
        case 0x74: tmp.0 = 0x09
        case 0x75:
            var cp = try hex4()
            if cp >= 0xD800 && cp < 0xDC00 {
                // A high surrogate must be followed by \u low surrogate; otherwise U+FFFD.
                if i + 2 < p.count, p[i + 1] == 0x5c, p[i + 2] == 0x75 {
                    let save = i
                    i += 2
                    let lo = try hex4()
                    if lo >= 0xDC00 && lo < 0xE000 {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        cp = 0xFFFD
                        i = save
                    }
                } else {
                    cp = 0xFFFD
                }
            } else if cp >= 0xDC00 && cp < 0xE000 {
                cp = 0xFFFD
            }
            return encodeUTF8(cp, &tmp)
        default: throw fail("invalid escape '\\\(String(decoding: [p[i]], as: UTF8.self))'")
        }
        return 1
    }

    /// `unescape` one byte at a time, for strings the fast scan found malformed: the same result,
    /// and the first fault worded with its offset.
    mutating func unescapeByteByByte(into dest: inout [UInt8]) throws(PushDecodeError) {
        i += 1
        var run = i
        while true {
            guard i < p.count else { throw fail("unterminated string") }
            let c = p[i]
            if c == 0x22 {
                if i > run { dest.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[run..<i])) }
                i += 1
                return
            }
            if c == 0x5c {
                if i > run { dest.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[run..<i])) }
                var tmp: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
                let n = try escape(&tmp)
                withUnsafeBytes(of: &tmp) { dest.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                i += 1
                run = i
                continue
            }
            if c < 0x20 { throw fail("control character 0x\(String(c, radix: 16)) inside a string must be escaped") }
            i += 1
        }
    }

    /// Reads the 4 hex digits after `\u` (i at 'u'); leaves i on the last digit.
    mutating func hex4() throws(PushDecodeError) -> UInt32 {
        guard i + 4 < p.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for k in 1...4 {
            let c = p[i + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
        }
        i += 4
        return v
    }

    func encodeUTF8(_ cp: UInt32, _ t: inout (UInt8, UInt8, UInt8, UInt8)) -> Int {
        switch cp {
        case 0..<0x80:
            t.0 = UInt8(cp); return 1
        case 0x80..<0x800:
            t.0 = UInt8(0xC0 | (cp >> 6)); t.1 = UInt8(0x80 | (cp & 0x3F)); return 2
        case 0x800..<0x10000:
            t.0 = UInt8(0xE0 | (cp >> 12)); t.1 = UInt8(0x80 | ((cp >> 6) & 0x3F)); t.2 = UInt8(0x80 | (cp & 0x3F)); return 3
        default:
            t.0 = UInt8(0xF0 | (cp >> 18)); t.1 = UInt8(0x80 | ((cp >> 12) & 0x3F))
            t.2 = UInt8(0x80 | ((cp >> 6) & 0x3F)); t.3 = UInt8(0x80 | (cp & 0x3F)); return 4
        }
    }

    /// Skips any JSON value (unknown keys), refusing nesting beyond `maxDepth`.
    mutating func skipValue(depth: Int) throws(PushDecodeError) {
        guard depth < PushJSON.maxDepth else { throw fail("nesting deeper than \(PushJSON.maxDepth) levels") }
        ws()
        guard i < p.count else { throw fail("unexpected end of body") }
        switch p[i] {
        case 0x22:
            var scratch: [UInt8] = []
            try unescape(into: &scratch)
        case 0x7b:
            i += 1
            if accept(0x7d) { return }
            repeat {
                _ = try string()
                try expect(0x3a, "':'")
                try skipValue(depth: depth + 1)
            } while accept(0x2c)
            try expect(0x7d, "'}' or ','")
        case 0x5b:
            i += 1
            if accept(0x5d) { return }
            repeat { try skipValue(depth: depth + 1) } while accept(0x2c)
            try expect(0x5d, "']' or ','")
        default:
            let start = i
            while i < p.count {
                let c = p[i]
                if (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2b || c == 0x2e || c == 0x65 || c == 0x45
                    || (c >= 0x61 && c <= 0x7a) { i += 1 } else { break }
            }
            let word = String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
            guard i > start, word == "true" || word == "false" || word == "null" || Double(word) != nil else {
                i = start
                throw fail("unexpected character")
            }
        }
    }
}
