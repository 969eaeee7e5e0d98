#if canImport(Glibc)
import Glibc
#endif

/// A token bucket: `rate` tokens a second, holding at most `burst`, full at first. What the `limit`
/// stage keeps per key and the agent's `limits_config.readline_rate` keeps for all its lines.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let burst: Double
    var tokens: Double
    var at: Int64?

    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
        tokens = burst
    }

    /// Takes a token at `now` (Unix ns): nil when one was there, else the seconds until one will be.
    public mutating func take(now: Int64) -> Double? {
        if let at { tokens = min(burst, tokens + Double(max(0, now - at)) / 1e9 * rate) }
        at = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / rate
    }

    /// Sleeps `seconds` (a line waiting for its token holds its thread, as Promtail's limiter does).
    public static func sleep(seconds: Double) {
        var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        nanosleep(&ts, nil)
    }
}
