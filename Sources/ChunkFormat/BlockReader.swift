public import LogModel
import Codecs

/// Decodes a block's raw payload. Every length is checked against the bytes left before it is
/// used; any inconsistency (a count that does not match, bytes left over) throws, never traps.
public enum BlockReader {
    /// Calls `body` for each entry with its line bytes in place (valid only during the call).
    public static func forEach(
        _ raw: UnsafeRawBufferPointer, entries: Int, section: String = "block",
        _ body: (Int64, UnsafeRawBufferPointer, [Label]) throws -> Void
    ) throws {
        // The common entries in place; from the first other one (metadata, or damage) on, the checked way.
        var done = 0
        var ts: Int64 = 0
        var resume = 0
        if var w = PlainWalk(raw) {
            while done < entries, let e = w.next() {
                try body(e.timestamp, UnsafeRawBufferPointer(rebasing: raw[e.start..<(e.start + e.length)]), [])
                done += 1
            }
            (ts, resume) = (w.timestamp, w.offset)
        }
        var c = ByteCursor(raw, codec: "chunk", offset: resume)
        do {
            for _ in done..<entries {
                let z = try c.uvarint("timestamp delta")
                let delta = Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
                ts = ts &+ delta
                let n = try c.length(max: raw.count, "line length")
                let r = try c.range(n, "line")
                let pairs = try c.uvarint("metadata count")
                guard pairs <= UInt64(ChunkLayout.maxMetadataPairs) else {
                    throw ChunkFormatError(.malformed, section: section, "\(pairs) metadata pairs exceed the maximum of \(ChunkLayout.maxMetadataPairs)")
                }
                var meta: [Label] = []
                if pairs > 0 {
                    meta.reserveCapacity(Int(pairs))
                    for _ in 0..<Int(pairs) {
                        let name = try c.string(try c.length(max: raw.count, "metadata name length"), "metadata name")
                        let value = try c.string(try c.length(max: raw.count, "metadata value length"), "metadata value")
                        meta.append(Label(name, value))
                    }
                }
                try body(ts, UnsafeRawBufferPointer(rebasing: raw[r]), meta)
            }
        } catch let e as CodecError {
            throw ChunkFormatError(.malformed, section: section, e.detail)
        }
        guard c.isAtEnd else {
            throw ChunkFormatError(.malformed, section: section, "\(c.remaining) bytes left after its \(entries) entries")
        }
    }

    /// The entries of a raw payload as spans into it, those `keep` accepts (called with each
    /// entry's timestamp and line), in stored order. The whole payload is checked first: a block
    /// that fails part-way yields nothing but the error.
    public static func spans(
        _ raw: UnsafeRawBufferPointer, entries: Int, section: String = "block",
        keep: (Int64, UnsafeRawBufferPointer) -> Bool
    ) throws -> [EntrySpan] {
        var out: [EntrySpan] = []
        out.reserveCapacity(min(entries, raw.count / ChunkLayout.minEntryBytes))
        guard let base = raw.baseAddress else {
            try forEach(raw, entries: entries, section: section) { _, _, _ in }
            return out
        }
        if var w = PlainWalk(raw) {
            var done = 0
            while done < entries, let e = w.next() {
                done += 1
                if keep(e.timestamp, UnsafeRawBufferPointer(start: base + e.start, count: e.length)) {
                    out.append(EntrySpan(timestamp: e.timestamp, offset: UInt32(truncatingIfNeeded: e.start), length: UInt32(truncatingIfNeeded: e.length)))
                }
            }
            if done == entries && w.offset == raw.count { return out }
        }
        // Metadata, or something wrong: the checked walk gives the entries or the exact error.
        out.removeAll(keepingCapacity: true)
        try forEach(raw, entries: entries, section: section) { ts, line, _ in
            if keep(ts, line) {
                let offset = line.baseAddress.map { $0 - base } ?? 0
                out.append(EntrySpan(timestamp: ts, offset: UInt32(offset), length: UInt32(line.count)))
            }
        }
        return out
    }

    /// Reads the common entry — no metadata, every field well formed — in place, without a
    /// cursor. `next()` gives nil, and moves nothing, at the first thing it does not expect
    /// (metadata, a varint that is long or runs off the end, a length past the end); the caller
    /// goes on from `offset` and `timestamp` the checked way, which handles metadata or reports
    /// the exact error.
    struct PlainWalk {
        let p: UnsafePointer<UInt8>
        let end: Int
        var offset = 0
        var timestamp: Int64 = 0

        init?(_ raw: UnsafeRawBufferPointer) {
            guard let b = raw.baseAddress else { return nil }
            p = b.assumingMemoryBound(to: UInt8.self)
            end = raw.count
        }

        /// A varint of at most 9 bytes (63 bits: a timestamp delta, a length) from `i`.
        @inline(__always)
        private func varint(_ i: inout Int) -> UInt64? {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while i < end && shift < 63 {
                let b = p[i]
                i += 1
                v |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return v }
                shift += 7
            }
            return nil
        }

        /// The next entry's timestamp and line (start, length).
        @inline(__always)
        mutating func next() -> (timestamp: Int64, start: Int, length: Int)? {
            var i = offset
            guard let z = varint(&i) else { return nil }
            let ts = timestamp &+ Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
            guard let n = varint(&i), n <= UInt64(end - i) else { return nil }
            let start = i
            i += Int(n)
            guard i < end, p[i] == 0 else { return nil } // (no metadata: one zero byte)
            offset = i + 1
            timestamp = ts
            return (ts, start, Int(n))
        }
    }

    /// All entries of a raw payload.
    public static func entries(_ raw: [UInt8], count: Int, section: String = "block") throws -> [LogEntry] {
        var out: [LogEntry] = []
        out.reserveCapacity(min(count, raw.count / ChunkLayout.minEntryBytes))
        try raw.withUnsafeBytes { r in
            try forEach(r, entries: count, section: section) { ts, line, meta in
                out.append(LogEntry(timestamp: ts, line: Array(line), metadata: meta))
            }
        }
        return out
    }
}
