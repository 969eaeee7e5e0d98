#if canImport(Glibc)
import Glibc
#endif
import ServiceLifecycle
import WritePath

#if canImport(Glibc)
// <malloc.h> is not part of the Glibc module: declare the one function.
@_silgen_name("malloc_trim") private func malloc_trim(_ pad: Int) -> Int32
#endif

/// Every second, keeps the ingester's heads within `ingester.memory_budget` (Skald's own key):
/// the biggest uncompressed head blocks are compressed early and the biggest open chunks closed and
/// flushed early. Then hands the allocator's free pages back to the system: head blocks come and go
/// by the thousand, and without this the freed memory stays resident. Idle until replay has
/// finished (replay has `replay_memory_ceiling`).
struct MemoryBudgetService: Service {
    let ingester: Ingester
    let readiness: Readiness

    func run() async throws {
        let trim = getenv("SKALD_NO_MALLOC_TRIM") == nil // the A/B switch for the memory benchmark
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                guard readiness.isReady, !Task.isCancelled else { continue }
                await BlockingWork.run("skald-memory-budget") { [ingester] in
                    _ = ingester.enforceMemoryBudget()
                    #if canImport(Glibc)
                    if trim { _ = malloc_trim(0) }
                    #endif
                }
            }
        }
    }
}
