import Codecs
import Foundation
import HTTPTypes
import Hummingbird
import LogModel
import LogQL
import Storage
import WritePath

/// Loki's log deletion API: `POST|PUT /loki/api/v1/delete?query&start&end` (204), `GET` the
/// tenant's requests, `DELETE ?request_id` to cancel within `delete_request_cancel_period`.
struct DeleteRoutes: Sendable {
    let store: DeleteRequestStore?
    let tenancy: Tenancy
    let overrides: Overrides
    /// Nanoseconds a request may be cancelled for (`compactor.delete_request_cancel_period`).
    let cancelPeriod: Int64

    static let notAvailable = "deletion is not available for this tenant"

    func register(on router: Router<BasicRequestContext>) {
        for method in [HTTPRequest.Method.post, .put, .get, .delete] {
            router.on("/loki/api/v1/delete", method: method) { req, _ in await handle(req) }
        }
    }

    func handle(_ request: Request) async -> Response {
        guard let store else {
            // As Loki, the endpoints exist only with the compactor's retention on.
            return HTTPResponses.text(.notFound, "log deletion needs compactor.retention_enabled: true\n")
        }
        let tenant: TenantID
        switch tenancy.tenant(request) {
        case .success(let t): tenant = t
        case .failure(let f): return Tenancy.response(f)
        }
        guard overrides.limits(for: tenant).deletionMode != .disabled else {
            return HTTPResponses.text(.forbidden, Self.notAvailable + "\n")
        }
        var req = request
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        do {
            let p = try await Params.from(&req)
            switch request.method {
            case .get:
                return HTTPResponses.json(Self.list(store.list(tenant: tenant.value)))
            case .delete:
                guard let id = p["request_id"], !id.isEmpty else { return HTTPResponses.badRequest("request_id is required\n") }
                do {
                    try store.cancel(tenant: tenant.value, id: id, now: now, cancelPeriod: cancelPeriod)
                } catch let refusal as DeleteRequestStore.Refusal {
                    return HTTPResponses.text(HTTPResponse.Status(code: refusal.status), refusal.message + "\n")
                }
                return Response(status: .noContent)
            default:
                guard let q = p["query"], !q.isEmpty else { return HTTPResponses.badRequest("query parameter is required\n") }
                let parsed: LogQuery
                do { parsed = try QueryParser.parse(q) } catch {
                    return HTTPResponses.badRequest("invalid query expression: \(error)\n")
                }
                guard parsed.isFilterOnly else {
                    return HTTPResponses.badRequest("invalid query expression: a delete query is a stream selector with optional line filters only\n")
                }
                let start = try p.time("start", default: 0)
                let end = try p.time("end", default: now)
                guard end >= start else { return HTTPResponses.badRequest("invalid start/end: end must not be before start\n") }
                guard start <= now, end <= now + 60 * 1_000_000_000 else {
                    return HTTPResponses.badRequest("invalid start/end: deletes in the future are not allowed\n")
                }
                let r = DeleteRequest(requestID: Self.newID(), tenant: tenant.value, query: parsed.description, start: start, end: end, createdAt: now)
                try store.add(r)
                return Response(status: .noContent)
            }
        } catch {
            if let invalid = error as? Params.Invalid { return HTTPResponses.badRequest(invalid.message + "\n") }
            return HTTPResponses.text(.internalServerError, "could not store the delete request: \(error); nothing was changed, retry\n")
        }
    }

    /// Loki's list: `[{"request_id","start_time","end_time","query","status","created_at"}]`, times as Unix seconds.
    static func list(_ requests: [DeleteRequest]) -> [UInt8] {
        var w = JSONWriter()
        w.raw("[")
        for (i, r) in requests.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw(#"{"request_id":"#)
            w.string(r.requestID)
            w.raw(#","start_time":"# + seconds(r.start) + #","end_time":"# + seconds(r.end) + #","query":"#)
            w.string(r.query)
            w.raw(#","status":"#)
            w.string(r.status.rawValue)
            w.raw(#","created_at":"# + seconds(r.createdAt) + "}")
        }
        w.raw("]")
        return w.bytes
    }

    /// Milliseconds as Prometheus' model.Time prints them: seconds, shortest decimals.
    static func seconds(_ ns: Int64) -> String {
        let ms = ns / 1_000_000
        let whole = ms / 1000, frac = abs(ms % 1000)
        guard frac != 0 else { return "\(whole)" }
        var f = String(frac)
        f = String(repeating: "0", count: 3 - f.count) + f
        while f.hasSuffix("0") { f.removeLast() }
        return (ms < 0 && whole == 0 ? "-0" : "\(whole)") + "." + f
    }

    /// Eight hex digits, as Loki's ids.
    static func newID() -> String {
        hexDigits(UInt64(UInt32.random(in: .min ... .max)), width: 8)
    }
}
