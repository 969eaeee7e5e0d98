import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import LogModel
import LogQL
import Logging
import Metrics
import NIOCore
import NIOWebSocket
import ReadPath
import Synchronization
import WritePath

/// `/loki/api/v1/tail` (and the legacy `/api/prom/tail`): Loki's live tail over a websocket.
///
/// A request is checked before the upgrade; a bad one is not upgraded and is answered with Loki's
/// 400 or 401 and its message (so clients see the reason as an HTTP error, as with Loki). Once upgraded, the connection
/// sends `TailSession` messages until the client closes, `querier.tail_max_duration` passes
/// (closed with 1011 "reached tail max duration limit", as Loki does) or the server stops.
struct TailRoute: Sendable {
    static let paths: Set<String> = ["/loki/api/v1/tail", "/api/prom/tail"]
    /// Loki's `maxDelayForInTailing`, seconds.
    static let maxDelayFor = 5
    /// How often the connection looks for lines to send when it has none.
    static let pollInterval: Duration = .milliseconds(100)

    let querier: Querier
    let overrides: Overrides
    let tenancy: Tenancy
    let maxDuration: Int64
    let active: TailCounter
    let logger: Logger

    /// A checked tail request.
    struct Accepted: Sendable {
        var tenant: TenantID
        var query: LogQuery
        var text: String
        var options: TailSession.Options
    }

    /// A refused request: its status and Loki's message.
    struct Refusal: Error {
        var status: HTTPResponse.Status
        var message: String
    }

    /// Checks a tail request's tenant and parameters (Loki's `ParseTailQuery` and `parseRegexQuery`).
    func check(query rawQuery: String?, headers: HTTPFields, now: Int64) -> Result<Accepted, Refusal> {
        // A browser's websocket cannot send headers: the built-in page names its tenant as
        // `orgId` in the query instead. The header wins when both are there.
        var headers = headers
        if headers[Tenancy.header] == nil, let rawQuery {
            var q = Params()
            q.addForm(rawQuery)
            if let id = q["orgId"], !id.isEmpty { headers[Tenancy.header] = id }
        }
        let tenant: TenantID
        switch tenancy.tenant(headers) {
        case .success(let t): tenant = t
        case .failure(.missing): return .failure(Refusal(status: .unauthorized, message: "no org id"))
        case .failure(.invalid(let m)): return .failure(Refusal(status: .unauthorized, message: m))
        }
        var p = Params()
        if let rawQuery { p.addForm(rawQuery) }
        func bad(_ m: String) -> Result<Accepted, Refusal> { .failure(Refusal(status: .badRequest, message: m)) }
        do {
            let limit = try p.int("limit", default: 100)
            guard limit > 0 else { return bad("limit must be a positive value") }
            let limits = overrides.limits(for: tenant)
            if limits.maxEntriesLimitPerQuery > 0 && limit > limits.maxEntriesLimitPerQuery {
                return bad("max entries limit per query exceeded, limit > max_entries_limit (\(limit) > \(limits.maxEntriesLimitPerQuery))")
            }
            let start = try p.time("start", default: now - 3600 * 1_000_000_000)
            let delay = try p.int("delay_for", default: 0)
            guard delay >= 0 else { return bad("delay_for must not be negative") }
            guard delay <= TailRoute.maxDelayFor else { return bad("delay_for can't be greater than \(TailRoute.maxDelayFor)") }
            guard var text = p["query"], !text.isEmpty else {
                return bad("query parameter is required, like query={app=\"api\"}")
            }
            // The legacy `regexp` parameter adds a regex line filter.
            if let re = p["regexp"], !re.isEmpty { text += " |~ " + GoQuote.quote(re) }
            guard case .log(let query) = try QueryParser.parseQuery(text) else {
                return bad("tail needs a log query, not a metric query: drop the range aggregation, like {app=\"api\"} |= \"error\"")
            }
            return .success(Accepted(tenant: tenant, query: query, text: text,
                                     options: .init(limit: limit, start: start, delayFor: Int64(delay) * 1_000_000_000)))
        } catch let e as Params.Invalid {
            return bad(e.message)
        } catch let e as LogQL.ParseError {
            return bad(e.message)
        } catch {
            return bad("\(error)")
        }
    }

