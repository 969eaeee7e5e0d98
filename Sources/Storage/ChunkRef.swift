import Codecs
public import ChunkFormat

/// Where one flushed chunk is and what it covers: what the index keeps per chunk, enough to prune
/// by time and to skip already-flushed log records on replay without opening the file.
public struct ChunkRef: Sendable, Equatable {
    /// Object key: `<tenant>/<stream hash>-<min time>-<max time>-<checksum>` (hex).
    public var key: String
    public var header: ChunkHeader
    /// The chunk's whole-file CRC32C (also in its name), so a replaced file is noticed.
    public var checksum: UInt32
    public var size: Int

    public init(key: String, header: ChunkHeader, checksum: UInt32, size: Int) {
        self.key = key
        self.header = header
        self.checksum = checksum
        self.size = size
    }

    /// Whether the chunk can hold entries in [start, end).
    public func overlaps(start: Int64, end: Int64) -> Bool {
        header.minTime < end && header.maxTime >= start
    }

    /// The object key for a chunk of `labels` (canonical) with the given span and checksum.
    public static func key(tenant: String, labels: String, minTime: Int64, maxTime: Int64, checksum: UInt32) -> String {
        "\(tenant)/\(hex(StreamHash.fnv64(labels), 16))-\(hex(UInt64(bitPattern: minTime), 16))-\(hex(UInt64(bitPattern: maxTime), 16))-\(hex(UInt64(checksum), 8))"
    }

    static func hex(_ v: UInt64, _ width: Int) -> String { hexDigits(v, width: width) }

    /// A 64-bit hash of a key, for sets of every chunk of a volume (`StoreIndex.chunkKeyHashes`).
    public static func keyHash(_ key: String) -> UInt64 { StreamHash.fnv64(key) }

    /// Whether `key` is named as `key(tenant:labels:minTime:maxTime:checksum:)` names chunks: a
    /// tenant directory, then four dash-separated hex fields of 16, 16, 16 and 8 digits.
    public static func isKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let fields = parts[1].split(separator: "-", omittingEmptySubsequences: false)
        return fields.map(\.count) == [16, 16, 16, 8] && fields.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// The first entry's time, parsed back out of a key (nil for a name that is not a chunk key).
    static func minTime(ofKey key: String) -> Int64? {
        let name = key.split(separator: "/").last ?? ""
        let fields = name.split(separator: "-")
        guard fields.count == 4, let v = UInt64(fields[1], radix: 16) else { return nil }
        return Int64(bitPattern: v)
    }

    /// Parses the checksum back out of a key's last field.
    static func checksum(ofKey key: String) -> UInt32? {
        guard let dash = key.lastIndex(of: "-") else { return nil }
        return UInt32(key[key.index(after: dash)...], radix: 16)
    }
}

/// A stable 64-bit hash of a stream's canonical labels (FNV-1a): the same on every run and machine,
/// unlike Swift's seeded `Hasher`, so it can name files.
public enum StreamHash {
    public static func fnv64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h &*= 0x100_0000_01b3
        }
        return h
    }
}
