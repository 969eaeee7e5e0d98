import Foundation
import LogModel
import Testing
import TestSupport
@testable import WritePath

/// `ingester.memory_budget`: many streams that never fill a block or a chunk still leave memory
/// within the budget, by early compression and early flushes, and every line stays exactly once.
@Suite struct MemoryBudgetTests {
    static let streams = (0..<40).map { #"{app="budget", pod="p\#($0)"}"# }

    @Test func earlyCutsAndEarlyFlushesKeepMemoryWithinTheBudget() async throws {
        let dir = TestDirectory()
        let budget = 96 * 1024
        do {
            // 1 MiB blocks and chunks: without the budget nothing would ever be compressed or flushed.
            let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20, blockSize: 1 << 20, memoryBudget: budget)
            for (i, s) in Self.streams.enumerated() { try await h.push("s\(i)", count: 100, stream: s) }
            let before = h.ingester.memoryBytes()
            #expect(before > budget, "the test must start over budget (\(before) bytes)")
            let first = h.ingester.enforceMemoryBudget()
            #expect(first.blocksCut > 0, "\(first)")
            h.ingester.waitForFlushes(timeout: 10)
            var report = h.ingester.enforceMemoryBudget()
            for _ in 0..<5 where h.ingester.memoryBytes() > budget {
                h.ingester.waitForFlushes(timeout: 10)
                report = h.ingester.enforceMemoryBudget()
            }
            h.ingester.waitForFlushes(timeout: 10)
            #expect(h.ingester.memoryBytes() <= budget, "still \(h.ingester.memoryBytes()) bytes after \(report)")
            #expect(!h.chunkFiles.isEmpty, "the budget should have flushed chunks early")
            let want = Self.streams.indices.flatMap { i in (0..<100).map { "s\(i)-\($0)" } }
            #expect(h.lines().lines.sorted() == want.sorted())
            h.ingester.stop(checkpoint: false)
        }
        let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20, blockSize: 1 << 20, memoryBudget: budget)
        let want = Self.streams.indices.flatMap { i in (0..<100).map { "s\(i)-\($0)" } }
        let got = h.lines().lines
        #expect(got.count == want.count)
        #expect(got.sorted() == want.sorted())
        h.ingester.stop()
    }

    /// Open chunks are closed from 80% of the budget (not only past it), down to 60%: the closed
    /// chunks wait for a flush worker while lines keep arriving, and must not push the total over.
    @Test func closingStartsBeforeTheBudgetIsReached() async throws {
        let dir = TestDirectory()
        let budget = 256 * 1024
        let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20, blockSize: 1024, memoryBudget: budget)
        let streams = Self.streams.prefix(8)
        var pushed = 0
        while h.ingester.memoryBytes() < budget * 82 / 100 {
            for (i, s) in streams.enumerated() { try await h.push("s\(i)-r\(pushed)", count: 10, stream: s) }
            pushed += 1
            h.ingester.waitForFlushes(timeout: 10)
        }
        let before = h.ingester.memoryBytes()
        #expect(before < budget, "the test needs memory between 80% and 100% of the budget, has \(before)")
        let r = h.ingester.enforceMemoryBudget()
        #expect(r.chunksClosed > 0, "\(r)")
        h.ingester.waitForFlushes(timeout: 10)
        #expect(h.ingester.memoryBytes() <= budget * 6 / 10, "\(h.ingester.memoryBytes()) bytes left of \(before)")
        #expect(!h.chunkFiles.isEmpty)
        #expect(h.lines().lines.count == pushed * 10 * streams.count)
        h.ingester.stop()
    }

    /// Backpressure: over the budget, with the chunks closed for memory stuck on a failing volume,
    /// a push waits out the hold and is then accepted (nothing refused, nothing lost); once the flush
    /// workers catch up, pushes stop waiting.
    @Test func pushesWaitWhileTheHeadsAreOverBudgetAndFlushesLag() async throws {
        let dir = TestDirectory()
        let budget = 64 * 1024
        // Small blocks: the heads are compressed chunks, over the budget only by what arrived.
        let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20, blockSize: 1024, memoryBudget: budget)
        var round = 0
        while h.ingester.memoryBytes() <= budget {
            for (i, s) in Self.streams.prefix(8).enumerated() { try await h.push("s\(i)-r\(round)", count: 10, stream: s) }
            round += 1
            h.ingester.waitForFlushes(timeout: 10)
        }
        #expect(!h.ingester.underMemoryPressure, "nothing is held before the budget loop has looked")
        h.objects.failing.store(true, ordering: .relaxed)
        let r = h.ingester.enforceMemoryBudget()
        #expect(r.chunksClosed > 0, "\(r)")
        #expect(h.ingester.underMemoryPressure)
        #expect(h.ingester.flushBacklog > 0)

        let start = ContinuousClock.now
        try await h.push("held", count: 10, stream: Self.streams[0])
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(900), "the push should have waited out the 1 s hold, waited \(waited)")
        #expect(h.ingester.underMemoryPressure, "the flushes still fail, so the pressure stays")

        h.objects.failing.store(false, ordering: .relaxed)
        h.clock.advance(seconds: 60) // past the retry backoff
        #expect(h.ingester.waitForFlushes(timeout: 20))
        await h.ingester.waitForMemory()
        #expect(!h.ingester.underMemoryPressure, "the closed chunks are on disk: pushes go straight through again")
        try await h.push("free", count: 10, stream: Self.streams[1])
        let lines = h.lines().lines
        #expect(lines.count == round * 8 * 10 + 20)
        #expect(lines.filter { $0.hasPrefix("held-") }.count == 10)
        h.ingester.stop()
    }

    /// Far over the budget (more than an eighth), a push waits five holds, not one: one-second
    /// holds let the heads run 27% over under CPU contention.
    @Test func pushesWaitLongerFarOverTheBudget() async throws {
        let dir = TestDirectory()
        let budget = 64 * 1024
        let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20, blockSize: 1024, memoryBudget: budget, pressureHold: 200_000_000)
        var round = 0
        while h.ingester.memoryBytes() <= budget + budget / 4 {
            for (i, s) in Self.streams.prefix(8).enumerated() { try await h.push("s\(i)-r\(round)", count: 10, stream: s) }
            round += 1
        }
        h.objects.failing.store(true, ordering: .relaxed)
        let r = h.ingester.enforceMemoryBudget()
        #expect(r.chunksClosed > 0, "\(r)")
        #expect(h.ingester.underMemoryPressure)

        let start = ContinuousClock.now
        try await h.push("held", count: 10, stream: Self.streams[0])
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(900), "five 200 ms holds far over the budget, waited \(waited)")

        h.objects.failing.store(false, ordering: .relaxed)
        h.clock.advance(seconds: 60)
        #expect(h.ingester.waitForFlushes(timeout: 20))
        await h.ingester.waitForMemory()
        #expect(!h.ingester.underMemoryPressure)
        #expect(h.lines().lines.filter { $0.hasPrefix("held-") }.count == 10, "the held push was accepted, not refused")
        h.ingester.stop()
    }

    @Test func noBudgetMeansNoEarlyWork() async throws {
        let dir = TestDirectory()
        let h = try ChunkHarness(dir: dir.path, targetSize: 1 << 20, blockSize: 1 << 20, memoryBudget: 0)
        try await h.push("a", count: 500)
        let r = h.ingester.enforceMemoryBudget()
        #expect(r.blocksCut == 0 && r.chunksClosed == 0)
        #expect(h.chunkFiles.isEmpty)
        h.ingester.stop()
    }
}
