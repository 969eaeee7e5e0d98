import Foundation
import Testing
import TestSupport
@testable import Agent

@Suite struct StampAnchorsTests {
    @Test func stampsFollowOffsetsAndSurviveARestart() throws {
        let dir = TestDirectory()
        let path = dir.path + "/p.yaml.stamps"
        let a = StampAnchors(path: path, maxLag: 1_000_000_000)
        let t0: Int64 = 1_700_000_000_000_000_000
        #expect(a.stamp("/f", offset: 0, now: t0) == t0)
        #expect(a.stamp("/f", offset: 100, now: t0 + 500_000_000) == t0 + 100, "within the lag: the anchor's time plus the offset")
        // Far behind the clock: a new anchor at this offset.
        #expect(a.stamp("/f", offset: 200, now: t0 + 5_000_000_000) == t0 + 5_000_000_000)
        try a.makeDurable()
        // After a crash, the same lines read again get the same stamps, even much later.
        let b = StampAnchors(path: path, maxLag: 1_000_000_000)
        #expect(b.stamp("/f", offset: 100, now: t0 + 99_000_000_000) == t0 + 100, "an earlier line keeps the older anchor")
        #expect(b.stamp("/f", offset: 250, now: t0 + 5_200_000_000) == t0 + 5_000_000_050)
    }

    @Test func resetPruneAndADamagedFile() throws {
        let dir = TestDirectory()
        let path = dir.path + "/s"
        let a = StampAnchors(path: path, maxLag: 10)
        _ = a.stamp("/f", offset: 0, now: 1000)
        _ = a.stamp("/f", offset: 50, now: 5000)
        _ = a.stamp("/f", offset: 90, now: 9000)
        a.prune(["/f": 60])
        try a.makeDurable()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "50 5000 /f\n90 9000 /f\n", "the anchor below the position that a re-read still needs is kept")
        a.reset("/f")
        #expect(a.stamp("/f", offset: 60, now: 7777) == 7777, "a rotated file starts fresh")
        try "garbage\n12 x /g\n5 6 /h\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(StampAnchors(path: path).stamp("/h", offset: 7, now: 8) == 8, "unreadable lines are skipped, readable ones kept")
    }
}
