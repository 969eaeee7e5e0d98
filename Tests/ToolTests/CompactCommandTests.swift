import Foundation
import Logging
import LogModel
import Storage
import Testing
import TestSupport
@testable import Tool
import WriteAheadLog

/// `compact --once` over a volume a config describes: the server's compactor, refused while
/// another process holds the volume.
struct CompactCommandTests {
    static func volume() throws -> (TestDirectory, String) {
        let dir = TestDirectory()
        let store = ChunkStore(objects: try FilesystemObjectStore(root: dir.path + "/chunks"))
        let index = try StoreIndex(objects: try FilesystemObjectStore(root: dir.path + "/index"), chunks: store, logger: ToolHarness.logger)
        for i in 0..<5 {
            let labels = #"{app="api", n="\#(i)"}"#
            index.add(try ToolHarness.chunk(store, labels: labels, at: Int64(i) * 1000), labels: try LabelParser.parse(labels))
            try index.writePending() // a table each
        }
        let config = dir.path + "/skald.yaml"
        try DurableFile.writeAtomically(Array("auth_enabled: false\ncommon:\n  path_prefix: \(dir.path)\n".utf8), to: config)
        return (dir, config)
    }

    @Test func mergesTheTablesOfEachPeriod() throws {
        let (dir, config) = try Self.volume()
        // A chunk file no index lists: marked for deletion, reported.
        let store = ChunkStore(objects: try FilesystemObjectStore(root: dir.path + "/chunks"))
        let orphan = try ToolHarness.chunk(store, labels: #"{app="lost"}"#, at: 99_000)
        let r = SkaldTool.run(["compact", "--once", "-config.file=\(config)", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let j = try ToolHarness.json(r.out)
        #expect(j["tablesBefore"] as? Int == 5 && j["tablesAfter"] as? Int == 1 && j["groups"] as? Int == 1)
        #expect(j["orphans"] as? Int == 1 && (try? store.objects.size(orphan.key)) != nil, "marked, kept until the delete delay")
        let x = try IndexInspection.inspect(dir.path + "/index", chunkDirectory: nil, listSeries: false)
        #expect(x.tables.count == 1 && x.tables[0].chunks == 5 && x.isClean)
        let text = SkaldTool.run(["compact", "--once", "-config.file", config]).out
        #expect(text.contains("0 period(s) rewritten") && text.contains("0 chunk file(s) no index lists marked"), "\(text)")
    }

    @Test func refusedWhileTheVolumeIsHeldAndOnBadConfigs() throws {
        let (dir, config) = try Self.volume()
        let lock = try FileLock.acquire(dir.path + "/skald.lock")
        let r = SkaldTool.run(["compact", "--once", "-config.file=\(config)"])
        #expect(r.status == 2 && r.err.contains("locked by another process") && r.err.contains("compaction_interval"), "\(r.err)")
        withExtendedLifetime(lock) {}
        #expect(SkaldTool.run(["compact", "--once", "-config.file=/no/such.yaml"]).status == 2)
        try DurableFile.writeAtomically(Array("bogus_key: 1\n".utf8), to: dir.path + "/bad.yaml")
        let bad = SkaldTool.run(["compact", "--once", "-config.file=\(dir.path)/bad.yaml"])
        #expect(bad.status == 2 && bad.err.contains("bogus_key"))
        #expect(SkaldTool.run(["compact"]).status == 2)
    }
}
