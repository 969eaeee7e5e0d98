import CheckpointFormat
import Foundation
import LogModel
import Storage
import Testing
import TestSupport
import WriteAheadLog
@testable import WritePath

/// Checkpoints: the log goes up to them, a restart reads them plus the tail, and no line is lost or
/// doubled across checkpoints, flushes, damage and the replay memory ceiling.
@Suite struct CheckpointTests {
    static let streams = [#"{app="one"}"#, #"{app="two"}"#, #"{app="three"}"#]

    func pushAll(_ h: ChunkHarness, _ prefix: String, count: Int) async throws {
        for s in Self.streams { try await h.push("\(prefix)\(s.count)", count: count, stream: s) }
    }

    func expected(_ prefix: String, count: Int) -> [String] {
        Self.streams.flatMap { s in (0..<count).map { "\(prefix)\(s.count)-\($0)" } }
    }

    func checkpointFiles(_ h: ChunkHarness) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: h.dir + "/wal")) ?? []).filter { $0.hasPrefix("checkpoint-") }
    }

    @Test func restartReadsTheCheckpointAndOnlyTheTailOfTheLog() async throws {
        let dir = TestDirectory()
        do {
            // 1 MiB chunks: nothing closes, so without a checkpoint the whole log would have to stay.
            let h = try ChunkHarness(dir: dir.path, segmentSize: 16 * 1024, targetSize: 1 << 20)
            try await pushAll(h, "a", count: 1000)
            #expect(h.chunkFiles.isEmpty)
            let before = h.segmentFiles.count
            #expect(before >= 8, "3000 lines of ~60 bytes should fill many 16 KiB segments, got \(before)")
            let r = try #require(try h.ingester.checkpoint())
            #expect(r.chunks == 3 && r.segmentsDeleted == before - 1, "\(r)")
            #expect(h.segmentFiles.count == 1)
            #expect(try h.ingester.checkpoint() == nil, "nothing new was applied")
            try await pushAll(h, "b", count: 100)
            h.ingester.stop(checkpoint: false) // as after kill -9: memory gone, checkpoint and log remain
        }
        do {
            let h = try ChunkHarness(dir: dir.path, segmentSize: 16 * 1024, targetSize: 1 << 20)
            let restore = try #require(h.ingester.lastRestore)
            #expect(restore.isComplete && restore.restoredOpen == 3 && restore.covered == 0)
            // 60 push records before the checkpoint, 6 after: replay read the 6 and at most the one segment the checkpoint left.
            #expect(h.replay.records <= 6 + 8, "replay read \(h.replay.records) records")
            #expect(h.lines().lines.sorted() == (expected("a", count: 1000) + expected("b", count: 100)).sorted())
            try await pushAll(h, "c", count: 50)
            h.ingester.stop() // a clean stop checkpoints: the next start replays nothing but the last segment's skipped records
        }
        let h = try ChunkHarness(dir: dir.path, segmentSize: 16 * 1024, targetSize: 1 << 20)
        #expect(h.segmentFiles.count <= 2)
        #expect(h.lines().lines.sorted() == (expected("a", count: 1000) + expected("b", count: 100) + expected("c", count: 50)).sorted())
        #expect(checkpointFiles(h).count == 1)
        h.ingester.stop()
    }

    /// Streams whose chunks never close (a trickle, huge target size): checkpoints alone keep the log bounded.
    @Test func logStaysBoundedWhenChunksNeverClose() async throws {
        let dir = TestDirectory()
        var most = 0
        do {
            let h = try ChunkHarness(dir: dir.path, segmentSize: 16 * 1024, targetSize: 1 << 30)
            for round in 0..<20 {
                try await h.push("w\(round)", count: 300)
                try h.ingester.checkpoint()
                h.ingester.sweep()
                most = max(most, h.segmentFiles.count)
            }
            #expect(h.chunkFiles.isEmpty)
            // 6000 lines of ~60 bytes is ~360 KiB: over 20 segments of 16 KiB if none were deleted.
            #expect(most <= 3, "the log kept \(most) segments")
            #expect(checkpointFiles(h).count == 1)
            h.ingester.stop(checkpoint: false)
        }
        let h = try ChunkHarness(dir: dir.path, segmentSize: 16 * 1024, targetSize: 1 << 30)
        let want = (0..<20).flatMap { r in (0..<300).map { "w\(r)-\($0)" } }
        #expect(h.lines().lines.sorted() == want.sorted())
        h.ingester.stop()
    }

    /// A chunk in the checkpoint that was flushed and indexed afterwards is not restored a second time.
    @Test func chunksFlushedAfterTheCheckpointAreNotRestoredTwice() async throws {
        let dir = TestDirectory()
        do {
            let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
            try await pushAll(h, "a", count: 300)
            try h.ingester.checkpoint()
            h.ingester.sweep(force: true)
            #expect(h.ingester.waitForFlushes(timeout: 10))
            h.ingester.writeIndex()
            #expect(h.chunkFiles.count == 3)
            try await pushAll(h, "b", count: 100)
            h.ingester.stop(checkpoint: false)
        }
        let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
        let restore = try #require(h.ingester.lastRestore)
        #expect(restore.covered == 3 && restore.restoredOpen == 0)
        #expect(h.lines().lines.sorted() == (expected("a", count: 300) + expected("b", count: 100)).sorted())
        h.ingester.stop()
    }

    /// Chunks that left memory before the capture are not in the checkpoint: it writes their tables first.
    @Test func checkpointWritesPendingIndexTablesFirst() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path, indexWriteInterval: 3600 * 1_000_000_000, targetSize: 1 << 20)
        try await pushAll(h, "a", count: 200)
        h.ingester.sweep(force: true)
        #expect(h.ingester.waitForFlushes(timeout: 10))
        #expect(h.index.pendingChunks == 3)
        try await pushAll(h, "b", count: 10)
        try h.ingester.checkpoint()
        #expect(h.index.pendingChunks == 0)
        h.ingester.stop()
    }

    /// With nothing in the log (everything flushed and its segments deleted), new records are still
    /// numbered above every flushed chunk: otherwise replay would take them for flushed ones and drop them.
    @Test func lsnsKeepRisingWhenTheLogIsEmpty() async throws {
        let dir = TestDirectory()
        var lastLSN: UInt64 = 0
        do {
            let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
            try await h.push("a", count: 200)
            h.ingester.sweep(force: true)
            #expect(h.ingester.waitForFlushes(timeout: 10))
            h.ingester.writeIndex()
            lastLSN = h.ingester.walStats!.lastLSN
            h.ingester.stop(checkpoint: false)
        }
        do {
            let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
            h.ingester.sweep() // the previous life's segment holds only flushed records: it goes
            #expect(h.segmentFiles.count == 1)
            h.ingester.stop(checkpoint: false)
        }
        do {
            let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
            #expect(h.replay.records == 0)
            #expect(h.replay.lastLSN >= lastLSN)
            try await h.push("b", count: 200)
            h.ingester.stop(checkpoint: false)
        }
        let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
        let want = (0..<200).map { "a-\($0)" } + (0..<200).map { "b-\($0)" }
        #expect(h.lines().lines.sorted() == want.sorted())
        h.ingester.stop()
    }

    /// An empty oldest segment (a start with no pushes) must not hide the flushed chunks whose
    /// records follow in later segments: replay still skips them.
    @Test func emptyOldestSegmentDoesNotHideFlushedRecords() async throws {
        let dir = TestDirectory()
        // Two idle starts of a build that opened a new segment every time: two empty segments
        // (this build opens the newest empty one again: 2, then 3 after the pushes).
        try DurableFile.createDirectory(dir.path + "/wal")
        for i: UInt64 in [1, 2] { try DurableFile.writeAtomically(WALFormat.segmentHeader(index: i), to: dir.path + "/wal/" + SegmentName.name(i)) }
        do {
            let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
            try await h.push("a", count: 200)
            h.ingester.stop(flush: true, checkpoint: false) // flushed and indexed; the log is not truncated after
            #expect(h.chunkFiles.count == 1)
        }
        let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
        #expect(h.segmentFiles.count == 3)
        #expect(h.lines().lines == (0..<200).map { "a-\($0)" })
        h.ingester.stop()
    }

    /// Replay over `replay_memory_ceiling` flushes and indexes chunks as it goes; a crash right after
    /// and a second replay neither lose nor double anything, and no chunk is indexed twice.
    @Test func replayMemoryCeilingFlushesWithoutDuplicates() async throws {
        let dir = TestDirectory()
        do {
            let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
            try await pushAll(h, "a", count: 1000)
            #expect(h.chunkFiles.isEmpty)
            h.ingester.stop(checkpoint: false)
        }
        let want = expected("a", count: 1000).sorted()
        var files = 0
        do {
            let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20, replayMemoryCeiling: 16 * 1024, ceilingCheckBytes: 4096)
            files = h.chunkFiles.count
            #expect(files >= 3, "replay should have flushed several times, flushed \(files) chunks")
            #expect(h.index.pendingChunks == 0)
            #expect(h.lines().lines.sorted() == want)
            h.ingester.stop(checkpoint: false)
        }
        let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20, replayMemoryCeiling: 16 * 1024, ceilingCheckBytes: 4096)
        #expect(h.lines().lines.sorted() == want)
        let indexed = h.index.totals().reduce(0) { $0 + $1.chunks }
        #expect(indexed == h.chunkFiles.count, "index lists \(indexed) chunks, the store holds \(h.chunkFiles.count)")
        #expect(h.chunkFiles.count >= files)
        h.ingester.stop()
    }

    /// A damaged end frame: every chunk still restores, but the checkpoint is not trusted to replace
    /// the log until a new one is written.
    @Test func damagedEndFrameRestoresChunksAndKeepsTheLog() async throws {
        let dir = TestDirectory()
        do {
            let h = try ChunkHarness(dir: dir.path, segmentSize: 16 * 1024, targetSize: 1 << 20)
            try await pushAll(h, "a", count: 300)
            try h.ingester.checkpoint()
            try await pushAll(h, "b", count: 300)
            h.ingester.stop(checkpoint: false)
        }
        let path = try #require(checkpointFilesIn(dir.path).first)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 3] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let h = try ChunkHarness(dir: dir.path, segmentSize: 16 * 1024, targetSize: 1 << 20)
        let restore = try #require(h.ingester.lastRestore)
        #expect(!restore.isComplete && restore.restoredOpen == 3)
        #expect(h.lines().lines.sorted() == (expected("a", count: 300) + expected("b", count: 300)).sorted())
        let segments = h.segmentFiles.count
        #expect(h.ingester.truncateLog() == 0, "the damaged checkpoint must not let the log go")
        #expect(h.segmentFiles.count == segments)
        try h.ingester.checkpoint()
        #expect(checkpointFilesIn(dir.path).count == 1 && checkpointFilesIn(dir.path).first != path)
        h.ingester.stop()
    }

    /// An unreadable checkpoint is set aside and start-up goes on with the log.
    @Test func unreadableCheckpointIsSetAside() async throws {
        let dir = TestDirectory()
        do {
            let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
            try await pushAll(h, "a", count: 100)
            try h.ingester.checkpoint()
            h.ingester.stop(checkpoint: false)
        }
        let path = try #require(checkpointFilesIn(dir.path).first)
        try Data("not a checkpoint at all, just some bytes".utf8).write(to: URL(fileURLWithPath: path))
        let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20)
        #expect(h.ingester.lastRestore == nil)
        #expect(FileManager.default.fileExists(atPath: path + ".corrupt"))
        // A 64 MiB segment was never deleted, so the log still holds every line.
        #expect(h.lines().lines.sorted() == expected("a", count: 100).sorted())
        h.ingester.stop()
    }

    /// Checkpoints taken while pushes keep arriving, then a crash: every line once.
    @Test func checkpointsDuringPushesLoseAndDoubleNothing() async throws {
        let dir = TestDirectory()
        do {
            let h = try ChunkHarness(dir: dir.path, segmentSize: 16 * 1024, targetSize: 8 * 1024)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (i, s) in Self.streams.enumerated() {
                    group.addTask { for round in 0..<10 { try await h.push("p\(i)r\(round)", count: 100, perBatch: 10, stream: s) } }
                }
                group.addTask {
                    for _ in 0..<30 {
                        _ = try h.ingester.checkpoint()
                        h.ingester.sweep()
                        try await Task.sleep(nanoseconds: 2_000_000)
                    }
                }
                try await group.waitForAll()
            }
            h.ingester.stop(checkpoint: false)
        }
        let h = try ChunkHarness(dir: dir.path, segmentSize: 16 * 1024, targetSize: 8 * 1024)
        let want = (0..<3).flatMap { i in (0..<10).flatMap { r in (0..<100).map { "p\(i)r\(r)-\($0)" } } }
        let got = h.lines().lines
        #expect(got.count == want.count)
        #expect(got.sorted() == want.sorted())
        h.ingester.stop()
    }

    func checkpointFilesIn(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/wal")) ?? [])
            .filter { CheckpointLayout.lsn(ofFileName: $0) != nil }.map { dir + "/wal/" + $0 }
    }
}
