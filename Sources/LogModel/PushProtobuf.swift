import Codecs

/// Loki's `logproto.PushRequest` wire format, decoded by hand (no generated code, no per-line
/// allocation): `PushRequest{streams=1}`, `StreamAdapter{labels=1, entries=2, hash=3}`,
/// `EntryAdapter{timestamp=1, line=2, structuredMetadata=3, parsed=4}`, `LabelPairAdapter{name=1, value=2}`.
/// Unknown fields are skipped, as protobuf requires.
public enum PushProtobuf {
    /// Largest label string accepted from the wire before validation (see `LabelParser.maxInputBytes`).
    static let maxLabelsBytes = LabelParser.maxInputBytes

    public static func decode(_ body: [UInt8]) throws(PushDecodeError) -> PushBatch {
        try decode(body, fastPath: true)
    }

    /// `fastPath: false` reads every entry the general way (tests compare the two).
    static func decode(_ body: [UInt8], fastPath: Bool) throws(PushDecodeError) -> PushBatch {
        let result = body.withUnsafeBytes { raw in
            Result { () throws(CodecError) -> PushBatch in
                var batch = PushBatch(bytes: body)
                var c = ByteCursor(raw, codec: "protobuf")
                while !c.isAtEnd {
                    let (field, wire) = try tag(&c)
                    if field == 1 && wire == 2 {
                        let len = try c.length(max: raw.count, "streams[\(batch.streams.count)]")
                        let end = c.offset + len
                        batch.streams.append(try stream(&c, end: end, batch: &batch, fastPath: fastPath))
                    } else {
                        try skip(&c, wire: wire)
                    }
                }
                return batch
            }
        }
        switch result {
        case .success(let b): return b
        case .failure(let error): throw PushDecodeError("the protobuf push body is malformed: \(error.detail)")
        }
    }

    @inline(__always)
    static func tag(_ c: inout ByteCursor) throws(CodecError) -> (UInt64, UInt64) {
        let t = try c.uvarint("field tag")
        let field = t >> 3
        guard field > 0 else { throw CodecError(.corrupt, codec: "protobuf", "field number 0 at offset \(c.offset)") }
        return (field, t & 7)
    }

    static func skip(_ c: inout ByteCursor, wire: UInt64) throws(CodecError) {
        switch wire {
        case 0: _ = try c.uvarint("varint field")
        case 1: try c.skip(8, "fixed64 field")
        case 2: try c.skip(try c.length(max: c.remaining, "length-delimited field"))
        case 5: try c.skip(4, "fixed32 field")
        default: throw CodecError(.corrupt, codec: "protobuf", "unsupported wire type \(wire) at offset \(c.offset)")
        }
    }

    static func stream(_ c: inout ByteCursor, end: Int, batch: inout PushBatch, fastPath: Bool) throws(CodecError) -> PushStream {
        var s = PushStream(labels: "")
        let p = c.bytes
        while c.offset < end {
            // Fast path: a run of entries in the layout every client writes (timestamp, then line, no
            // metadata), read in place; anything else, including every malformed entry, takes the
            // general path below, which gives the error.
            var i = c.offset
            while fastPath, i < end, p[i] == 0x12 {
                var j = i + 1
                guard let n = varint(p, &j, end), n <= UInt64(end - j), let e = plainEntry(p, j, j + Int(n)) else { break }
                s.entries.append(e)
                i = j + Int(n)
            }
            if i > c.offset {
                try c.skip(i - c.offset, "entry")
                continue
            }
            let (field, wire) = try tag(&c)
            switch (field, wire) {
            case (1, 2):
                let n = try c.length(max: maxLabelsBytes, "stream labels")
                s.labels = try c.string(n, "stream labels")
            case (2, 2):
                let n = try c.length(max: end - c.offset, "entry")
                s.entries.append(try entry(&c, end: c.offset + n, batch: &batch))
            default:
                try skip(&c, wire: wire)
            }
        }
        guard c.offset == end else { throw CodecError(.corrupt, codec: "protobuf", "stream overruns its length") }
        return s
    }

