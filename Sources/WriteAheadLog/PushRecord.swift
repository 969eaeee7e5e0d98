public import Codecs
public import LogModel

/// Payload codec of `WALFormat.RecordType.push` records: one validated batch of one tenant
/// (docs/format/wal.md, "push payload"). Decoding is zero-copy: entry ranges point into the payload.
///
///     streamCount uvarint
///     stream*: labelsLen uvarint | labels (canonical) | entryCount uvarint | entry*
///     entry:   tsDelta zigzag-varint (vs previous entry of the stream; first vs 0) | lineLen uvarint | line
///              | metaCount uvarint | (nameLen uvarint | name | valueLen uvarint | value)*
public enum PushRecord {
    /// Per-field maxima checked before anything is allocated.
    static let maxLabelsBytes = 256 * 1024
    static let maxMetadataPairs = 1024

    public static func encode(_ batch: PushBatch) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(batch.lineBytes + batch.entryCount * 6 + batch.streams.count * 64 + 16)
        out.appendUVarint(UInt64(batch.streams.count))
        for s in batch.streams {
            let l = Array(s.labels.utf8)
            out.appendUVarint(UInt64(l.count))
            out.append(contentsOf: l)
            out.appendUVarint(UInt64(s.entries.count))
            var prev: Int64 = 0
            for e in s.entries {
                let d = e.timestamp &- prev
                prev = e.timestamp
                out.appendUVarint(UInt64(bitPattern: (d << 1) ^ (d >> 63)))
                out.appendUVarint(UInt64(e.line.count))
                batch.bytes.withUnsafeBytes { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[e.line])) }
                if e.metadata < 0 {
                    out.append(0)
                } else {
                    let m = batch.metadata[Int(e.metadata)]
                    out.appendUVarint(UInt64(m.count))
                    for p in m {
                        let n = Array(p.name.utf8), v = Array(p.value.utf8)
                        out.appendUVarint(UInt64(n.count)); out.append(contentsOf: n)
                        out.appendUVarint(UInt64(v.count)); out.append(contentsOf: v)
                    }
                }
            }
        }
        return out
    }

    public static func decode(_ payload: [UInt8]) throws(CodecError) -> PushBatch {
        let result = payload.withUnsafeBytes { raw in
            Result { () throws(CodecError) -> PushBatch in
                var c = ByteCursor(raw, codec: "wal push record")
                var batch = PushBatch(bytes: payload)
                let streamCount = try c.uvarint("stream count")
                // Each stream takes at least 3 bytes; a larger count is corruption.
                guard streamCount <= UInt64(c.remaining / 3 + 1) else {
                    throw CodecError(.corrupt, codec: c.codec, "stream count \(streamCount) exceeds what \(c.remaining) bytes can hold")
                }
                batch.streams.reserveCapacity(Int(streamCount))
                for _ in 0..<streamCount {
                    let ln = try c.length(max: maxLabelsBytes, "labels")
                    var s = PushStream(labels: try c.string(ln, "labels"))
                    let n = try c.uvarint("entry count")
                    guard n <= UInt64(c.remaining / 3 + 1) else {
                        throw CodecError(.corrupt, codec: c.codec, "entry count \(n) exceeds what \(c.remaining) bytes can hold")
                    }
                    s.entries.reserveCapacity(Int(n))
                    var prev: Int64 = 0
                    for _ in 0..<n {
                        let z = try c.uvarint("timestamp")
                        let d = Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
                        prev = prev &+ d
                        let len = try c.length(max: WALFormat.maxRecordBodySize, "line")
                        let r = try c.range(len, "line")
                        let mc = try c.uvarint("metadata count")
                        var meta: Int32 = -1
                        if mc > 0 {
                            guard mc <= UInt64(maxMetadataPairs) else {
                                throw CodecError(.tooLarge, codec: c.codec, "\(mc) metadata pairs exceed the maximum of \(maxMetadataPairs)")
                            }
                            var pairs: [Label] = []
                            for _ in 0..<mc {
                                let name = try c.string(try c.length(max: maxLabelsBytes, "metadata name"), "metadata name")
                                let value = try c.string(try c.length(max: maxLabelsBytes, "metadata value"), "metadata value")
                                pairs.append(Label(name, value))
                            }
                            meta = Int32(batch.metadata.count)
                            batch.metadata.append(pairs)
                        }
                        s.entries.append(PushEntry(timestamp: prev, line: r, metadata: meta))
                    }
                    batch.streams.append(s)
                }
                guard c.isAtEnd else { throw CodecError(.corrupt, codec: c.codec, "\(c.remaining) trailing bytes after the last stream") }
                return batch
            }
        }
        return try result.get()
    }
}
