#if canImport(Glibc)
import Glibc
#endif

/// jemalloc's own account of the heap, for `/metrics`: what the program has allocated, the pages
/// holding it (`active`), and what is resident (including freed pages not yet returned). Their
/// difference from the process's RSS tells fragmentation and retention apart from live data.
/// Empty where malloc is not jemalloc (tests).
enum AllocatorStats {
    private typealias MallctlFunction = @convention(c) (
        UnsafePointer<CChar>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?, UnsafeMutableRawPointer?, Int
    ) -> Int32

    /// jemalloc exports `mallctl`; glibc does not.
    private static let mallctl: MallctlFunction? = {
        #if canImport(Glibc)
        guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallctl") else { return nil }
        return unsafeBitCast(p, to: MallctlFunction.self)
        #else
        return nil
        #endif
    }()

    /// Whether jemalloc serves malloc in this process.
    static var isJemalloc: Bool { mallctl != nil }

    /// (name, bytes) for allocated, active, resident, retained — after refreshing jemalloc's
    /// cached statistics; empty without jemalloc or when its statistics are compiled out.
    static func read() -> [(name: String, bytes: Int)] {
        guard let mallctl else { return [] }
        // Writing any value to "epoch" refreshes the statistics read below.
        var epoch: UInt64 = 1
        guard mallctl("epoch", nil, nil, &epoch, MemoryLayout<UInt64>.size) == 0 else { return [] }
        var out: [(String, Int)] = []
        for name in ["allocated", "active", "resident", "retained"] {
            var value = 0
            var size = MemoryLayout<Int>.size
            if mallctl("stats." + name, &value, &size, nil, 0) == 0 { out.append((name, value)) }
        }
        return out
    }
}
