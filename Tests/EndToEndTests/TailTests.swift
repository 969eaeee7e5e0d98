import Foundation
import HTTPProbe
import HummingbirdWSClient
import Logging
import Synchronization
import TestSupport
import Testing

/// `/loki/api/v1/tail` against the real binary, through a real websocket client (swift-websocket's
/// WSClient): history first, then new lines through the pipeline; Loki's refusals and limits.
@Suite(.serialized) struct TailTests {
    /// What a tail connection received: each text message, and how it was closed.
    final class Received: Sendable {
        let messages = Mutex<[String]>([])
        /// When each message arrived.
        let arrivals = Mutex<[Date]>([])
        let close = Mutex<(code: String, reason: String?)?>(nil)
        /// Set to make the client close.
        let stop = Atomic<Bool>(false)
        /// Set when the server's side ended.
        let serverClosed = Atomic<Bool>(false)
        /// Set when the client's connection is over.
        let finished = Atomic<Bool>(false)

        // Waits by suspending, never by blocking a thread: the client's reader runs on the same
        // (two-thread, on this machine) pool as the tests.
        func waitFor(_ n: Int, seconds: Double = 30) async -> [String] {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let m = messages.withLock { $0 }
                if m.count >= n { return m }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return messages.withLock { $0 }
        }

        func waitForLines(_ n: Int, seconds: Double = 30) async -> [String] {
            let deadline = Date().addingTimeInterval(seconds)
            while lines.count < n && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            return lines
        }

        func waitForClose(seconds: Double = 30) async -> (code: String, reason: String?)? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let c = close.withLock({ $0 }) { return c }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }

