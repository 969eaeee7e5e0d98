import Logging
import LogModel
import Storage
import Testing
import TestSupport
@testable import Tool
import WriteAheadLog

struct IndexInspectionTests {
    /// An index of two tenants written by the store, as the server lays it out under one prefix.
    static func volume() throws -> (TestDirectory, [ChunkRef]) {
        let dir = TestDirectory()
        let store = ChunkStore(objects: try FilesystemObjectStore(root: dir.path + "/chunks"))
        let index = try StoreIndex(objects: try FilesystemObjectStore(root: dir.path + "/index"), chunks: store, logger: ToolHarness.logger)
        var refs: [ChunkRef] = []
        for (labels, tenant) in [(#"{app="api"}"#, "fake"), (#"{app="web"}"#, "fake"), (#"{app="db"}"#, "other")] {
            let r = try ToolHarness.chunk(store, labels: labels, tenant: tenant)
            index.add(r, labels: try LabelParser.parse(labels))
            refs.append(r)
        }
        try index.writePending()
        return (dir, refs)
    }

    @Test func tablesSeriesAndChunksAreListed() throws {
        let (dir, _) = try Self.volume()
        let r = SkaldTool.run(["index", "inspect", dir.path + "/index", "--series", "--json"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let j = try ToolHarness.json(r.out)
        let tables = try #require(j["tables"] as? [[String: Any]])
        #expect(tables.count == 2)
        #expect(Set(tables.compactMap { $0["tenant"] as? String }) == ["fake", "other"])
        #expect(tables.reduce(0) { $0 + ($1["chunks"] as? Int ?? 0) } == 3)
        let series = tables.flatMap { ($0["seriesList"] as? [[String: Any]]) ?? [] }.compactMap { $0["labels"] as? String }
        #expect(Set(series) == [#"{app="api"}"#, #"{app="web"}"#, #"{app="db"}"#])
        #expect(j["chunkDirectory"] as? String == dir.path + "/index/../chunks" || (j["chunkDirectory"] as? String)?.hasSuffix("/chunks") == true)
    }

    @Test func missingChunkAndDamagedTableAreFound() throws {
        let (dir, refs) = try Self.volume()
        _ = DurableFile.remove(dir.path + "/chunks/" + refs[1].key)
        let r = SkaldTool.run(["index", "inspect", dir.path + "/index"])
        #expect(r.status == 1)
        #expect(r.out.contains("chunk file \(refs[1].key) is missing"))
        // Damage a table file: it no longer matches the manifest.
        let x = try IndexInspection.inspect(dir.path + "/index", chunkDirectory: nil, listSeries: false)
        let table = dir.path + "/index/" + x.tables[0].path
        var b = ToolHarness.bytes(table)
        b[b.count / 2] ^= 0xFF
        try DurableFile.writeAtomically(b, to: table)
        let d = SkaldTool.run(["index", "inspect", dir.path + "/index", "--json"])
        #expect(d.status == 1)
        let tables = try #require(try ToolHarness.json(d.out)["tables"] as? [[String: Any]])
        #expect(tables.contains { $0["damage"] != nil })
    }

    @Test func emptyAndMissingDirectories() throws {
        let dir = TestDirectory()
        let none = SkaldTool.run(["index", "inspect", dir.path])
        #expect(none.status == 1 && none.out.contains("no manifest"))
        #expect(SkaldTool.run(["index", "inspect", dir.path + "/nope"]).status == 2)
    }
}
