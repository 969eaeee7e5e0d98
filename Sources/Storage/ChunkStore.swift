public import ChunkFormat
public import LogModel
import Logging

/// Chunk files in an object store: writes them, opens them (checking the checksum the index
/// recorded), and lists a tenant's chunks by reading only their headers.
public struct ChunkStore: Sendable {
    public let objects: any ObjectStore
    /// Bytes read to parse a header during `scan`; a chunk whose header is longer is read whole.
    static let headerProbeBytes = 16 * 1024

    public init(objects: any ObjectStore) { self.objects = objects }

    /// Encodes and durably stores one chunk; returns its reference.
    public func put(header: ChunkHeader, blocks: [ChunkBlock]) throws -> ChunkRef {
        let bytes = ChunkFile.encode(header: header, blocks: blocks)
        let checksum = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: bytes.count - 4, as: UInt32.self).littleEndian }
        let key = ChunkRef.key(tenant: header.tenant, labels: header.labels, minTime: header.minTime, maxTime: header.maxTime, checksum: checksum)
        // The name becomes durable before the chunk's index table is written (`StoreIndex.writePending`).
        try objects.putSyncingNameLater(key, bytes)
        return ChunkRef(key: key, header: header.counting(blocks), checksum: checksum, size: bytes.count)
    }

    /// Opens a chunk; a checksum other than the one recorded is reported as corruption.
    public func open(_ ref: ChunkRef) throws -> ChunkReader {
        let r = try ChunkReader(try objects.get(ref.key))
        guard r.checksum == ref.checksum else {
            throw ChunkFormatError(.checksum, section: "trailer", "\(ref.key) has checksum \(r.checksum), the index recorded \(ref.checksum)")
        }
        return r
    }

    /// Tenants with a chunk directory.
    public func tenants() throws -> [String] {
        try objects.list("").filter { (try? TenantID($0)) != nil }
    }

    /// Every chunk of `tenant` whose key passes `include`, from headers (the index is rebuilt from
    /// these). Unreadable files are returned in `bad`, not thrown.
    public func scan(tenant: String, include: (String) -> Bool = { _ in true }) throws -> (refs: [ChunkRef], bad: [(key: String, error: any Error)]) {
        var refs: [ChunkRef] = []
        var bad: [(String, any Error)] = []
        for key in try objects.list(tenant) where include(key) {
            do {
                guard let checksum = ChunkRef.checksum(ofKey: key) else {
                    throw ChunkFormatError(.notAChunk, section: "name", "\(key) is not named like a chunk")
                }
                var prefix = try objects.getPrefix(key, count: Self.headerProbeBytes)
                let header: ChunkHeader
                if let (_, h) = try? ChunkReader.header(fromPrefix: prefix) {
                    header = h
                } else {
                    prefix = try objects.get(key)
                    header = try ChunkReader.header(fromPrefix: prefix).header
                }
                guard header.tenant == tenant else {
                    throw ChunkFormatError(.malformed, section: "header", "\(key) says tenant \(header.tenant)")
                }
                refs.append(ChunkRef(key: key, header: header, checksum: checksum, size: try objects.size(key)))
            } catch {
                bad.append((key, error))
            }
        }
        return (refs, bad)
    }
}
