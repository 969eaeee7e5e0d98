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
        var c = ByteCursor(raw, codec: "chunk")
        var ts: Int64 = 0
        do {
            for _ in 0..<entries {
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
        try forEach(raw, entries: entries, section: section) { ts, line, _ in
            if keep(ts, line) {
                let offset = line.baseAddress.map { $0 - base } ?? 0
                out.append(EntrySpan(timestamp: ts, offset: UInt32(offset), length: UInt32(line.count)))
            }
        }
        return out
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
