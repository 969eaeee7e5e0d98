import Synchronization
import WriteAheadLog

/// Replay facts for /metrics (the last replay's report and the live progress).
final class ReplayState: Sendable {
    struct State {
        var active = false
        var progress = ReplayProgress(bytesRead: 0, bytesTotal: 0, records: 0)
        var report: ReplayReport?
    }

    /// Guards the state.
    private let state = Mutex(State())

    func setActive(_ a: Bool) { state.withLock { $0.active = a } }
    func progress(_ p: ReplayProgress) { state.withLock { $0.progress = p } }
    func finished(_ r: ReplayReport) {
        state.withLock {
            $0.active = false
            $0.report = r
        }
    }

    var snapshot: State { state.withLock { $0 } }
}
