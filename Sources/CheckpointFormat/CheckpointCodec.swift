public import ChunkFormat
public import Codecs

/// The checkpoint's prefix: the LSN it was taken at (every log record up to it had been applied to
/// the heads it captures) and when.
public struct CheckpointPrefix: Sendable, Equatable {
    public var lsn: UInt64
    public var createdUnixNano: Int64

    public init(lsn: UInt64, createdUnixNano: Int64) {
        self.lsn = lsn
        self.createdUnixNano = createdUnixNano
    }
}

/// A frame's header, before its payload is read.
public struct CheckpointFrameHeader: Sendable, Equatable {
    public var kind: CheckpointFrameKind
    public var length: Int
    public var checksum: UInt32
}

/// The end frame: how many chunk frames the file holds and their lowest LSN (UInt64.max with none).
public struct CheckpointEnd: Sendable, Equatable {
    public var chunks: UInt64
    public var lowestLSN: UInt64

    public init(chunks: UInt64, lowestLSN: UInt64) {
        self.chunks = chunks
        self.lowestLSN = lowestLSN
    }
}

/// One chunk of a checkpoint: a stream's open chunk so far, or a closed chunk not yet in the store.
public struct CheckpointChunk: Sendable {
    public var isOpen: Bool
    public var header: ChunkHeader
    public var blocks: [ChunkBlock]

    public init(isOpen: Bool, header: ChunkHeader, blocks: [ChunkBlock]) {
        self.isOpen = isOpen
        self.header = header
        self.blocks = blocks
    }
}

/// Encodes and decodes the pieces of a checkpoint file (docs/format/checkpoint.md): a prefix, chunk
/// frames, an end frame. Pure: the caller streams the pieces to and from disk, so neither side ever
/// holds the whole file. Decoders never trap: every length, kind and checksum is checked first.
public enum CheckpointCodec {
    // MARK: encoding

