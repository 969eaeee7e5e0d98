/// A token bucket in bytes: `rate` bytes per second refill up to `burst`. Not thread-safe on its
/// own; its owner's lock guards it.
public struct TokenBucket: Sendable {
    public private(set) var rate: Double
    public private(set) var burst: Double
    var tokens: Double
    var last: Int64

    public init(rate: Double, burst: Double, now: Int64) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.last = now
    }

    /// Adjusts the limits (runtime overrides) without resetting the level.
    public mutating func update(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
        tokens = min(tokens, burst)
    }

    /// Takes `n` tokens if available at `now`; otherwise takes none and returns false.
    /// A request larger than the burst can never pass (Loki behaves the same).
    public mutating func allow(_ n: Int, now: Int64) -> Bool {
        if now > last {
            tokens = min(burst, tokens + Double(now - last) / 1e9 * rate)
            last = now
        }
        let need = Double(n)
        if need <= tokens {
            tokens -= need
            return true
        }
        return false
    }
}
