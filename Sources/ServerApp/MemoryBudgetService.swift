import ServiceLifecycle
import WritePath

/// Every second, keeps the ingester's heads within `ingester.memory_budget` (Skald's own key):
/// the biggest uncompressed head blocks are compressed early and the biggest open chunks closed and
/// flushed early. Idle until replay has finished (replay has `replay_memory_ceiling`).
struct MemoryBudgetService: Service {
    let ingester: Ingester
    let readiness: Readiness

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                guard readiness.isReady, !Task.isCancelled else { continue }
                await BlockingWork.run("skald-memory-budget") { [ingester] in _ = ingester.enforceMemoryBudget() }
            }
        }
    }
}