    public static func encodePrefix(_ p: CheckpointPrefix) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(CheckpointLayout.prefixSize)
        out.append(contentsOf: CheckpointLayout.magic)
        out.append(CheckpointLayout.currentVersion)
        out.append(contentsOf: [0, 0, 0])
        out.appendU64LE(p.lsn)
        out.appendU64LE(UInt64(bitPattern: p.createdUnixNano))
        out.appendU32LE(CRC32C.checksum(out))
        return out
    }

    /// A chunk frame's payload (a whole chunk file) and its header, as two parts to write in order.
    public static func encodeChunk(_ c: CheckpointChunk) -> (header: [UInt8], payload: [UInt8]) {
        let payload = ChunkFile.encode(header: c.header, blocks: c.blocks)
        return (frameHeader(kind: c.isOpen ? .openChunk : .closedChunk, payload: payload), payload)
    }

    /// The end frame, header and payload together.
    public static func encodeEnd(_ e: CheckpointEnd) -> [UInt8] {
        var payload: [UInt8] = []
        payload.appendU64LE(e.chunks)
        payload.appendU64LE(e.lowestLSN)
        return frameHeader(kind: .end, payload: payload) + payload
    }

    static func frameHeader(kind: CheckpointFrameKind, payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(CheckpointLayout.frameHeaderSize)
        out.appendU32LE(UInt32(payload.count))
        out.append(kind.rawValue)
        out.appendU32LE(frameChecksum(kind: kind.rawValue, payload: payload))
        return out
    }

    static func frameChecksum(kind: UInt8, payload: [UInt8]) -> UInt32 {
        CRC32C.checksum(payload, continuing: CRC32C.checksum([kind]))
    }

    // MARK: decoding

    public static func decodePrefix(_ bytes: [UInt8]) throws(CheckpointFormatError) -> CheckpointPrefix {
        guard bytes.count >= CheckpointLayout.prefixSize else {
            throw CheckpointFormatError(.malformed, section: "prefix", "file is \(bytes.count) bytes, shorter than the \(CheckpointLayout.prefixSize)-byte prefix")
        }
        guard Array(bytes[0..<4]) == CheckpointLayout.magic else {
            throw CheckpointFormatError(.notACheckpoint, section: "prefix", "magic is not SKCP")
        }
        guard CheckpointLayout.readableVersions.contains(bytes[4]) else {
            throw CheckpointFormatError(.notACheckpoint, section: "prefix",
                                        "version \(bytes[4]) is not one this build reads (\(CheckpointLayout.readableVersions.sorted())); upgrade Skald")
        }
        let crc = CRC32C.checksum(bytes[0..<24])
        let stored = le32(bytes, 24)
        guard stored == crc else {
            throw CheckpointFormatError(.checksum, section: "prefix", "CRC32C is \(hexDigits(UInt64(crc), width: 8)), the file says \(hexDigits(UInt64(stored), width: 8))")
        }
        return CheckpointPrefix(lsn: le64(bytes, 8), createdUnixNano: Int64(bitPattern: le64(bytes, 16)))
    }

    /// A frame header (`CheckpointLayout.frameHeaderSize` bytes); `at` names its offset in messages.
    public static func decodeFrameHeader(_ bytes: [UInt8], at offset: Int) throws(CheckpointFormatError) -> CheckpointFrameHeader {
        let section = "frame at \(offset)"
        guard bytes.count == CheckpointLayout.frameHeaderSize else {
            throw CheckpointFormatError(.malformed, section: section, "file ends inside a frame header (\(bytes.count) of \(CheckpointLayout.frameHeaderSize) bytes)")
        }
        let length = Int(le32(bytes, 0))
        guard let kind = CheckpointFrameKind(rawValue: bytes[4]) else {
            throw CheckpointFormatError(.malformed, section: section, "unknown frame kind \(bytes[4])")
        }
        guard length <= CheckpointLayout.maxFrameBytes else {
            throw CheckpointFormatError(.malformed, section: section, "frame length \(length) is over the \(CheckpointLayout.maxFrameBytes)-byte maximum")
        }
        if kind == .end && length != CheckpointLayout.endPayloadSize {
            throw CheckpointFormatError(.malformed, section: section, "end frame is \(length) bytes, not \(CheckpointLayout.endPayloadSize)")
        }
        let crc = le32(bytes, 5)
        return CheckpointFrameHeader(kind: kind, length: length, checksum: crc)
    }

    /// Checks a frame's payload against its header's checksum.
    public static func verify(_ h: CheckpointFrameHeader, payload: [UInt8], at offset: Int) throws(CheckpointFormatError) {
        guard payload.count == h.length else {
            throw CheckpointFormatError(.malformed, section: "frame at \(offset)", "file ends inside a frame (\(payload.count) of \(h.length) bytes)")
        }
        let actual = frameChecksum(kind: h.kind.rawValue, payload: payload)
        guard actual == h.checksum else {
            throw CheckpointFormatError(.checksum, section: "frame at \(offset)",
                                        "CRC32C is \(hexDigits(UInt64(actual), width: 8)), the frame says \(hexDigits(UInt64(h.checksum), width: 8))")
        }
    }

    /// A verified chunk frame's payload as a chunk (its blocks are checked when read, as in the store).
    public static func decodeChunk(_ h: CheckpointFrameHeader, payload: [UInt8], at offset: Int) throws(CheckpointFormatError) -> CheckpointChunk {
        guard h.kind != .end else { throw CheckpointFormatError(.malformed, section: "frame at \(offset)", "expected a chunk frame, found the end frame") }
        let reader: ChunkReader
        do {
            reader = try ChunkReader(payload)
        } catch {
            throw CheckpointFormatError(.malformed, section: "frame at \(offset)", "\(error)")
        }
        return CheckpointChunk(isOpen: h.kind == .openChunk, header: reader.header, blocks: (0..<reader.blocks.count).map(reader.block))
    }

    /// A verified end frame's payload.
    public static func decodeEnd(_ payload: [UInt8]) throws(CheckpointFormatError) -> CheckpointEnd {
        guard payload.count == CheckpointLayout.endPayloadSize else {
            throw CheckpointFormatError(.malformed, section: "end", "end frame is \(payload.count) bytes, not \(CheckpointLayout.endPayloadSize)")
        }
        return CheckpointEnd(chunks: le64(payload, 0), lowestLSN: le64(payload, 8))
    }

    /// Little-endian reads at an offset the caller has bounds-checked.
    static func le32(_ b: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[at + $1]) << (8 * UInt32($1)) }
    }

    static func le64(_ b: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
    }
}
