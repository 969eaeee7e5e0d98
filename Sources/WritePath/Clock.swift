#if canImport(Glibc)
import Glibc
#endif

/// Time, injected: wall time for validation (too old / too new) and monotonic time for rate limits.
public protocol Clock: Sendable {
    /// Unix time in nanoseconds.
    func now() -> Int64
    /// A monotonic reading in nanoseconds (rate limiting).
    func monotonic() -> Int64
}

/// The system clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
    public func monotonic() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
