import Foundation
import Testing
import TestSupport
@testable import Agent

@Suite struct PositionsFileTests {
    @Test func readsPromtailsFormatAndWritesItBack() throws {
        let dir = TestDirectory()
        let path = dir.path + "/positions.yaml"
        // What Promtail 2.8 writes (journal cursors are kept aside, not read as offsets).
        try """
            positions:
              /var/log/pods/ns_web-1_uid/web/0.log: "52341"
              /var/log/app.log: "7"
              journal-job: s=abc;i=1
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let p = try PositionsFile(path: path, ignoreInvalid: false)
        #expect(p.offset("/var/log/pods/ns_web-1_uid/web/0.log") == 52341)
        #expect(p.offset("/var/log/app.log") == 7)
        p.set("/var/log/app.log", 99)
        p.set("/odd: \"name\".log", 5)
        try p.save()
        let again = try PositionsFile(path: path, ignoreInvalid: false)
        #expect(again.offset("/var/log/app.log") == 99)
        #expect(again.offset("/odd: \"name\".log") == 5)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("positions:\n"))
    }

    @Test func aDamagedFileIsRefusedUnlessIgnored() throws {
        let dir = TestDirectory()
        let path = dir.path + "/positions.yaml"
        try "positions: [this is: not {valid".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: AgentConfigError.self) { try PositionsFile(path: path, ignoreInvalid: false) }
        let p = try PositionsFile(path: path, ignoreInvalid: true)
        #expect(p.all.isEmpty)
        let missing = try PositionsFile(path: dir.path + "/none/positions.yaml", ignoreInvalid: false)
        missing.set("/a", 1)
        try missing.save()
        #expect(FileManager.default.fileExists(atPath: dir.path + "/none/positions.yaml"))
    }

    @Test func theTrackerMovesOnlyAsFarAsEveryClientAndNeverOntoANewFile() throws {
        let dir = TestDirectory()
        let p = try PositionsFile(path: dir.path + "/p.yaml", ignoreInvalid: false)
        let t = PositionTracker(positions: p, clients: 2)
        t.acknowledge("/f", .init(generation: 0, offset: 100), client: 0)
        #expect(p.offset("/f") == nil, "one client is not all of them")
        t.acknowledge("/f", .init(generation: 0, offset: 40), client: 1)
        #expect(p.offset("/f") == 40)
        t.acknowledge("/f", .init(generation: 0, offset: 30), client: 1)
        #expect(p.offset("/f") == 40, "never backwards")
        // Rotation: client 0 reaches the new file first; the position stays at the old file's least…
        t.acknowledge("/f", .init(generation: 1, offset: 0), client: 0)
        #expect(p.offset("/f") == 40)
        // …until every client has moved to the new file.
        t.acknowledge("/f", .init(generation: 1, offset: 10), client: 1)
        #expect(p.offset("/f") == 0)
        t.forget("/f")
        #expect(p.offset("/f") == nil)
    }
}
