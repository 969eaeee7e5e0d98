import Foundation
import Testing
@testable import WritePath

/// How many flush threads `ingester.concurrent_flushes` gets (`Ingester.Configuration.flushWorkers`).
struct FlushQueueTests {
    @Test func flushThreadsAreConcurrentFlushesCappedAtOnePerCore() {
        // Loki's default of 32 on this project's 2-core machine kind: two threads.
        #expect(Ingester.Configuration.flushWorkers(concurrentFlushes: 32, cores: 2) == 2)
        #expect(Ingester.Configuration.flushWorkers(concurrentFlushes: 32, cores: 16) == 16)
        // Fewer than the cores: what was asked for.
        #expect(Ingester.Configuration.flushWorkers(concurrentFlushes: 1, cores: 8) == 1)
        #expect(Ingester.Configuration.flushWorkers(concurrentFlushes: 3, cores: 8) == 3)
        // Never none, whatever the machine reports.
        #expect(Ingester.Configuration.flushWorkers(concurrentFlushes: 4, cores: 0) == 1)
        #expect(Ingester.Configuration.flushWorkers(concurrentFlushes: 0, cores: 2) == 1)
    }

    @Test func theServerConfigurationUsesTheCap() {
        var c = Ingester.Configuration(wal: .init(directory: "/nonexistent"))
        c.concurrentFlushes = 10_000
        #expect(c.flushWorkers >= 1)
        #expect(c.flushWorkers <= 10_000)
        #expect(c.flushWorkers == min(10_000, max(1, ProcessInfo.processInfo.activeProcessorCount)))
    }
}
