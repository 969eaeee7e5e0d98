import Codecs

/// One compressed block and what the chunk's block index says about it.
public struct ChunkBlock: Sendable, Equatable {
    /// The block's bytes as stored (compressed with the chunk's encoding).
    public var bytes: [UInt8]
    public var rawLength: Int
    public var entries: Int
    public var minTime: Int64
    public var maxTime: Int64
    /// CRC32C of `bytes`.
    public var checksum: UInt32

    public init(bytes: [UInt8], rawLength: Int, entries: Int, minTime: Int64, maxTime: Int64, checksum: UInt32) {
        self.bytes = bytes
        self.rawLength = rawLength
        self.entries = entries
        self.minTime = minTime
        self.maxTime = maxTime
        self.checksum = checksum
    }

    /// Compresses a finished block payload.
    public init(sealing w: BlockWriter, encoding: ChunkEncoding) {
        let compressed = encoding.compress(w.bytes)
        self.init(bytes: compressed, rawLength: w.bytes.count, entries: w.entries,
                  minTime: w.entries == 0 ? 0 : w.minTime, maxTime: w.entries == 0 ? 0 : w.maxTime,
                  checksum: CRC32C.checksum(compressed))
    }

    /// Checks the checksum and decompresses; `section` names the block in errors.
    public func raw(encoding: ChunkEncoding, section: String = "block") throws -> [UInt8] {
        try bytes.withUnsafeBytes { b in
            try Self.raw(compressed: b, checksum: checksum, rawLength: rawLength, encoding: encoding, section: section)
        }
    }

    /// Checks and decompresses a block's bytes where they lie (an LZ4 block is not copied first).
    static func raw(compressed: UnsafeRawBufferPointer, checksum: UInt32, rawLength: Int, encoding: ChunkEncoding,
                    section: String) throws(ChunkFormatError) -> [UInt8] {
        guard CRC32C.checksum(compressed) == checksum else {
            throw ChunkFormatError(.checksum, section: section, "CRC32C mismatch over \(compressed.count) compressed bytes")
        }
        do {
            return try encoding.decompress(compressed, rawLength: rawLength)
        } catch {
            throw ChunkFormatError(.malformed, section: section, error.detail)
        }
    }
}
