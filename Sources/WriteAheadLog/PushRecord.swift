public import Codecs
public import LogModel

/// Payload codecs of push records (docs/format/wal.md): `WALFormat.RecordType.push`, one validated
/// batch of one tenant in Skald's own layout (decoding is zero-copy: entry ranges point into the
/// payload), and `pushProtobuf`, a fully accepted body kept as the client sent it.
///
///     streamCount uvarint
///     stream*: labelsLen uvarint | labels (canonical) | entryCount uvarint | entry*
///     entry:   tsDelta zigzag-varint (vs previous entry of the stream; first vs 0) | lineLen uvarint | line
///              | metaCount uvarint | (nameLen uvarint | name | valueLen uvarint | value)*
public enum PushRecord {
    /// Per-field maxima checked before anything is allocated.
    static let maxLabelsBytes = 256 * 1024
    static let maxMetadataPairs = 1024

    /// Encodes a batch in one allocation of exactly the right size (the hot path of every push:
    /// sizes are computed first, then fields are stored through a raw pointer).
    public static func encode(_ batch: PushBatch) -> [UInt8] {
        let labelBytes = batch.streams.map { Array($0.labels.utf8) }
        let metaBytes: [[([UInt8], [UInt8])]] = batch.metadata.map { $0.map { (Array($0.name.utf8), Array($0.value.utf8)) } }
        var size = uvarintSize(UInt64(batch.streams.count))
        for (si, st) in batch.streams.enumerated() {
            size += uvarintSize(UInt64(labelBytes[si].count)) + labelBytes[si].count + uvarintSize(UInt64(st.entries.count))
            var prev: Int64 = 0
            for e in st.entries {
                let d = e.timestamp &- prev
                prev = e.timestamp
                size += uvarintSize(UInt64(bitPattern: (d << 1) ^ (d >> 63))) + uvarintSize(UInt64(e.line.count)) + e.line.count
                if e.metadata < 0 {
                    size += 1
                } else {
                    let m = metaBytes[Int(e.metadata)]
                    size += uvarintSize(UInt64(m.count))
                    for (n, v) in m { size += uvarintSize(UInt64(n.count)) + n.count + uvarintSize(UInt64(v.count)) + v.count }
                }
            }
        }
        return [UInt8](unsafeUninitializedCapacity: size) { out, count in
            batch.bytes.withUnsafeBufferPointer { src in
                var w = RawWriter(base: out.baseAddress!)
                w.uvarint(UInt64(batch.streams.count))
                for (si, st) in batch.streams.enumerated() {
                    w.bytes(labelBytes[si])
                    w.uvarint(UInt64(st.entries.count))
                    var prev: Int64 = 0
                    for e in st.entries {
                        let d = e.timestamp &- prev
                        prev = e.timestamp
                        w.uvarint(UInt64(bitPattern: (d << 1) ^ (d >> 63)))
                        w.uvarint(UInt64(e.line.count))
                        w.copy(src.baseAddress! + e.line.lowerBound, e.line.count)
                        if e.metadata < 0 {
                            w.byte(0)
                        } else {
                            let m = metaBytes[Int(e.metadata)]
                            w.uvarint(UInt64(m.count))
                            for (n, v) in m {
                                w.bytes(n)
                                w.bytes(v)
                            }
                        }
                    }
                }
                precondition(w.offset == size, "PushRecord size computation and encoding disagree")
            }
            count = size
        }
    }

    /// Stores into memory already sized by the caller.
    struct RawWriter {
        let base: UnsafeMutablePointer<UInt8>
        var offset = 0

        @inline(__always) mutating func byte(_ b: UInt8) {
            base[offset] = b
            offset += 1
        }

        @inline(__always) mutating func uvarint(_ v: UInt64) {
            offset += storeUVarint(v, at: UnsafeMutableRawPointer(base + offset))
        }

        @inline(__always) mutating func copy(_ p: UnsafePointer<UInt8>, _ n: Int) {
            if n > 0 { (base + offset).update(from: p, count: n) }
            offset += n
        }

        /// Length-prefixed bytes.
        @inline(__always) mutating func bytes(_ b: [UInt8]) {
            uvarint(UInt64(b.count))
            b.withUnsafeBufferPointer { if let p = $0.baseAddress { copy(p, b.count) } }
        }
    }

    /// Decodes the payload of a `pushProtobuf` record: the body as the client sent it (snappy-
    /// compressed protobuf). Labels come back canonical, with their parsed sets, exactly as the
    /// distributor made them when it accepted the push.
    /// `labels` caches parsed label strings across calls (a replay sees the same streams in every
    /// record); it is emptied when it reaches `labelCacheLimit` entries.
    public static func decodeProtobuf(_ payload: [UInt8], labels cache: inout [String: LabelSet]) throws(CodecError) -> (batch: PushBatch, labelSets: [LabelSet]) {
        let plain = try Snappy.decompress(payload, maxOutput: maxProtobufBytes)
        var batch: PushBatch
        do { batch = try PushProtobuf.decode(plain) } catch {
            throw CodecError(.corrupt, codec: "wal protobuf push record", error.message)
        }
        var sets: [LabelSet] = []
        sets.reserveCapacity(batch.streams.count)
        for i in batch.streams.indices {
            let raw = batch.streams[i].labels
            let set: LabelSet
            if let known = cache[raw] {
                set = known
            } else {
                do { set = try LabelParser.parse(raw) } catch {
                    throw CodecError(.corrupt, codec: "wal protobuf push record", "stream labels \(raw) do not parse: \(error.message)")
                }
                if cache.count >= labelCacheLimit { cache.removeAll(keepingCapacity: true) }
                cache[raw] = set
            }
            batch.streams[i].labels = set.canonical
            sets.append(set)
        }
        return (batch, sets)
    }

    /// The largest decompressed body a `pushProtobuf` record may declare (the distributor's cap,
    /// `distributor.max_recv_msg_size`, is far below it for any sane configuration).
    static let maxProtobufBytes = 1 << 30
    public static let labelCacheLimit = 65536

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
