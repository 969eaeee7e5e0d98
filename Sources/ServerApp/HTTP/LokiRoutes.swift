import Foundation
import HTTPTypes
import Hummingbird
import LogModel
import LogQL
import Logging
import Metrics
import ReadPath
import WritePath

/// Loki's HTTP API on a Hummingbird router: push, the minimal read path, and operations endpoints.
struct LokiRoutes: Sendable {
    let distributor: Distributor
    let querier: Querier
    let overrides: Overrides
    let tenancy: Tenancy
    let readiness: Readiness
    let metricsText: @Sendable () -> [UInt8]
    let configYAML: @Sendable () -> String
    let maxBody: Int
    /// Closes every open chunk and queues it for flushing; waits for the queue to drain when asked.
    let flush: @Sendable (_ wait: Bool) -> Void
    /// Starts a graceful shutdown of the whole server.
    let shutdown: @Sendable () -> Void
    let tail: TailRoute
    /// `querier.engine.max_look_back_period`: how far back an instant log query reads.
    let instantLookback: Int64
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        for path in ["/loki/api/v1/push", "/api/prom/push"] {
            router.post(RouterPath(path)) { req, _ in await timed("loki_api_v1_push", req) { await push(req) } }
        }
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/loki/api/v1/query_range", method: method) { req, _ in
                await timed("loki_api_v1_query_range", req) { await queryRange(req, instant: false) }
            }
            router.on("/loki/api/v1/query", method: method) { req, _ in
                await timed("loki_api_v1_query", req) { await queryRange(req, instant: true) }
            }
            router.on("/loki/api/v1/labels", method: method) { req, _ in
                await timed("loki_api_v1_labels", req) { await labels(req, name: nil) }
            }
            router.on("/loki/api/v1/index/stats", method: method) { req, _ in
                await timed("loki_api_v1_index_stats", req) { await indexStats(req) }
            }
            router.on("/loki/api/v1/index/volume", method: method) { req, _ in
                await timed("loki_api_v1_index_volume", req) { await volume(req, range: false) }
            }
            router.on("/loki/api/v1/index/volume_range", method: method) { req, _ in
                await timed("loki_api_v1_index_volume_range", req) { await volume(req, range: true) }
            }
            router.on("/loki/api/v1/detected_labels", method: method) { req, _ in
                await timed("loki_api_v1_detected_labels", req) { await detectedLabels(req) }
            }
            router.on("/loki/api/v1/detected_fields", method: method) { req, _ in
                await timed("loki_api_v1_detected_fields", req) { await detectedFields(req, name: nil) }
            }
            router.on("/loki/api/v1/detected_field/:name/values", method: method) { req, ctx in
                let name = ctx.parameters.get("name") ?? ""
                return await timed("loki_api_v1_detected_field_values", req) { await detectedFields(req, name: name) }
            }
            router.on("/loki/api/v1/format_query", method: method) { req, _ in
                await timed("loki_api_v1_format_query", req) { await formatQuery(req) }
            }
            router.on("/loki/api/v1/series", method: method) { req, _ in
                await timed("loki_api_v1_series", req) { await series(req) }
            }
            router.on("/loki/api/v1/label/:name/values", method: method) { req, ctx in
                let name = ctx.parameters.get("name") ?? ""
                return await timed("loki_api_v1_label_name_values", req) { await labels(req, name: name) }
            }
        }
        // Upgraded requests never reach the router (see `TailRoute.shouldUpgrade`); this answers the rest.
        for path in TailRoute.paths {
            router.get(RouterPath(path)) { req, _ in await timed("loki_api_v1_tail", req) { tail.plainHTTP(req) } }
        }
        // Loki's /flush: close and flush every in-memory chunk (204 once queued; `?wait=true` waits for
        // the store to have them all, which tests and operators scripting a handover want).
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/flush", method: method) { req, _ in
                let wait = req.uri.queryParameters.get("wait") == "true"
                await BlockingWork.run("skald-flush-request") { flush(wait) }
                return Response(status: .noContent)
            }
        }
        // Loki's /ingester/shutdown: with `flush=true` (default) flush every chunk first and wait for the
        // store to have them; then, with `terminate=true` (default), shut the server down gracefully.
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/ingester/shutdown", method: method) { req, _ in
                let q = req.uri.queryParameters
                let flushFirst = q.get("flush") != "false"
                let terminate = q.get("terminate") != "false"
                if flushFirst {
                    await BlockingWork.run("skald-flush-request") { flush(true) }
                }
                logger.info("ingester shutdown requested", metadata: ["flush": "\(flushFirst)", "terminate": "\(terminate)"])
                if terminate { shutdown() }
                return Response(status: .noContent)
            }
        }
        router.get("/ready") { _, _ in
            readiness.isReady ? HTTPResponses.text(.ok, "ready") : HTTPResponses.text(.serviceUnavailable, readiness.message)
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metricsText())))
        }
        router.get("/config") { _, _ in
            var buf = ByteBuffer()
            buf.writeString(configYAML())
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: buf))
        }
        router.get("/loki/api/v1/status/buildinfo") { _, _ in
            var w = JSONWriter()
            w.raw(#"{"version":"#); w.string(BuildInfo.version)
            w.raw(#","revision":"#); w.string(BuildInfo.revision)
            w.raw(#","branch":"main","buildUser":"skald","buildDate":"","goVersion":"""#)
            w.raw("}")
            return HTTPResponses.json(w.bytes)
        }
    }

    /// Records `loki_request_duration_seconds{route,status_code,method}`.
    func timed(_ route: String, _ req: Request, _ body: () async -> Response) async -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let r = await body()
        let dt = DispatchTime.now().uptimeNanoseconds - start
        Metrics.Timer(label: "loki_request_duration_seconds",
                      dimensions: [("method", req.method.rawValue), ("route", route), ("status_code", String(r.status.code)), ("ws", "false")])
            .recordNanoseconds(Int64(dt))
        return r
    }

    // MARK: push

    func push(_ request: Request) async -> Response {
        let tenant: TenantID
        switch tenancy.tenant(request) {
        case .success(let t): tenant = t
        case .failure(let f): return Tenancy.response(f)
        }
        guard readiness.isReady else { return HTTPResponses.text(.serviceUnavailable, readiness.message) }
        var req = request
        let body: ByteBuffer
        do { body = try await req.collectBody(upTo: maxBody) } catch {
            return HTTPResponses.text(.contentTooLarge, "push body exceeds the limit of \(maxBody) bytes (distributor.max_recv_msg_size); send smaller batches")
        }
        do throws(PushError) {
            let contentType = request.headers[.contentType], contentEncoding = request.headers[.contentEncoding]
            // Promtail's form (snappy protobuf) is copied out of the request buffer once, so the log
            // can store it as it is when every entry is accepted; other bodies decode in place.
            let kept = Distributor.isSnappyProtobuf(contentType: contentType, contentEncoding: contentEncoding)
                ? body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? [] : nil
            let batch: PushBatch
            if let kept {
                batch = try distributor.decode(body: kept, contentType: contentType, contentEncoding: contentEncoding)
            } else {
                batch = try body.withUnsafeReadableBytes { raw in
                    Result { () throws(PushError) in try distributor.decode(body: raw, contentType: contentType, contentEncoding: contentEncoding) }
                }.get()
            }
            try await distributor.push(tenant: tenant, batch: batch, body: kept)
            return Response(status: .noContent)
        } catch {
            let status: HTTPResponse.Status = switch error.kind {
            case .badRequest: .badRequest
            case .limited: .tooManyRequests
            case .tooLarge: .contentTooLarge
            case .unavailable: .serviceUnavailable
            }
            return HTTPResponses.text(status, error.message)
        }
    }

    // MARK: read

    func queryRange(_ request: Request, instant: Bool) async -> Response {
        let tenant: TenantID
        switch tenancy.tenant(request) {
        case .success(let t): tenant = t
        case .failure(let f): return Tenancy.response(f)
        }
        let started = DispatchTime.now().uptimeNanoseconds
        var req = request
        do {
            let p = try await Params.from(&req)
            guard let query = p["query"], !query.isEmpty else { return HTTPResponses.badRequest("query parameter is required, like query={app=\"api\"}") }
            let limits = overrides.limits(for: tenant)
            // The clock starts when the request arrives, as Loki's does.
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let deadline = QueryDeadline(seconds: limits.queryTimeout > 0 ? max(Double(limits.queryTimeout) / 1e9 - elapsed, 1e-9) : 0)
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            var start: Int64, end: Int64
            if instant {
                let t = try p.time("time", default: now)
                start = t
                end = t
            } else {
                end = try p.time("end", default: now)
                start = try p.time("start", default: end - 3600 * 1_000_000_000)
                if end < start { return HTTPResponses.badRequest("end timestamp must not be before or equal to start time") }
            }
            // `max_query_lookback`: a range query wholly past it is answered empty (below, once
            // its kind is known), one reaching past it is cut at it, before the length check.
            let lookback = QueryLookback(limits, now: now)
            let whollyPast = lookback.isWhollyPast(end: end)
            if !instant && !whollyPast { start = lookback.clamp(start) }
            if !instant && !whollyPast && limits.maxQueryLength > 0 && end - start > limits.maxQueryLength {
                return HTTPResponses.badRequest("the query time range exceeds the limit (query length: \(TimeParser.formatDuration(end - start)), limit: \(TimeParser.formatDuration(limits.maxQueryLength)))")
            }
            let parsed = try QueryParser.parseQuery(query)
            let categorize = request.headers[HTTPField.Name("X-Loki-Response-Encoding-Flags")!]?.contains("categorize-labels") ?? false
            if whollyPast {
                switch parsed {
                case .metric:
                    return HTTPResponses.json(QueryResponse.metric(instant ? .vector(t: end / 1_000_000, []) : .matrix([]), execSeconds: 0))
                case .log where !instant:
                    return HTTPResponses.json(QueryResponse.streams([], categorize: categorize, execSeconds: 0))
                case .log:
                    break // refused below, as Loki's querier refuses it
                }
            }
            if case .metric(let expr) = parsed {
                var step: Int64 = 0
                if !instant {
                    if let text = p["step"], !text.isEmpty {
                        guard let d = TimeParser.duration(text) else {
                            return HTTPResponses.badRequest("invalid step: cannot parse \"\(text)\" to a valid duration")
                        }
                        step = d
                    } else {
                        // Loki's default: about 250 points over the range, at least 1 s.
                        step = max((end - start) / 1_000_000_000 / 250, 1) * 1_000_000_000
                    }
                    guard step > 0 else {
                        return HTTPResponses.badRequest("zero or negative query resolution step widths are not accepted. Try a positive integer")
                    }
                    if (end - start) / step > 11000 {
                        return HTTPResponses.badRequest("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
                    }
                    // Loki's frontend, splitting the query, aligns it to the step (start down, end up).
                    if limits.splitQueriesByInterval > 0 { (start, end) = LokiRoutes.alignToStep(start: start, end: end, step: step) }
                }
                let read = QueryStats()
                let evaluator = MetricEvaluator(start: start, end: end, step: step, maxSeries: limits.maxQuerySeries,
                                                source: querier.source(tenant: tenant, stats: read, earliest: lookback.earliest), deadline: deadline)
                // On a thread of its own: the evaluation reads for as long as the query needs.
                let outcome = try await BlockingWork.run("skald-query") { Result { () throws(EvaluationError) in try evaluator.evaluate(expr) } }
                let result: MetricResult
                switch outcome {
                case .success(let r): result = r
                case .failure(let error) where error.timedOut: return HTTPResponses.text(.gatewayTimeout, error.message)
                case .failure(let error): return HTTPResponses.badRequest(error.message)
                }
                let secs = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                return HTTPResponses.json(QueryResponse.metric(result, execSeconds: secs, stats: read.snapshot))
            }
            guard case .log(let logQuery) = parsed else { return HTTPResponses.badRequest("unreachable") }
            if instant {
                // Loki's instant log query reads [time − querier.engine.max_look_back_period, time).
                start = lookback.clamp(end - instantLookback)
                if end < start { return HTTPResponses.badRequest(lookback.refusal) }
            } else if end == start {
                end += 1
            }
            let limit = try p.int("limit", default: 100)
            guard limit >= 0 else { return HTTPResponses.badRequest("limit must be a positive value") }
            if limits.maxEntriesLimitPerQuery > 0 && limit > limits.maxEntriesLimitPerQuery {
                return HTTPResponses.badRequest("max entries limit per query exceeded, limit > max_entries_limit (\(limit) > \(limits.maxEntriesLimitPerQuery))")
            }
            let dirText = p["direction"] ?? "backward"
            guard let direction = Direction(rawValue: dirText.lowercased()) else {
                return HTTPResponses.badRequest("invalid direction \"\(dirText)\": use forward or backward")
            }
            if let step = p["step"], !step.isEmpty, TimeParser.duration(step) == nil {
                return HTTPResponses.badRequest("invalid step: cannot parse \"\(step)\" to a valid duration")
            }
            let (q, s, e) = (querier, start, end)
            let result = try await BlockingWork.run("skald-query") {
                try q.logQuery(tenant: tenant, logQuery, start: s, end: e, limit: limit, direction: direction, deadline: deadline)
            }
            if deadline.expired { return HTTPResponses.text(.gatewayTimeout, QueryDeadline.message) }
            let secs = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            if !result.warnings.isEmpty {
                logger.warning("query skipped corrupt data", metadata: ["tenant": "\(tenant.value)", "warnings": "\(result.warnings)"])
                Counter(label: "skald_query_skipped_corrupt_data_total").increment(by: result.warnings.count)
            }
            return HTTPResponses.json(QueryResponse.streams(result.streams, warnings: result.warnings, categorize: categorize, execSeconds: secs,
                                                            stats: result.stats.snapshot))
        } catch {
            return LokiRoutes.badRequest(for: error)
        }
    }

    /// Loki's step alignment of a split metric query: the step counts in whole milliseconds, the
    /// start is rounded down and the end up to a multiple of it.
    static func alignToStep(start: Int64, end: Int64, step: Int64) -> (Int64, Int64) {
        let s = max(step / 1_000_000 * 1_000_000, 1_000_000)
        func floorMod(_ a: Int64) -> Int64 { ((a % s) + s) % s }
        let m = floorMod(end)
        return (start - floorMod(start), m == 0 ? end : end + s - m)
    }

    /// The stream selector of `match[]` or `query` on the metadata endpoints, read by the LogQL
    /// parser (errors worded as Loki's); a log query's pipeline is ignored, a metric query refused.
    static func selectorMatchers(_ text: String) throws -> [LabelMatcher] {
        guard case .log(let l) = try QueryParser.parseQuery(text) else {
            throw Params.Invalid(message: "a stream selector is expected here, like {app=\"api\"}, not a metric query")
        }
        return l.matchers
    }

    /// A read request's parameter or selector error as Loki's 400.
    static func badRequest(for error: any Error) -> Response {
        switch error {
        case let e as Params.Invalid: HTTPResponses.badRequest(e.message)
        case let e as LogQL.ParseError: HTTPResponses.badRequest(e.message)
        default: HTTPResponses.badRequest("\(error)")
        }
    }

    /// The shared frame of the metadata endpoints: resolve the tenant, read the parameters and the
    /// time range (`end` defaults to now, `start` to `span` before it; an empty range is widened to
    /// 1 ns, or with `refusingEmptyRange` refused as Loki refuses it), apply `max_query_lookback`
    /// (`QueryLookback`: a range wholly past it reaches `body` empty, or with `refusingEmptyRange`
    /// is refused; a reversed range is refused as Loki refuses it), and turn parameter and
    /// selector errors into Loki's 400.
    func metadataRequest(_ request: Request, span: Int64, refusingEmptyRange: Bool = false,
                         _ body: (TenantID, Params, _ start: Int64, _ end: Int64) throws -> Response) async -> Response {
        let tenant: TenantID
        switch tenancy.tenant(request) {
        case .success(let t): tenant = t
        case .failure(let f): return Tenancy.response(f)
        }
        var req = request
        do {
            let p = try await Params.from(&req)
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            let end = try p.time("end", default: now)
            var start = try p.time("start", default: end - span)
            if refusingEmptyRange && end <= start {
                return HTTPResponses.badRequest("end timestamp must not be before or equal to start time")
            }
            let lookback = QueryLookback(overrides.limits(for: tenant), now: now)
            // Loki's frontend answers these empty before its querier sees the range.
            if !refusingEmptyRange && lookback.isWhollyPast(end: end) { return try body(tenant, p, end, end) }
            start = lookback.clamp(start)
            if end < start { return HTTPResponses.badRequest(lookback.refusal) }
            return try body(tenant, p, start, max(end, start + 1))
        } catch {
            return LokiRoutes.badRequest(for: error)
        }
    }

    /// `/loki/api/v1/format_query?query=…`: the query in LogQL's canonical form.
    func formatQuery(_ request: Request) async -> Response {
        var req = request
        do {
            let p = try await Params.from(&req)
            guard let q = p["query"], !q.isEmpty else { return HTTPResponses.badRequest("query parameter is required") }
            let formatted = try QueryParser.parseQuery(q).description
            var w = JSONWriter()
            w.raw(#"{"status":"success","data":"#)
            w.string(formatted)
            w.raw("}")
            return HTTPResponses.json(w.bytes)
        } catch {
            return LokiRoutes.badRequest(for: error)
        }
    }

    /// `/loki/api/v1/index/stats?query&start&end`: Loki's bare `{"streams","chunks","bytes","entries"}`.
    func indexStats(_ request: Request) async -> Response {
        await metadataRequest(request, span: 3600 * 1_000_000_000, refusingEmptyRange: true) { tenant, p, start, end in
            guard let q = p["query"], !q.isEmpty else { return HTTPResponses.badRequest("query parameter is required") }
            // Like Loki, the stats of a log query are those of its selector's streams (Grafana sends
            // the whole query, line filters included).
            let matchers: [LabelMatcher] = switch try QueryParser.parseQuery(q) {
            case .log(let l): l.matchers
            case .metric(let m): m.logRanges.first?.log.matchers ?? []
            }
            guard !matchers.isEmpty else { return HTTPResponses.badRequest("the query has no stream selector") }
            let s = querier.indexStats(tenant: tenant, matchers: matchers, start: start, end: end)
            return HTTPResponses.json(Array(#"{"streams":\#(s.streams),"chunks":\#(s.chunks),"bytes":\#(s.bytes),"entries":\#(s.entries)}"#.utf8))
        }
    }

    /// `/loki/api/v1/series?match[]=…&start&end`: label sets of the matching streams.
    func series(_ request: Request) async -> Response {
        await metadataRequest(request, span: 6 * 3600 * 1_000_000_000) { tenant, p, start, end in
            let selectors = (p.values["match[]"] ?? []) + (p.values["match"] ?? [])
            guard !selectors.isEmpty else { return HTTPResponses.badRequest("at least one match[] argument is required") }
            let parsed = try selectors.map { try Self.selectorMatchers($0) }
            return HTTPResponses.json(QueryResponse.series(querier.series(tenant: tenant, selectors: parsed, start: start, end: end)))
        }
    }

    func labels(_ request: Request, name: String?) async -> Response {
        await metadataRequest(request, span: 6 * 3600 * 1_000_000_000) { tenant, p, start, end in
            var matchers: [LabelMatcher] = []
            if let q = p["query"], !q.isEmpty { matchers = try Self.selectorMatchers(q) }
            let values = if let name {
                querier.labelValues(tenant: tenant, name: name, matchers: matchers, start: start, end: end)
            } else {
                querier.labelNames(tenant: tenant, matchers: matchers, start: start, end: end)
            }
            return HTTPResponses.json(QueryResponse.stringList(values))
        }
    }
}

/// Version facts for `/loki/api/v1/status/buildinfo` and `-version`.
public enum BuildInfo {
    public static let version = "0.1.0"
    public static let revision = "dev"
}
