import Foundation

/// Runs blocking work (file reads, fsync, waiting for worker threads) on a thread of its own and
/// awaits it: a blocked cooperative-pool thread would stall the HTTP server on a 2-core machine.
enum BlockingWork {
    static func run<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            let t = Thread { c.resume(with: Result { try body() }) }
            t.name = name
            t.start()
        }
    }

    static func run(_ name: String, _ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let t = Thread { body(); c.resume() }
            t.name = name
            t.start()
        }
    }
}
