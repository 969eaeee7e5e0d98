import Testing
import TestSupport
@testable import Tool
import WriteAheadLog

/// `wal repair` does what the server's replay does, after a backup, and only once.
struct WALRepairTests {
    @Test(arguments: [WALInspectionTests.Damage.tornTail, .corruptRegion, .badHeader])
    func repairBacksUpThenLeavesWhatReplayWouldServe(_ d: WALInspectionTests.Damage) async throws {
        let dir = TestDirectory()
        try await ToolHarness.writeLog(dir.path, count: 30, segmentSize: 1024)
        let segment = WALInspectionTests.damage(dir.path, d)
        let damagedBytes = ToolHarness.bytes(dir.path + "/" + segment)
        let served = try ToolHarness.replayedLSNs(dir.path) // what a restarted server would apply
        let backup = TestDirectory()
        let r = SkaldTool.run(["wal", "repair", dir.path, "--backup", backup.path + "/b"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("repaired") && r.out.contains(segment))
        #expect(ToolHarness.bytes(backup.path + "/b/" + segment) == damagedBytes)
        let v = SkaldTool.run(["wal", "verify", dir.path])
        #expect(v.status == 0, "\(v.out)")
        var after: [UInt64] = []
        _ = try LogReader.replay(directory: dir.path, repair: false, logger: ToolHarness.logger) { after.append($0.lsn) }
        #expect(after == served)
        // Again: nothing to do, nothing backed up.
        let again = SkaldTool.run(["wal", "repair", dir.path, "--backup", backup.path + "/c", "--json"])
        #expect(again.status == 0)
        let j = try ToolHarness.json(again.out)
        #expect((j["repaired"] as? [Any])?.isEmpty == true && j["backup"] == nil)
        #expect(DurableFile.size(backup.path + "/c") == nil)
    }

    @Test func missingSegmentIsReportedNotRepaired() async throws {
        let dir = TestDirectory()
        try await ToolHarness.writeLog(dir.path, count: 30, segmentSize: 1024)
        let segment = WALInspectionTests.damage(dir.path, .missingSegment)
        let r = SkaldTool.run(["wal", "repair", dir.path])
        #expect(r.status == 0)
        #expect(r.out.contains("cannot repair: segment \(segment) is missing"))
        #expect(!dir.files().contains { $0.contains("backup") })
    }

    @Test func cleanLogIsLeftAlone() async throws {
        let dir = TestDirectory()
        try await ToolHarness.writeLog(dir.path, count: 10)
        let before = dir.files()
        let r = SkaldTool.run(["wal", "repair", dir.path])
        #expect(r.status == 0 && r.out.contains("nothing to repair"))
        #expect(dir.files() == before)
    }

    @Test func refusedWhileAServerHoldsTheVolume() async throws {
        let dir = TestDirectory()
        try await ToolHarness.writeLog(dir.path + "/wal", count: 10)
        _ = WALInspectionTests.damage(dir.path + "/wal", .tornTail)
        var lock: FileLock? = try FileLock.acquire(dir.path + "/skald.lock")
        let r = SkaldTool.run(["wal", "repair", dir.path + "/wal"])
        #expect(r.status == 2 && r.err.contains("stop the server"), "\(r.err)")
        #expect(lock != nil)
        lock = nil // the server stopped
        #expect(SkaldTool.run(["wal", "repair", dir.path + "/wal"]).status == 0)
    }
}
