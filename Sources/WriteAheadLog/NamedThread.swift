public import Foundation

extension Thread {
    /// A thread that names itself before running `body`, so `top -H` and /proc/<pid>/task/*/comm
    /// show it: on Linux a name set before `start()` never reaches the OS thread, and a name over
    /// 15 bytes is refused (keep them short: "skald-wal-write", "skald-seal-0").
    public static func named(_ name: String, _ body: @escaping @Sendable () -> Void) -> Thread {
        Thread {
            Thread.current.name = name
            body()
        }
    }
}
