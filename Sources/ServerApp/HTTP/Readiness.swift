import Synchronization
import WriteAheadLog

/// The server's lifecycle phase, as `/ready` reports it (503 until `.ready`, 503 again once stopping).
final class Readiness: Sendable {
    enum Phase: Sendable {
        case starting
        case replaying(ReplayProgress)
        case ready
        case stopping
    }

    /// Guards the phase.
    private let phase = Mutex<Phase>(.starting)

    func set(_ p: Phase) { phase.withLock { $0 = p } }
    var current: Phase { phase.withLock { $0 } }

    var isReady: Bool { if case .ready = current { true } else { false } }

    /// `/ready`'s body.
    var message: String {
        switch current {
        case .starting: "Ingester not ready: starting"
        case .replaying(let p):
            "Ingester not ready: replaying the write-ahead log: \(p.bytesTotal > 0 ? Int(Double(p.bytesRead) / Double(p.bytesTotal) * 100) : 0)% (\(p.bytesRead) of \(p.bytesTotal) bytes, \(p.records) records)"
        case .ready: "ready"
        case .stopping: "Ingester not ready: stopping"
        }
    }
}
