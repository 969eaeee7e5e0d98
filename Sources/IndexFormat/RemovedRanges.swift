public import Codecs

/// The log ranges of chunks retention (or a delete) took out of the index for good, per tenant and
/// stream. Replay treats them as covered, exactly like indexed chunks, so records still in the
/// write-ahead log or a checkpoint never bring removed lines back. Entries whose LSNs lie below
/// everything the log and the checkpoint still hold are pruned. One file, `<index>/REMOVED`,
/// replaced atomically before the manifest that drops the chunks (docs/format/index.md).
public struct RemovedRanges: Sendable, Equatable {
    public struct Entry: Sendable, Equatable, Hashable {
        public var tenant: String
        /// The stream's canonical labels.
        public var labels: String
        public var minLSN: UInt64
        public var maxLSN: UInt64

        public init(tenant: String, labels: String, minLSN: UInt64, maxLSN: UInt64) {
            self.tenant = tenant
            self.labels = labels
            self.minLSN = minLSN
            self.maxLSN = maxLSN
        }
    }

    public static let magic: [UInt8] = Array("SKRM".utf8)
    public static let version: UInt8 = 1
    public static let maxEntries = 1 << 24

    public var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    public func encode() -> [UInt8] {
        var out = Self.magic + [Self.version, 0, 0, 0]
        out.appendUVarint(UInt64(entries.count))
        for e in entries {
            IndexTableWriter.appendString(e.tenant, to: &out)
            IndexTableWriter.appendString(e.labels, to: &out)
            out.appendU64LE(e.minLSN)
            out.appendU64LE(e.maxLSN)
        }
        out.appendU32LE(CRC32C.checksum(out))
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws(IndexFormatError) -> RemovedRanges {
        let r = bytes.withUnsafeBytes { raw in Result { () throws(IndexFormatError) in try decode(raw) } }
        return try r.get()
    }

    static func decode(_ raw: UnsafeRawBufferPointer) throws(IndexFormatError) -> RemovedRanges {
        guard raw.count >= 8 + 1 + 4, Array(raw[0..<4]) == magic else {
            throw IndexFormatError(.notAnIndex, section: "removed ranges", "not a Skald removed-ranges file (no SKRM magic, or too short)")
        }
        guard raw[4] == version else {
            throw IndexFormatError(.notAnIndex, section: "removed ranges", "version \(raw[4]) is not readable by this build")
        }
        let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self))
        guard stored == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])) else {
            throw IndexFormatError(.checksum, section: "removed ranges", "CRC32C mismatch")
        }
        var c = ByteCursor(UnsafeRawBufferPointer(rebasing: raw[8..<(raw.count - 4)]), codec: "removed ranges")
        return try IndexFormatError.reading("removed ranges") { () throws -> RemovedRanges in
            let n = try IndexTable.count(&c, max: min(maxEntries, c.remaining / 18), "entry count")
            var entries: [Entry] = []
            entries.reserveCapacity(n)
            for _ in 0..<n {
                let tenant = try c.string(c.length(max: 150, "tenant"), "tenant")
                let labels = try c.string(c.length(max: IndexLayout.maxSymbolBytes, "labels"), "labels")
                let lo = try c.u64le("min LSN"), hi = try c.u64le("max LSN")
                guard lo <= hi else { throw IndexFormatError(.malformed, section: "removed ranges", "LSN range \(lo)…\(hi) runs backwards") }
                entries.append(Entry(tenant: tenant, labels: labels, minLSN: lo, maxLSN: hi))
            }
            try IndexTable.atEnd(c, "removed ranges")
            return RemovedRanges(entries: entries)
        }
    }
}
