import Foundation
import HTTPProbe
import Testing
import TestSupport

/// A small tmpfs stands in for a full PersistentVolume (needs permission to mount, as root in CI;
/// elsewhere the suite is skipped and says so).
enum SmallVolume {
    static let canMount: Bool = {
        let probe = TestDirectory()
        guard mount(probe.path, megabytes: 1) else {
            print("FullVolumeTests skipped: mounting a tmpfs needs root (run as root, as CI does, to cover the full-volume behaviour)")
            return false
        }
        unmount(probe.path)
        return true
    }()

    static func mount(_ path: String, megabytes: Int) -> Bool {
        run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path])
    }

    static func unmount(_ path: String) { _ = run("/bin/umount", [path]) }

    static func run(_ tool: String, _ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}

@Suite(.serialized, .enabled(if: SmallVolume.canMount)) struct FullVolumeTests {
    /// Pushes fill the volume: they get 503 with a clear message and a metric, queries keep working,
    /// the server restarts on the full volume, and pushes succeed again once space returns — with
    /// every acknowledged line still there exactly once.
    @Test func fullVolumeRefusesPushesKeepsServingAndRecovers() throws {
        let dir = TestDirectory()
        let volume = dir.path + "/volume"
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        #expect(SmallVolume.mount(volume, megabytes: 6))
        defer { SmallVolume.unmount(volume) }
        // Room to free later: a filler file on the same volume.
        try Data(count: 1 << 20).write(to: URL(fileURLWithPath: volume + "/filler"))
        let config = ServerProcess.config().replacingOccurrences(of: "$DATA", with: volume + "/data")
            .replacingOccurrences(of: "    fsync: always", with: "    fsync: always\n    segment_size: 64KB")
        let server = try ServerProcess(dir: dir.path, config: config)
        try server.start()
        let c = server.connection()
        var acked: [String] = []
        var refused: HTTPConnection.Response?
        let t = Bodies.now
        for batch in 0..<400 {
            let lines = (0..<50).map { "b\(batch)-\($0) " + String(repeating: "x", count: 1000) }
            let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                  body: Bodies.json([("app=full", lines.enumerated().map { (t + Int64(batch * 50 + $0.offset), $0.element) })]))
            if r.status == 204 { acked += lines } else { refused = r; break }
        }
        let r = try #require(refused, "6 MiB never filled up")
        #expect(r.status == 503)
        #expect(r.text.contains("the data volume is full") && r.text.contains("free space or grow the volume"), "\(r.text)")
        #expect(acked.count > 100)
        #expect(try c.lines(#"{app="full"}"#).sorted() == acked.sorted(), "queries keep working on a full volume")
        #expect(try c.request("GET", "/metrics").text.contains("skald_wal_volume_full 1"))
        #expect(try c.request("GET", "/ready").status == 200)

        // It still starts on a full volume (replay needs no space), and serves what it has.
        #expect(server.stop() == 0)
        try server.start()
        let c2 = server.connection()
        #expect(try c2.lines(#"{app="full"}"#).sorted() == acked.sorted())
        let stillFull = try c2.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                       body: Bodies.json([("app=full", [(t + 9_000_000, "while full " + String(repeating: "y", count: 200_000))])]))
        #expect(stillFull.status == 503)

        // Space returns: pushes succeed again by themselves.
        try FileManager.default.removeItem(atPath: volume + "/filler")
        let after = try c2.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")],
                                   body: Bodies.json([("app=full", [(t + 10_000_000, "after space returned")])]))
        #expect(after.status == 204, "\(after.text)")
        #expect(try c2.request("GET", "/metrics").text.contains("skald_wal_volume_full 0"))
        server.crash()
        try server.start()
        let final = try server.connection().lines(#"{app="full"}"#)
        #expect(final.sorted() == (acked + ["after space returned"]).sorted())
        server.stop()
    }
}
