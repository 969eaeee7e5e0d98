import Foundation
import HummingbirdWSClient
import Logging
import Synchronization

/// `query query --tail` as logcli does it: a websocket to `/loki/api/v1/tail` (the newest `limit`
/// lines from `start`, then each line as the server receives it), printed as they come, until the
/// server closes the tail or the process is stopped. Lines the server dropped because this client
/// was slow are reported on standard error, as logcli reports them.
enum TailClient {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// The websocket was never opened (the server refused the upgrade, or was not there).
        var beforeOpen = false
    }

    /// The tail request's parameters, as logcli sends them.
    static func params(query: String, limit: Int, start: Int64, delayFor: Int?) -> [(String, String)] {
        [("query", query), ("limit", "\(limit)"), ("start", "\(start)")] + (delayFor.map { [("delay_for", "\($0)")] } ?? [])
    }

    /// The tail's websocket URL on the server `client` asks (`http` → `ws`, `https` → `wss`).
    static func url(_ client: LokiClient, query: String, limit: Int, start: Int64, delayFor: Int?) throws -> String {
        do {
            return try client.url("/loki/api/v1/tail", params(query: query, limit: limit, start: start, delayFor: delayFor),
                                  scheme: { ["http": "ws", "https": "wss"][$0] }).absoluteString
        } catch let e as LokiClient.Failure {
            throw Failure(description: e.description)
        }
    }

    /// One tail message's lines, oldest first, and how many lines the server dropped.
    static func decode(_ text: String) -> (entries: [(ts: Int64, labels: String, line: String)], dropped: Int) {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return ([], 0) }
        let entries = QueryCommand.lines(["result": obj["streams"] ?? []]).sorted { $0.ts < $1.ts }
        return (entries, (obj["dropped_entries"] as? [Any])?.count ?? 0)
    }

    /// Runs the tail until the server ends it; throws with the server's reason when it ends in error.
    static func run(url: String, orgID: String?, output: String, stream: @escaping @Sendable (String) -> Void,
                    warn: @escaping @Sendable (String) -> Void) throws {
        var config = WebSocketClientConfiguration(maxFrameSize: 16 << 20)
        if let orgID { config.additionalHeaders[.init("X-Scope-OrgID")!] = orgID }
        let cfg = config
        let outcome = Mutex<Result<String?, any Error>?>(nil)
        let opened = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let frame = try await WebSocketClient.connect(url: url, configuration: cfg, logger: Logger(label: "skald-tool")) { inbound, _, _ in
                    opened.store(true, ordering: .relaxed)
                    for try await message in inbound.messages(maxSize: 16 << 20) {
                        guard case .text(let text) = message else { continue }
                        let (entries, dropped) = decode(text)
                        for e in entries { stream(QueryCommand.format(e, output: output)) }
                        if dropped > 0 { warn("the server dropped \(dropped) line(s): this client read too slowly\n") }
                    }
                }
                // A normal close ends quietly; any other carries the server's reason.
                let reason = frame.flatMap { $0.closeCode == .normalClosure ? nil : ($0.reason ?? "\($0.closeCode)") }
                outcome.withLock { $0 = .success(reason) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        switch outcome.withLock({ $0 }) {
        case .success(let reason?): throw Failure(description: "the server ended the tail: \(reason)")
        case .failure(let error): throw Failure(description: "tail \(url): \(error)", beforeOpen: !opened.load(ordering: .relaxed))
        default: return
        }
    }
}
