import ChunkFormat
import Storage
import Testing
import TestSupport
@testable import Tool
import WriteAheadLog

struct ChunkInspectionTests {
    @Test func storedChunkIsDescribedAndSound() throws {
        let dir = TestDirectory()
        let store = ChunkStore(objects: try FilesystemObjectStore(root: dir.path))
        let ref = try ToolHarness.chunk(store, blocks: 4)
        let r = SkaldTool.run(["chunk", "inspect", dir.path + "/" + ref.key, "--json"])
        #expect(r.status == 0, "\(r.out)")
        let j = try ToolHarness.json(r.out)
        #expect(j["entries"] as? Int == 12 && j["tenant"] as? String == "fake" && j["labels"] as? String == #"{app="api"}"#)
        #expect((j["blocks"] as? [Any])?.count == 4 && j["encoding"] as? String == "lz4")
        #expect(SkaldTool.run(["chunk", "inspect", dir.path + "/" + ref.key]).out.contains("damage:\n  none"))
    }

    @Test func damagedBlockIsNamedAndOthersStillRead() throws {
        let dir = TestDirectory()
        let store = ChunkStore(objects: try FilesystemObjectStore(root: dir.path))
        let ref = try ToolHarness.chunk(store, blocks: 4)
        let path = dir.path + "/" + ref.key
        let reader = try ChunkReader(ToolHarness.bytes(path))
        var b = ToolHarness.bytes(path)
        b[reader.blocks[2].offset + 1] ^= 0xFF
        try DurableFile.writeAtomically(b, to: path)
        let r = SkaldTool.run(["chunk", "inspect", path, "--json"])
        #expect(r.status == 1)
        let blocks = try #require(try ToolHarness.json(r.out)["blocks"] as? [[String: Any]])
        #expect(blocks.count == 4)
        #expect(blocks[2]["damage"] != nil && blocks[0]["damage"] == nil && blocks[3]["damage"] == nil)
        #expect(SkaldTool.run(["chunk", "inspect", path]).out.contains("block 2: "))
    }

    @Test func truncatedGarbageAndMissingFiles() throws {
        let dir = TestDirectory()
        let store = ChunkStore(objects: try FilesystemObjectStore(root: dir.path))
        let ref = try ToolHarness.chunk(store)
        let path = dir.path + "/" + ref.key
        try DurableFile.writeAtomically(Array(ToolHarness.bytes(path).prefix(40)), to: path)
        let cut = SkaldTool.run(["chunk", "inspect", path])
        #expect(cut.status == 1 && cut.out.contains("damage:") && !cut.out.contains("  none"))
        try DurableFile.writeAtomically([], to: dir.path + "/empty")
        #expect(SkaldTool.run(["chunk", "inspect", dir.path + "/empty"]).status == 1)
        let missing = SkaldTool.run(["chunk", "inspect", dir.path + "/absent"])
        #expect(missing.status == 2 && missing.err.contains("absent"))
    }
}
