import Foundation
import Testing
import TestSupport
@testable import Tool
import WriteAheadLog

/// `wal inspect` / `wal verify` on logs the writer wrote: counts that match what was written, and
/// every damage case the server's replay handles found and named — without touching a file.
struct WALInspectionTests {
    @Test func cleanLogIsDescribedExactly() async throws {
        let dir = TestDirectory()
        try await ToolHarness.writeLog(dir.path, count: 40, segmentSize: 2048)
        let r = SkaldTool.run(["wal", "inspect", dir.path, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let j = try ToolHarness.json(r.out)
        #expect(j["records"] as? Int == 40)
        #expect(j["firstLSN"] as? Int == 1 && j["lastLSN"] as? Int == 40)
        let tenants = try #require(j["tenants"] as? [String: [String: Any]])
        #expect(tenants["a"]?["records"] as? Int == 20 && tenants["b"]?["records"] as? Int == 20)
        #expect(tenants["a"]?["entries"] as? Int == 80) // 20 records × (3 + 1)
        #expect(tenants["a"]?["streams"] as? Int == 2) // api, and web with p0 only
        #expect(tenants["b"]?["streams"] as? Int == 2)
        let segments = try #require(j["segments"] as? [[String: Any]])
        #expect(segments.count == ToolHarness.segments(dir.path).count && segments.count > 2)
        #expect(segments.reduce(0) { $0 + ($1["records"] as? Int ?? 0) } == 40)
        // Segments hold consecutive LSN ranges.
        var next = 1
        for s in segments where (s["records"] as? Int ?? 0) > 0 {
            #expect(s["firstLSN"] as? Int == next)
            next = (s["lastLSN"] as? Int ?? 0) + 1
        }
        #expect((j["damage"] as? [Any])?.isEmpty == true)
        let v = SkaldTool.run(["wal", "verify", dir.path])
        #expect(v.status == 0 && v.out.contains("clean") && v.out.contains("40 records"))
        let text = SkaldTool.run(["wal", "inspect", dir.path])
        #expect(text.status == 0 && text.out.contains("tenants:") && text.out.contains("damage:\n  none"))
    }

    enum Damage: CaseIterable { case tornTail, corruptRegion, badHeader, missingSegment }

    /// Damages a log of several segments the way each case does; returns the segment damaged.
    static func damage(_ dir: String, _ d: Damage) -> String {
        let segs = ToolHarness.segments(dir)
        switch d {
        case .tornTail:
            let last = dir + "/" + segs.last!
            var b = ToolHarness.bytes(last)
            b += [0x40, 0, 0, 0, 1, 2, 3] // a frame header whose body never arrived
            try! DurableFile.writeAtomically(b, to: last)
            return segs.last!
        case .corruptRegion:
            let mid = dir + "/" + segs[1]
            var b = ToolHarness.bytes(mid)
            for i in 60..<70 { b[i] ^= 0xFF }
            try! DurableFile.writeAtomically(b, to: mid)
            return segs[1]
        case .badHeader:
            let mid = dir + "/" + segs[1]
            var b = ToolHarness.bytes(mid)
            b[0] = 0x58
            try! DurableFile.writeAtomically(b, to: mid)
            return segs[1]
        case .missingSegment:
            _ = DurableFile.remove(dir + "/" + segs[1])
            return segs[1]
        }
    }

    @Test(arguments: Damage.allCases)
    func verifyNamesEachDamageAndChangesNothing(_ d: Damage) async throws {
        let dir = TestDirectory()
        try await ToolHarness.writeLog(dir.path, count: 30, segmentSize: 1024)
        let segment = Self.damage(dir.path, d)
        let before = dir.files().map { ($0, ToolHarness.bytes(dir.path + "/" + $0)) }
        let v = SkaldTool.run(["wal", "verify", dir.path])
        #expect(v.status == 1)
        #expect(v.out.contains("DAMAGED segment \(segment) offset "), "\(v.out)")
        let j = try ToolHarness.json(SkaldTool.run(["wal", "verify", dir.path, "--json"]).out)
        let damage = try #require(j["damage"] as? [[String: Any]])
        #expect(damage.contains { $0["segment"] as? String == segment })
        let after = dir.files().map { ($0, ToolHarness.bytes(dir.path + "/" + $0)) }
        #expect(before.map(\.0) == after.map(\.0))
        #expect(zip(before, after).allSatisfy { $0.1 == $1.1 })
    }

    @Test func damagedCheckpointIsReported() async throws {
        let dir = TestDirectory()
        try await ToolHarness.writeLog(dir.path, count: 5)
        try DurableFile.writeAtomically(Array("SKCP but not really a checkpoint".utf8), to: dir.path + "/checkpoint-0000000000000005.skcp")
        let v = SkaldTool.run(["wal", "verify", dir.path])
        #expect(v.status == 1 && v.out.contains("DAMAGED checkpoint checkpoint-0000000000000005.skcp"))
    }
}
