import Foundation
import Hummingbird
import LogModel
import LogQL
import ReadPath

extension LokiRoutes {
    /// The range of a `detected_*` request: `end` (now), `start`, else `end − since` (1h).
    static func detectedRange(_ p: Params, start: Int64, end: Int64) throws -> (Int64, Int64) {
        guard p["start"] == nil, let since = p["since"], !since.isEmpty else { return (start, end) }
        guard let d = TimeParser.duration(since), d > 0 else {
            throw Params.Invalid(message: "invalid since: cannot parse \"\(since)\" to a positive duration")
        }
        return (end - d, end)
    }

    /// `/loki/api/v1/detected_labels?query&start&end`: `{"detectedLabels":[{"label","cardinality"}]}`.
    func detectedLabels(_ request: Request) async -> Response {
        await metadataRequest(request, span: 3600 * 1_000_000_000) { tenant, p, start, end in
            let (s, e) = try Self.detectedRange(p, start: start, end: end)
            var matchers: [LabelMatcher] = []
            if let q = p["query"], !q.isEmpty, q != "{}" {
                guard case .log(let l) = try QueryParser.parseQuery(q) else {
                    return HTTPResponses.badRequest("detected_labels takes a stream selector, like {app=\"api\"}")
                }
                matchers = l.matchers
            }
            let labels = querier.detectedLabels(tenant: tenant, matchers: matchers, start: s, end: e)
            var w = JSONWriter()
            w.raw(#"{"detectedLabels":["#)
            for (i, l) in labels.enumerated() {
                if i > 0 { w.raw(0x2c) }
                w.raw(#"{"label":"#)
                w.string(l.label)
                w.raw(#","cardinality":\#(l.cardinality)}"#)
            }
            w.raw("]}")
            return HTTPResponses.json(w.bytes)
        }
    }

    /// `/loki/api/v1/detected_fields` (`{"fields":[…],"limit":n}`) and, with `name`,
    /// `/loki/api/v1/detected_field/<name>/values` (`{"values":[…],"limit":n}`).
    func detectedFields(_ request: Request, name: String?) async -> Response {
        await metadataRequest(request, span: 3600 * 1_000_000_000) { tenant, p, start, end in
            let (s, e) = try Self.detectedRange(p, start: start, end: end)
            guard let q = p["query"], !q.isEmpty else { return HTTPResponses.badRequest("query parameter is required, like query={app=\"api\"}") }
            guard case .log(let query) = try QueryParser.parseQuery(q) else {
                return HTTPResponses.badRequest("detected fields come from a log query, like {app=\"api\"}, not a metric query")
            }
            let lineLimit = try p.int("line_limit", default: 100)
            let limit = try p.int("limit", default: try p.int("field_limit", default: 1000))
            guard lineLimit > 0, limit > 0 else { return HTTPResponses.badRequest("line_limit and limit must be positive") }
            let limits = overrides.limits(for: tenant)
            if limits.maxEntriesLimitPerQuery > 0 && lineLimit > limits.maxEntriesLimitPerQuery {
                return HTTPResponses.badRequest("max entries limit per query exceeded, limit > max_entries_limit (\(lineLimit) > \(limits.maxEntriesLimitPerQuery))")
            }
            let fields = try querier.detectedFields(tenant: tenant, query: query, start: s, end: max(e, s + 1), lineLimit: lineLimit,
                                                    fieldLimit: name == nil ? limit : Int.max)
            var w = JSONWriter()
            if let name {
                let values = (fields.first { $0.label == name }?.values.sorted() ?? []).prefix(limit)
                w.raw(#"{"values":"#)
                w.stringArray(Array(values))
            } else {
                w.raw(#"{"fields":["#)
                for (i, f) in fields.enumerated() {
                    if i > 0 { w.raw(0x2c) }
                    w.raw(#"{"label":"#)
                    w.string(f.label)
                    w.raw(#","type":"#)
                    w.string(f.type)
                    w.raw(#","cardinality":\#(f.values.count),"parsers":"#)
                    w.stringArray(f.parsers)
                    w.raw("}")
                }
                w.raw("]")
            }
            w.raw(#","limit":\#(limit)}"#)
            return HTTPResponses.json(w.bytes)
        }
    }
}
