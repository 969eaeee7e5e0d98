import Hummingbird
import LogModel
import LogQL
import ReadPath

extension LokiRoutes {
    /// `/loki/api/v1/index/volume` (a vector at `end`) and `/loki/api/v1/index/volume_range` (a
    /// matrix at each step): the bytes of the streams a selector matches, grouped by `targetLabels`
    /// or the selector's label names, `aggregateBy=series|labels`, the `limit` (100) largest.
    func volume(_ request: Request, range: Bool) async -> Response {
        await metadataRequest(request, span: 3600 * 1_000_000_000) { tenant, p, start, end in
            let limits = overrides.limits(for: tenant)
            // Loki answers a tenant with volumes off as an unknown route.
            guard limits.volumeEnabled else { return HTTPResponses.text(.notFound, "not found") }
            guard let q = p["query"], !q.isEmpty else { return HTTPResponses.badRequest("query parameter is required, like query={app=\"api\"}") }
            guard case .log(let selector) = try QueryParser.parseQuery(q), selector.stages.isEmpty else {
                return HTTPResponses.badRequest("volume queries take a stream selector only, like {app=\"api\", env=~\".+\"}")
            }
            let limit = try p.int("limit", default: 100)
            guard limit > 0 else { return HTTPResponses.badRequest("limit must be a positive value") }
            let aggregation: Querier.VolumeAggregation
            switch p["aggregateBy"] ?? "" {
            case "", "series": aggregation = .series
            case "labels": aggregation = .labels
            case let other: return HTTPResponses.badRequest("invalid aggregateBy \"\(other)\": use series or labels")
            }
            let targets = p["targetLabels"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            let targetLabels = targets?.isEmpty == false ? targets : nil
            guard range else {
                let v = querier.volume(tenant: tenant, matchers: selector.matchers, start: start, end: end, targetLabels: targetLabels,
                                       aggregation: aggregation, limit: limit)
                let samples = v.map { Sample(labels: $0.labels, value: Double($0.total)) }
                return HTTPResponses.json(QueryResponse.metric(.vector(t: end / 1_000_000, samples), execSeconds: 0))
            }
            var step = max((end - start) / 1_000_000_000 / 250, 1) * 1_000_000_000
            if let text = p["step"], !text.isEmpty {
                guard let d = TimeParser.duration(text), d > 0 else {
                    return HTTPResponses.badRequest("invalid step: cannot parse \"\(text)\" to a positive duration")
                }
                step = d
            }
            guard (end - start) / step <= 11000 else {
                return HTTPResponses.badRequest("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
            }
            // Points at start + step, start + 2·step, … up to the first at or past `end`; each covers (t − step, t].
            var ends: [Int64] = []
            var t = start + step
            while true {
                ends.append(t)
                if t >= end { break }
                t += step
            }
            let v = querier.volume(tenant: tenant, matchers: selector.matchers, start: start, end: end, targetLabels: targetLabels,
                                   aggregation: aggregation, limit: limit, bucketEnds: ends, step: step)
            let series = v.map { g in
                var points: [(t: Int64, v: Double)] = []
                for (t, bytes) in zip(ends, g.buckets) where bytes > 0 { points.append((t / 1_000_000, Double(bytes))) }
                return Series(labels: g.labels, points: points)
            }
            return HTTPResponses.json(QueryResponse.metric(.matrix(series), execSeconds: 0))
        }
    }
}