        /// Every line received so far, in order, as (labels JSON, line) from Loki's message shape.
        var lines: [String] {
            messages.withLock { $0 }.flatMap { text -> [String] in
                guard let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                      let streams = obj["streams"] as? [[String: Any]] else { return [] }
                return streams.flatMap { s in ((s["values"] as? [[Any]]) ?? []).compactMap { $0[1] as? String } }
            }
        }
    }

    /// A thread of its own for the websocket clients' tasks: the tests around them block the
    /// (two-thread, on this machine) cooperative pool with synchronous HTTP calls for seconds, and
    /// a client starved that long would miss its deadline.
    final class ClientThread: TaskExecutor, @unchecked Sendable {
        private let jobs = NSCondition()
        private var queue: [UnownedJob] = []
        static let shared = ClientThread()

        init() {
            let t = Thread { [unowned self] in self.loop() }
            t.name = "tail-test-client"
            t.start()
        }

        func enqueue(_ job: consuming ExecutorJob) {
            let j = UnownedJob(job)
            jobs.lock()
            queue.append(j)
            jobs.signal()
            jobs.unlock()
        }

        private func loop() {
            while true {
                jobs.lock()
                while queue.isEmpty { jobs.wait() }
                let j = queue.removeFirst()
                jobs.unlock()
                j.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
    }

    /// Opens a tail in the background; `stop` ends it from the client side.
    final class Tail: Sendable {
        let received = Received()
        let task: Task<Void, Never>

        init(port: Int, query: String, extra: String = "", headers: [(String, String)] = []) {
            let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let url = "ws://127.0.0.1:\(port)/loki/api/v1/tail?query=\(q)\(extra)"
            let received = self.received
            var config = WebSocketClientConfiguration(maxFrameSize: 1 << 20)
            for (k, v) in headers { config.additionalHeaders[.init(k)!] = v }
            let cfg = config
            task = Task(executorPreference: ClientThread.shared) {
                do {
                    let frame = try await WebSocketClient.connect(url: url, configuration: cfg, logger: Logger(label: "tail-test")) { inbound, outbound, _ in
                        let reader = Task(executorPreference: ClientThread.shared) {
                            defer { received.serverClosed.store(true, ordering: .relaxed) }
                            for try await message in inbound.messages(maxSize: 1 << 22) {
                                if case .text(let s) = message {
                                    received.messages.withLock { $0.append(s) }
                                    received.arrivals.withLock { $0.append(Date()) }
                                }
                            }
                        }
                        while !received.stop.load(ordering: .relaxed) && !received.serverClosed.load(ordering: .relaxed) {
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        // Close from this side only when the server has not: answering a server's
                        // close is the library's job, and a second close would wait for a reply
                        // that never comes.
                        if !received.serverClosed.load(ordering: .relaxed) { try? await outbound.close(.normalClosure, reason: nil) }
                        _ = try? await reader.value
                    }
                    received.close.withLock { $0 = (frame.map { "\($0.closeCode)" } ?? "none", frame?.reason) }
                } catch {
                    received.close.withLock { $0 = ("error", "\(error)") }
                }
                received.finished.store(true, ordering: .relaxed)
            }
        }

        /// Asks the client to close and waits for it — at most 30 s: a test must not hang on a
        /// connection that never finishes (it is cancelled, and the test's expectations say why).
        func end() async {
            received.stop.store(true, ordering: .relaxed)
            let until = Date().addingTimeInterval(30)
            while !received.finished.load(ordering: .relaxed) && Date() < until { try? await Task.sleep(for: .milliseconds(20)) }
            let done = received.finished.load(ordering: .relaxed)
            #expect(done, "the tail client did not finish within 30 s")
            task.cancel()
        }
    }

    /// Opens a tail over a plain socket and returns the first close frame the server sends (a
    /// server's frames are unmasked: 2 header bytes, an extended length, the payload).
    static func closeRightAfterUpgrade(port: Int, query: String) throws -> (code: Int, reason: String) {
        let c = HTTPConnection(port: port, timeout: 30)
        let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let r = try c.request("GET", "/loki/api/v1/tail?query=\(q)", headers: [
            ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")])
        guard r.status == 101 else { throw HTTPConnection.Failure(message: "not upgraded: \(r.status) \(r.text)") }
        while true {
            let head = try c.read(2)
            var length = Int(head[1] & 0x7F)
            if length == 126 { length = try c.read(2).reduce(0) { $0 << 8 | Int($1) } }
            else if length == 127 { length = try c.read(8).reduce(0) { $0 << 8 | Int($1) } }
            let payload = try c.read(length)
            guard head[0] & 0x0F == 0x8 else { continue }
            guard payload.count >= 2 else { return (0, "") }
            return (Int(payload[0]) << 8 | Int(payload[1]), String(decoding: payload[2...], as: UTF8.self))
        }
    }

    static func push(_ c: HTTPConnection, _ labels: String, _ entries: [(Int64, String)]) throws {
        let r = try c.request("POST", "/loki/api/v1/push", headers: [("Content-Type", "application/json")], body: Bodies.json([(labels, entries)]))
        #expect(r.status == 204)
    }

    @Test func historyThenLiveLinesThroughThePipeline() async throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        let t = Int64(Date().timeIntervalSince1970 * 1e9)
        try Self.push(c, "app=tail", [(t - 3_000_000_000, "level=info msg=one"), (t - 2_000_000_000, "level=error msg=two"),
                                      (t - 1_000_000_000, "level=error msg=three")])
        try Self.push(c, "app=other", [(t - 1_500_000_000, "level=error msg=elsewhere")])

        let tail = Tail(port: server.port, query: #"{app="tail"} | logfmt | level="error" | line_format "{{.msg}}""#, extra: "&limit=1")
        // History: the newest matching line only (limit=1).
        _ = await tail.received.waitFor(1)
        #expect(tail.received.lines == ["three"])
        let first = tail.received.messages.withLock { $0.first } ?? ""
        #expect(first.hasPrefix(#"{"streams":[{"stream":{"app":"tail","level":"error","msg":"three"},"values":[[""#), "\(first)")
        #expect(!first.contains("dropped_entries"))

        // Live: a matching line, a filtered one, another stream's, then one more.
        try Self.push(c, "app=tail", [(t + 1, "level=error msg=four"), (t + 2, "level=info msg=quiet")])
        try Self.push(c, "app=other", [(t + 3, "level=error msg=not-mine")])
        try Self.push(c, "app=tail", [(t + 4, "level=error msg=five")])
        #expect(await tail.received.waitForLines(3) == ["three", "four", "five"])

        // Other requests are served while the tail is open.
        #expect(try c.request("GET", "/ready").status == 200)
        await tail.end()
        #expect(await tail.received.waitForClose() != nil)
        // The server notices the client left (its reader ends) and ends the tail.
        #expect(await Self.eventually { server.log.contains("ended tailing logs") })
    }

    /// Whether `condition` holds within `seconds` (checked every 50 ms, by suspending).
    static func eventually(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test func delayForHoldsLinesAndOrdersThem() async throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start()
        let c = server.connection()
        let tail = Tail(port: server.port, query: #"{app="late"}"#, extra: "&delay_for=2")
        try await Task.sleep(for: .milliseconds(300))
        let t = Int64(Date().timeIntervalSince1970 * 1e9)
        // Pushed out of order, within the delay: they come out in timestamp order. (A little in
        // the future, so a slow push cannot make them due before the check below.)
        try Self.push(c, "app=late", [(t + 1_000_000_000, "second")])
        try Self.push(c, "app=late", [(t + 500_000_000, "first")])
        #expect(await tail.received.waitForLines(2) == ["first", "second"])
        // Held until the first line was two seconds old (judged by arrival, not by how long this
        // test slept: a loaded machine may wake it late).
        let firstDue = Date(timeIntervalSince1970: Double(t + 500_000_000) / 1e9 + 2)
        let arrived = try #require(tail.received.arrivals.withLock { $0.first })
        #expect(arrived.timeIntervalSince(firstDue) > -0.05, "arrived \(firstDue.timeIntervalSince(arrived)) s before it was due")
        await tail.end()
    }

    @Test func badRequestsAreRefusedWithLokisMessages() async throws {
        let dir = TestDirectory()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config(auth: true))
        try server.start()
        let c = server.connection()
        let org = [("X-Scope-OrgID", "team")]
        // Plain HTTP: Loki's 400 (or 401) with its message.
        func get(_ query: String, _ extra: String = "", headers: [(String, String)] = org) throws -> HTTPConnection.Response {
            let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            return try c.request("GET", "/loki/api/v1/tail?query=\(q)\(extra)", headers: headers)
        }
        var r = try get(#"{app="x"}"#, "&delay_for=6")
        #expect(r.status == 400)
        #expect(r.text == "delay_for can't be greater than 5\n")
        r = try get(#"sum(rate({app="x"}[1m]))"#)
        #expect(r.status == 400)
        #expect(r.text.contains("log query"))
        r = try get(#"{app="x"} |~ "(""#)
        #expect(r.status == 400)
        #expect(r.text.contains("error parsing regexp"), "\(r.text)")
        r = try get(#"{app="x"}"#, "&limit=0")
        #expect(r.text == "limit must be a positive value\n")
        r = try get(#"{app="x"}"#, "&limit=abc")
        #expect(r.status == 400)
        r = try get(#"{app="x"}"#, "&start=yesterday")
        #expect(r.status == 400)
        r = try get(#"{app="x"}"#, "&delay_for=-1")
        #expect(r.status == 400)
        r = try get("")
        #expect(r.status == 400)
        r = try get(#"{app="x"}"#, headers: [])
        #expect(r.status == 401)
        #expect(r.text == "no org id\n")
        // The tenant as `orgId` in the query (the built-in page: a browser's websocket sends no
        // headers) passes the tenant check; an invalid one is refused like the header's; the
        // header wins over it.
        r = try get(#"{app="x"}"#, "&orgId=team", headers: [])
        #expect(r.status == 400 && r.text.contains("websocket"), "\(r.text)")
        r = try get(#"{app="x"}"#, "&orgId=" + String(repeating: "t", count: 200), headers: [])
        #expect(r.status == 401, "\(r.text)")
        r = try get(#"{app="x"}"#, "&orgId=" + String(repeating: "t", count: 200))
        #expect(r.status == 400 && r.text.contains("websocket"), "the header's tenant is used: \(r.text)")
        // A valid request without the upgrade: told to use a websocket.
        r = try get(#"{app="x"}"#)
        #expect(r.status == 400)
        #expect(r.text.contains("websocket"))

        // Asking for a websocket: not upgraded, and answered like plain HTTP — Loki checks a tail
        // request before upgrading, and logcli prints the answer's text.
        func upgrade(_ query: String, _ extra: String = "", headers: [(String, String)] = org) throws -> HTTPConnection.Response {
            let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let ws = [("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
                      ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")]
            return try server.connection().request("GET", "/loki/api/v1/tail?query=\(q)\(extra)", headers: ws + headers)
        }
        r = try upgrade(#"{app="x"}"#, "&delay_for=6")
        #expect(r.status == 400)
        #expect(r.text == "delay_for can't be greater than 5\n")
        r = try upgrade(#"{app="x"}"#, headers: [])
        #expect(r.status == 401)
        #expect(r.text == "no org id\n")
        r = try upgrade("{app=\"x\"} |~ \"(" + String(repeating: "a", count: 300) + "\"")
        #expect(r.status == 400)
        #expect(r.text.hasPrefix("parse error"), "\(r.text)")
        // A websocket client is told the upgrade failed, at once.
        let refused = Tail(port: server.port, query: #"{app="x"}"#, extra: "&delay_for=6", headers: org)
        let refusal = await refused.received.waitForClose()
        #expect(refusal?.code == "error", "\(String(describing: refusal))")
        await refused.end()
        // The server keeps serving.
        #expect(try c.request("GET", "/ready").status == 200)
    }

    @Test func concurrencyAndDurationLimitsCloseWithLokisReasons() async throws {
        let dir = TestDirectory()
        // 5 s: long enough that the second request reaches the server while the first still runs,
        // even when parallel suites load the host and starve this test's tasks for a while.
        let config = ServerProcess.config(extraLimits: "  max_concurrent_tail_requests: 1") + "\nquerier:\n  tail_max_duration: 5s\n"
        let server = try ServerProcess(dir: dir.path, config: config)
        try server.start()
        let first = Tail(port: server.port, query: #"{app="a"}"#)
        // Only once the server holds the first (a loaded host may take seconds to connect it, and
        // then the second would be the only one).
        #expect(await Self.eventually { server.log.contains("starting to tail logs") })
        // The second is upgraded and closed at once with Loki's 1011 and reason. (Read with a bare
        // websocket reader: swift-websocket's client can miss a close that follows the upgrade
        // answer at once — it did in a third of loaded runs — which Loki's clients do not.)
        let refused = try Self.closeRightAfterUpgrade(port: server.port, query: #"{app="a"}"#)
        #expect(refused.code == 1011)
        #expect(refused.reason == "max concurrent tail requests limit exceeded, count > limit (2 > 1)")
        // The first reaches tail_max_duration.
        let ended = await first.received.waitForClose()
        #expect(ended?.reason == "reached tail max duration limit", "\(String(describing: ended))")
        await first.end()
        // Its slot is free again once the server has ended that tail.
        #expect(await Self.eventually { server.log.contains("ended tailing logs") })
        try await Task.sleep(for: .milliseconds(200))
        let third = Tail(port: server.port, query: #"{app="a"}"#)
        try await Task.sleep(for: .milliseconds(500))
        #expect(third.received.close.withLock { $0 } == nil)
        await third.end()
    }
}