    /// The websocket upgrade decision for a request asking for one: a tail request is upgraded;
    /// one that fails `check` is not, and is answered like Loki answers it — its 400 (or 401)
    /// with the message as text (`UpgradeRefusal` puts it on `channel`). Requests for other
    /// paths are refused with an empty 400.
    func shouldUpgrade(_ head: HTTPRequest, channel: any Channel) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let (path, query) = TailRoute.split(head.path ?? "")
        guard TailRoute.paths.contains(path), head.method == .get else { return .dontUpgrade }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        switch check(query: query, headers: head.headerFields, now: now) {
        case .success(let accepted):
            return .upgrade([:]) { inbound, outbound, _ in
                await run(accepted, inbound: inbound, outbound: outbound)
            }
        case .failure(let refusal):
            do {
                try UpgradeRefusal.install(on: channel, status: Int(refusal.status.code), message: refusal.message)
            } catch {
                logger.warning("tail refusal sent without its message", metadata: ["error": "\(error)", "reason": "\(refusal.message)"])
            }
            return .dontUpgrade
        }
    }

    /// How long a close waits for the client's answer.
    static let closeGrace: Duration = .seconds(2)

    /// Closes with `code` and `message` (cut to fit), then gives the client up to `closeGrace` to
    /// answer, so the frame is not cut off by the connection going away — but never waits on a
    /// client that does not answer.
    static func close(_ outbound: WebSocketOutboundWriter, _ inbound: WebSocketInboundStream, _ code: WebSocketErrorCode, _ message: String) async {
        try? await outbound.close(code, reason: closeReason(message))
        await awaitClientClose(inbound)
    }

    /// Waits until the client's side of the connection ends, at most `closeGrace`. (The reading
    /// runs apart and ends with the connection when the handler returns.)
    static func awaitClientClose(_ inbound: WebSocketInboundStream) async {
        let ended = Flag()
        let reader = Task {
            do { for try await _ in inbound {} } catch {}
            ended.set()
        }
        await ended.wait(upTo: closeGrace)
        reader.cancel()
    }

    /// A one-way switch shared between tasks.
    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .releasing) }
        var isSet: Bool { value.load(ordering: .acquiring) }

        /// Returns once the flag is set or `limit` has passed (looking every 20 ms).
        func wait(upTo limit: Duration) async {
            let until = ContinuousClock.now + limit
            while !isSet && ContinuousClock.now < until { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// A close frame's reason holds at most 123 bytes: longer messages are cut at a character boundary.
    static func closeReason(_ message: String) -> String {
        guard message.utf8.count > 123 else { return message }
        var out = ""
        for ch in message {
            if out.utf8.count + String(ch).utf8.count > 120 { break }
            out.append(ch)
        }
        return out + "…"
    }

    /// The router's answer to a tail request that was not upgraded: the reason it was refused, or
    /// that a websocket is needed.
    func plainHTTP(_ request: Request) -> Response {
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        switch check(query: request.uri.query, headers: request.headers, now: now) {
        case .failure(let r): return HTTPResponses.text(r.status, r.message)
        case .success:
            return HTTPResponses.badRequest("tail streams over a websocket: connect with `Upgrade: websocket` (logcli query --tail, Grafana's live mode)")
        }
    }

    static func split(_ path: String) -> (String, String?) {
        guard let q = path.firstIndex(of: "?") else { return (path, nil) }
        return (String(path[..<q]), String(path[path.index(after: q)...]))
    }

    func run(_ req: Accepted, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let limits = overrides.limits(for: req.tenant)
        guard active.acquire(req.tenant, limit: limits.maxConcurrentTailRequests) else {
            let n = active.count(req.tenant) + 1
            let message = "max concurrent tail requests limit exceeded, count > limit (\(n) > \(limits.maxConcurrentTailRequests))"
            logger.warning("tail refused", metadata: ["tenant": "\(req.tenant.value)", "reason": "\(message)"])
            await TailRoute.close(outbound, inbound, .unexpectedServerError, message)
            return
        }
        defer { active.release(req.tenant) }
        let gauge = Gauge(label: "loki_querier_tail_active")
        gauge.record(active.total)
        defer { gauge.record(active.total) }

        let session: TailSession
        do {
            session = try TailSession(querier: querier, tenant: req.tenant, query: req.query, options: req.options)
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            let deadline = QueryDeadline(seconds: limits.queryTimeout > 0 ? Double(limits.queryTimeout) / 1e9 : 0)
            try await BlockingWork.run("skald-tail-history") { try session.start(now: now, deadline: deadline) }
        } catch let e as LogQL.ParseError {
            await TailRoute.close(outbound, inbound, .unexpectedServerError, e.message)
            return
        } catch {
            await TailRoute.close(outbound, inbound, .unexpectedServerError, "\(error)")
            return
        }
        defer { session.close() }
        logger.info("starting to tail logs", metadata: ["tenant": "\(req.tenant.value)", "selectors": "\(req.text)"])
        defer { logger.info("ended tailing logs", metadata: ["tenant": "\(req.tenant.value)", "selectors": "\(req.text)"]) }

        let ends = ContinuousClock.now + .nanoseconds(maxDuration)
        // The client's frames are read (and ignored) so its close is seen at once; the reading runs
        // apart, so nothing here ever waits on a client that stopped answering.
        let clientGone = Flag()
        let reader = Task {
            do { for try await _ in inbound {} } catch {}
            clientGone.set()
        }
        defer { reader.cancel() }
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    while !Task.isCancelled && !clientGone.isSet {
                        if maxDuration > 0 && ContinuousClock.now >= ends {
                            try await outbound.close(.unexpectedServerError, reason: "reached tail max duration limit")
                            return true
                        }
                        let now = Int64(Date().timeIntervalSince1970 * 1e9)
                        if let m = session.next(now: now) {
                            var buf = ByteBuffer()
                            buf.writeBytes(QueryResponse.tail(m))
                            try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: buf)))
                            Counter(label: "loki_querier_tail_bytes_total").increment(by: m.entries.reduce(0) { $0 + $1.entry.line.count })
                        } else {
                            try await Task.sleep(for: TailRoute.pollInterval)
                        }
                    }
                } catch {}
                return false
            }
            // The writer ends when the client is gone, a write failed, or the server closed (then
            // the client gets `closeGrace` to answer, so the close frame is not cut off).
            if await group.next() == true { await clientGone.wait(upTo: TailRoute.closeGrace) }
            group.cancelAll()
        }
    }
}

/// Open tails per tenant, for `max_concurrent_tail_requests`.
final class TailCounter: Sendable {
    private let counts = Mutex<[TenantID: Int]>([:])

    func acquire(_ t: TenantID, limit: Int) -> Bool {
        counts.withLock { c in
            let n = c[t, default: 0]
            if limit > 0 && n >= limit { return false }
            c[t] = n + 1
            return true
        }
    }

    func release(_ t: TenantID) {
        counts.withLock { c in
            let n = c[t, default: 1] - 1
            c[t] = n > 0 ? n : nil
        }
    }

    func count(_ t: TenantID) -> Int { counts.withLock { $0[t, default: 0] } }
    var total: Int { counts.withLock { $0.values.reduce(0, +) } }
}