    /// A varint at `i` ending before `end`, or nil (truncated, or longer than 10 bytes).
    @inline(__always)
    static func varint(_ p: UnsafeRawBufferPointer, _ i: inout Int, _ end: Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while i < end, shift < 64 {
            let b = p[i]
            i += 1
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return shift == 63 && b > 1 ? nil : result }
            shift += 7
        }
        return nil
    }

    /// An entry in `p[start..<end]` laid out as `timestamp{seconds, nanos}` then `line` and nothing
    /// else (each optional field of the timestamp may be absent); nil for any other layout. Gives
    /// the same entry the general path would.
    @inline(__always)
    static func plainEntry(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> PushEntry? {
        var i = start
        guard i < end, p[i] == 0x0A else { return nil }
        i += 1
        guard let tl = varint(p, &i, end), tl <= UInt64(end - i) else { return nil }
        let tEnd = i + Int(tl)
        var seconds: UInt64 = 0, nanos: UInt64 = 0
        if i < tEnd, p[i] == 0x08 {
            i += 1
            guard let v = varint(p, &i, tEnd) else { return nil }
            seconds = v
        }
        if i < tEnd, p[i] == 0x10 {
            i += 1
            guard let v = varint(p, &i, tEnd) else { return nil }
            nanos = v
        }
        guard i == tEnd, i < end, p[i] == 0x12 else { return nil }
        i += 1
        guard let ll = varint(p, &i, end), ll == UInt64(end - i) else { return nil }
        let secs = Int64(bitPattern: seconds), ns = Int64(Int32(truncatingIfNeeded: nanos))
        guard secs > -9_223_372_036, secs < 9_223_372_036, ns >= 0, ns < 1_000_000_000 else { return nil }
        return PushEntry(timestamp: secs * 1_000_000_000 + ns, line: i..<end)
    }

    static func entry(_ c: inout ByteCursor, end: Int, batch: inout PushBatch) throws(CodecError) -> PushEntry {
        var e = PushEntry(timestamp: 0, line: 0..<0)
        var meta: [Label] = []
        while c.offset < end {
            let (field, wire) = try tag(&c)
            switch (field, wire) {
            case (1, 2):
                let n = try c.length(max: end - c.offset, "timestamp")
                e.timestamp = try timestamp(&c, end: c.offset + n)
            case (2, 2):
                let n = try c.length(max: end - c.offset, "line")
                e.line = try c.range(n, "line")
            case (3, 2):
                let n = try c.length(max: end - c.offset, "structured metadata")
                meta.append(try labelPair(&c, end: c.offset + n))
            default:
                try skip(&c, wire: wire) // `parsed` (4) is query-side only; ignored on push as Loki does
            }
        }
        guard c.offset == end else { throw CodecError(.corrupt, codec: "protobuf", "entry overruns its length") }
        if !meta.isEmpty {
            e.metadata = Int32(batch.metadata.count)
            batch.metadata.append(meta)
        }
        return e
    }

    static func timestamp(_ c: inout ByteCursor, end: Int) throws(CodecError) -> Int64 {
        var seconds: Int64 = 0
        var nanos: Int64 = 0
        while c.offset < end {
            let (field, wire) = try tag(&c)
            switch (field, wire) {
            case (1, 0): seconds = Int64(bitPattern: try c.uvarint("timestamp seconds"))
            case (2, 0): nanos = Int64(Int32(truncatingIfNeeded: try c.uvarint("timestamp nanos")))
            default: try skip(&c, wire: wire)
            }
        }
        guard c.offset == end else { throw CodecError(.corrupt, codec: "protobuf", "timestamp overruns its length") }
        // ±292 years around 1970 fit in Int64 nanoseconds; anything outside is not a real log time.
        guard seconds > -9_223_372_036, seconds < 9_223_372_036, nanos >= 0, nanos < 1_000_000_000 else {
            throw CodecError(.corrupt, codec: "protobuf", "timestamp \(seconds)s \(nanos)ns is out of range")
        }
        return seconds * 1_000_000_000 + nanos
    }

    static func labelPair(_ c: inout ByteCursor, end: Int) throws(CodecError) -> Label {
        var l = Label("", "")
        while c.offset < end {
            let (field, wire) = try tag(&c)
            switch (field, wire) {
            case (1, 2): l.name = try c.string(try c.length(max: end - c.offset, "metadata name"), "metadata name")
            case (2, 2): l.value = try c.string(try c.length(max: end - c.offset, "metadata value"), "metadata value")
            default: try skip(&c, wire: wire)
            }
        }
        guard c.offset == end else { throw CodecError(.corrupt, codec: "protobuf", "label pair overruns its length") }
        return l
    }

    // MARK: encoding (clients, tests, benchmarks)

    /// Encodes a batch as a `PushRequest` (uncompressed).
    public static func encode(_ batch: PushBatch) -> [UInt8] {
        var w = PushRequestWriter(reservingCapacity: batch.bytes.count + batch.entryCount * 24 + 1024)
        func metadata(_ e: PushEntry) -> [Label] { e.metadata >= 0 ? batch.metadata[Int(e.metadata)] : [] }
        batch.bytes.withUnsafeBufferPointer { all in
            for s in batch.streams {
                let size = s.entries.reduce(0) { $0 + PushRequestWriter.entrySize(timestamp: $1.timestamp, lineBytes: $1.line.count, metadata: metadata($1)) }
                w.stream(labels: s.labels, entriesSize: size)
                for e in s.entries { w.entry(timestamp: e.timestamp, line: UnsafeBufferPointer(rebasing: all[e.line]), metadata: metadata(e)) }
            }
        }
        return w.bytes
    }
}
