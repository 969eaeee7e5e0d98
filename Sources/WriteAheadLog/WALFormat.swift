public import Codecs

/// The byte layout of segment files (specified in docs/format/wal.md; change both together).
///
/// Segment header (20 bytes): magic "SKWL" | version u8 | 3 reserved zero bytes | segment index u64le | CRC32C of the 16 bytes before it.
/// Record frame: body length u32le | CRC32C(body) u32le | body.
/// Body: LSN u64le | type u8 | tenant length u8 | tenant bytes | payload.
public enum WALFormat {
    public static let magic: [UInt8] = Array("SKWL".utf8)
    /// The version written now; readers accept every version listed in `readableVersions`.
    public static let currentVersion: UInt8 = 2
    /// Version 2 added record type 2 (`pushProtobuf`); its segments are otherwise laid out as version 1's.
    public static let readableVersions: Set<UInt8> = [1, 2]
    public static let segmentHeaderSize = 20
    /// Frame prefix: length + CRC.
    public static let frameHeaderSize = 8
    /// Body prefix before the tenant bytes: LSN + type + tenant length.
    public static let bodyFixedSize = 10
    /// A record body larger than this is corruption, never data: the push body cap (64 MiB
    /// decompressed) plus framing overhead stays far below it.
    public static let maxRecordBodySize = 256 << 20

    /// Record types. Numeric values reach disk: never renumber.
    public enum RecordType: UInt8, Sendable {
        /// A validated push batch (`PushRecord` payload).
        case push = 1
        /// A push body stored as the client sent it: a snappy-compressed protobuf `PushRequest`
        /// every stream and entry of which was accepted (`PushRecord.decodeProtobuf`). Since version 2.
        case pushProtobuf = 2
    }

    public static func segmentHeader(index: UInt64) -> [UInt8] {
        var h = magic
        h.append(currentVersion)
        h.append(contentsOf: [0, 0, 0])
        h.appendU64LE(index)
        h.appendU32LE(CRC32C.checksum(h))
        return h
    }

    /// Validates a segment header; returns the segment index it names.
    public static func readSegmentHeader(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> UInt64 {
        guard bytes.count >= segmentHeaderSize else {
            throw CodecError(.truncated, codec: "wal", "segment header needs \(segmentHeaderSize) bytes, file has \(bytes.count)")
        }
        guard Array(bytes[0..<4]) == magic else { throw CodecError(.corrupt, codec: "wal", "segment does not start with magic SKWL") }
        let crc = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<16])) == crc else {
            throw CodecError(.corrupt, codec: "wal", "segment header checksum mismatch")
        }
        guard readableVersions.contains(bytes[4]) else {
            throw CodecError(.corrupt, codec: "wal", "segment format version \(bytes[4]) is not one this build reads (\(readableVersions.sorted()))")
        }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// Appends one framed record to `out`.
    public static func appendRecord(to out: inout [UInt8], lsn: UInt64, type: RecordType, tenant: String, payload: [UInt8]) {
        let tenantBytes = Array(tenant.utf8)
        precondition(tenantBytes.count <= 255, "tenant ids are validated to ≤ 150 bytes before reaching the WAL")
        let start = out.count
        out.appendU32LE(0)
        out.appendU32LE(0)
        out.appendU64LE(lsn)
        out.append(type.rawValue)
        out.append(UInt8(tenantBytes.count))
        out.append(contentsOf: tenantBytes)
        out.append(contentsOf: payload)
        let bodyLen = out.count - start - frameHeaderSize
        out.storeU32LE(UInt32(bodyLen), at: start)
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + frameHeaderSize)...])) }
        out.storeU32LE(crc, at: start + 4)
    }

    /// The frame of a record without its payload: length, CRC (covering the payload too), LSN, type
    /// and tenant. Written followed by the payload, it is byte-identical to `appendRecord`'s output;
    /// the writer uses it to hand payloads to `writev` without copying them.
    public static func frameHeader(lsn: UInt64, type: RecordType, tenant: String, payload: [UInt8]) -> [UInt8] {
        let tenantBytes = Array(tenant.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(frameHeaderSize + bodyFixedSize + tenantBytes.count)
        out.appendU32LE(UInt32(bodyFixedSize + tenantBytes.count + payload.count))
        out.appendU32LE(0)
        out.appendU64LE(lsn)
        out.append(type.rawValue)
        out.append(UInt8(tenantBytes.count))
        out.append(contentsOf: tenantBytes)
        let head = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[frameHeaderSize...])) }
        out.storeU32LE(CRC32C.checksum(payload, continuing: head), at: 4)
        return out
    }

    /// Size of the frame `appendRecord` would write.
    public static func frameSize(tenant: String, payloadCount: Int) -> Int {
        frameHeaderSize + bodyFixedSize + tenant.utf8.count + payloadCount
    }
}

/// One record as read back from the log.
public struct WALRecord: Sendable {
    public let lsn: UInt64
    public let type: WALFormat.RecordType
    public let tenant: String
    public let payload: [UInt8]

    public init(lsn: UInt64, type: WALFormat.RecordType, tenant: String, payload: [UInt8]) {
        self.lsn = lsn
        self.type = type
        self.tenant = tenant
        self.payload = payload
    }
}
