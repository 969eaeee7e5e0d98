import ChunkFormat
import LogModel
import Storage
import Testing
import TestSupport
import WriteAheadLog

/// Chunk files are written as parts (the blocks where they are held): the file on disk must be
/// exactly the one-buffer encoding, however many parts there are.
struct ChunkStoreTests {
    static func blocks(_ count: Int) -> [ChunkBlock] {
        (0..<count).map { i in
            var w = BlockWriter()
            for k in 0..<3 { w.append(LogEntry(timestamp: Int64(i * 10 + k), line: Array("block \(i) line \(k) ".utf8) + [UInt8](repeating: UInt8(97 + i % 26), count: i % 40))) }
            return ChunkBlock(sealing: w, encoding: .lz4)
        }
    }

    static func header(_ blocks: [ChunkBlock]) -> ChunkHeader {
        ChunkHeader(encoding: .lz4, tenant: "fake", labels: #"{app="api"}"#, minLSN: 1, maxLSN: 2,
                    minTime: blocks.map(\.minTime).min()!, maxTime: blocks.map(\.maxTime).max()!)
    }

    @Test(arguments: [1, 2, 511, 512, 513, 1500])
    func storedFileIsTheOneBufferEncoding(blockCount: Int) throws {
        let dir = TestDirectory()
        let store = ChunkStore(objects: try FilesystemObjectStore(root: dir.path))
        let blocks = Self.blocks(blockCount)
        let header = Self.header(blocks)
        let ref = try store.put(header: header, blocks: blocks)
        let onDisk = try DurableFile.read(dir.path + "/" + ref.key)
        let whole = ChunkFile.encode(header: header, blocks: blocks)
        let same = onDisk == whole // (compared apart so a failure does not print both files)
        #expect(same)
        #expect(ref.size == whole.count)
        let r = try store.open(ref)
        #expect(r.blocks.count == blockCount)
        #expect(try r.entries(ofBlock: blockCount - 1).map(\.timestamp) == [0, 1, 2].map { Int64((blockCount - 1) * 10 + $0) })
    }

    /// The filesystem store maps chunks for queries: the mapped reader sees what the array reader
    /// sees, keeps working after the file is deleted, and an empty or damaged file is an error.
    @Test func mappedChunkReadsLikeTheArray() throws {
        let dir = TestDirectory()
        let objects = try FilesystemObjectStore(root: dir.path)
        let store = ChunkStore(objects: objects)
        let blocks = Self.blocks(40)
        let ref = try store.put(header: Self.header(blocks), blocks: blocks)
        let mapped = try store.open(ref)
        guard case .region = mapped.bytes else { Issue.record("the filesystem store did not map the chunk"); return }
        let copied = try ChunkReader(try objects.get(ref.key))
        try objects.delete(ref.key)
        for i in 0..<40 { #expect(try mapped.entries(ofBlock: i) == copied.entries(ofBlock: i)) }
        try mapped.verifyChecksum()

        try DurableFile.writeAtomically([], to: dir.path + "/" + ref.key)
        #expect(throws: ChunkFormatError.self) { try store.open(ref) }
        try DurableFile.writeAtomically(Array(copied.bytes.array.prefix(100)), to: dir.path + "/" + ref.key)
        #expect(throws: ChunkFormatError.self) { try store.open(ref) }
    }
}
