public import ChunkFormat
public import LogModel
import Logging

/// Chunk files in an object store: writes them, opens them (checking the checksum the index
/// recorded), and lists a tenant's chunks (checking each file whole) for an index rebuild.
public struct ChunkStore: Sendable {
    public let objects: any ObjectStore

    public init(objects: any ObjectStore) { self.objects = objects }

    /// Encodes and durably stores one chunk; returns its reference.
    public func put(header: ChunkHeader, blocks: [ChunkBlock]) throws -> ChunkRef {
        let parts = ChunkFile.encodeParts(header: header, blocks: blocks)
        let trailer = parts[parts.count - 1]
        let checksum = trailer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: trailer.count - 4, as: UInt32.self).littleEndian }
        let key = ChunkRef.key(tenant: header.tenant, labels: header.labels, minTime: header.minTime, maxTime: header.maxTime, checksum: checksum)
        // Content and name become durable before the chunk's index table is written
        // (`StoreIndex.writePending`); until then its records stay in the log.
        try objects.putSyncingLater(key, parts: parts)
        return ChunkRef(key: key, header: header.counting(blocks), checksum: checksum, size: parts.reduce(0) { $0 + $1.count })
    }

    /// Opens a chunk; a checksum other than the one recorded is reported as corruption.
    public func open(_ ref: ChunkRef) throws -> ChunkReader {
        let r = try ChunkReader(try objects.open(ref.key))
        guard r.checksum == ref.checksum else {
            throw ChunkFormatError(.checksum, section: "trailer", "\(ref.key) has checksum \(r.checksum), the index recorded \(ref.checksum)")
        }
        return r
    }

    /// Tenants with a chunk directory.
    public func tenants() throws -> [String] {
        try objects.list("").filter { (try? TenantID($0)) != nil }
    }

    /// Every chunk of `tenant` whose key passes `include`, from their headers once the whole file
    /// checks out (the index is rebuilt from these). Unreadable, torn or damaged files are returned
    /// in `bad`, not thrown.
    public func scan(tenant: String, include: (String) -> Bool = { _ in true }) throws -> (refs: [ChunkRef], bad: [(key: String, error: any Error)]) {
        var refs: [ChunkRef] = []
        var bad: [(String, any Error)] = []
        for key in try objects.list(tenant) where include(key) {
            do {
                guard let checksum = ChunkRef.id(ofKey: key)?.id.checksum else {
                    throw ChunkFormatError(.notAChunk, section: "name", "\(key) is not named like a chunk")
                }
                // Read and checked whole: a chunk written since the last index write may have been
                // torn by a crash (its records were still in the log, so it is not needed), and
                // must not be indexed.
                let reader = try ChunkReader(try objects.get(key))
                try reader.verifyChecksum()
                guard reader.checksum == checksum else {
                    throw ChunkFormatError(.checksum, section: "trailer", "\(key) has checksum \(reader.checksum), its name says \(checksum)")
                }
                let header = reader.header
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
