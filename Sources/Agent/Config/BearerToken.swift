public import Foundation
import Synchronization

/// A bearer token given inline, or in a file that is read again when it may have changed: Kubernetes
/// replaces a projected service-account token long before it expires, and a secret mounted from a
/// volume is updated in place — Prometheus' and client-go's clients re-read the file, and so does
/// this one, at most once per `refresh` seconds. If the file cannot be read later on, the last
/// token read is used (the failure is the server's to report).
public final class BearerToken: Sendable {
    public let file: String?
    let refresh: Double
    private let state: Mutex<(token: String?, readAt: Date)>

    public init(_ token: String?, file: String? = nil, refresh: Double = 60) {
        self.file = file
        self.refresh = refresh
        state = Mutex((token, Date()))
    }

    /// The token to send now.
    public func current(now: Date = Date()) -> String? {
        state.withLock { s in
            if let file, now.timeIntervalSince(s.readAt) >= refresh {
                s.readAt = now
                if let d = FileManager.default.contents(atPath: file) {
                    let t = String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    if !t.isEmpty { s.token = t }
                }
            }
            return s.token
        }
    }
}
