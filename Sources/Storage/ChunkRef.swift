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

    /// What a chunk key names, as numbers: the tenant, then `ChunkID`. Nil for a name that is not
    /// a chunk key (a tenant directory, then four dash-separated hex fields of 16, 16, 16 and 8
    /// digits, as `key(tenant:labels:minTime:maxTime:checksum:)` writes them).
    public static func id(ofKey key: String) -> (tenant: String, id: ChunkID)? {
        var key = key
        return key.withUTF8 { b -> (String, ChunkID)? in
            guard let slash = b.firstIndex(of: 0x2f), slash > 0, b.count - slash - 1 == 16 * 3 + 8 + 3 else { return nil }
            var i = slash + 1
            func field(_ width: Int, last: Bool) -> UInt64? {
                var v: UInt64 = 0
                for _ in 0..<width {
                    let c = b[i]
                    let d: UInt8
                    switch c {
                    case 0x30...0x39: d = c - 0x30
                    case 0x61...0x66: d = c - 0x61 + 10
                    case 0x41...0x46: d = c - 0x41 + 10
                    default: return nil
                    }
                    v = v << 4 | UInt64(d)
                    i += 1
                }
                if !last {
                    guard b[i] == 0x2d else { return nil }
                    i += 1
                }
                return v
            }
            guard let stream = field(16, last: false), let minTime = field(16, last: false), let maxTime = field(16, last: false),
                  let checksum = field(8, last: true) else { return nil }
            return (String(decoding: UnsafeBufferPointer(rebasing: b[..<slash]), as: UTF8.self),
                    ChunkID(stream: stream, minTime: Int64(bitPattern: minTime), maxTime: Int64(bitPattern: maxTime), checksum: UInt32(checksum)))
        }
    }

}

/// A chunk within its tenant, as its key names it: the stream's label hash, its time span and its
/// checksum (a set of every chunk of a volume costs 32 bytes a chunk, and no key strings are built).
public struct ChunkID: Hashable, Sendable {
    public var stream: UInt64
    public var minTime: Int64
    public var maxTime: Int64
    public var checksum: UInt32

    public init(stream: UInt64, minTime: Int64, maxTime: Int64, checksum: UInt32) {
        self.stream = stream
        self.minTime = minTime
        self.maxTime = maxTime
        self.checksum = checksum
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
