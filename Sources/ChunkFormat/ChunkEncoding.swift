import Codecs

/// How a chunk's blocks are compressed (`ingester.chunk_encoding`). The raw values are written to
/// disk: never renumber them, only add.
public enum ChunkEncoding: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case none = 0
    case gzip = 1
    case lz4 = 2
    case snappy = 3

    /// Parses the config spelling. Loki also accepts `lz4-64k`, `lz4-256k`, `lz4-1M` and `lz4-4M`
    /// (LZ4 with different frame sizes); Skald compresses each block as one LZ4 block, so they all
    /// mean `lz4` here. `flate` and `zstd` are not supported and return nil.
    public init?(configName: String) {
        switch configName.lowercased() {
        case "none": self = .none
        case "gzip": self = .gzip
        case "lz4", "lz4-64k", "lz4-256k", "lz4-1m", "lz4-4m": self = .lz4
        case "snappy": self = .snappy
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .lz4: "lz4"
        case .snappy: "snappy"
        }
    }

    /// Compresses one block's raw payload (the codecs return arrays without spare capacity, so a
    /// block kept in memory costs its compressed size).
    public func compress(_ raw: [UInt8]) -> [UInt8] {
        switch self {
        case .none: raw
        case .gzip: Deflate.gzip(raw, level: 6)
        case .lz4: LZ4.compress(raw)
        case .snappy: Snappy.compress(raw)
        }
    }

    /// Decompresses one block whose raw size is known to be exactly `rawLength`.
    func decompress(_ bytes: UnsafeRawBufferPointer, rawLength: Int) throws(CodecError) -> [UInt8] {
        let out: [UInt8]
        switch self {
        case .none: out = Array(bytes)
        case .gzip: out = try Deflate.decompress(bytes, format: .gzip, maxOutput: rawLength)
        case .lz4: out = try LZ4.decompress(bytes, size: rawLength, maxOutput: ChunkLayout.maxBlockRawBytes)
        case .snappy: out = try Snappy.decompress(bytes, maxOutput: rawLength)
        }
        guard out.count == rawLength else {
            throw CodecError(.corrupt, codec: description, "block decompressed to \(out.count) bytes, its index says \(rawLength)")
        }
        return out
    }
}
