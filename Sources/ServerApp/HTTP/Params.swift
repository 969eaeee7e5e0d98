import Foundation
import Hummingbird
import LogModel

/// Query parameters from the URL, or from a form-encoded POST body (Loki accepts both).
struct Params {
    var values: [String: [String]] = [:]

    static func from(_ request: inout Request, maxBody: Int = 1 << 20) async throws -> Params {
        var p = Params()
        for (k, v) in request.uri.queryParameters { p.values[String(k), default: []].append(String(v)) }
        if request.method == .post,
           request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            let body = try await request.collectBody(upTo: maxBody)
            let text = String(buffer: body)
            for pair in text.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                let k = String(kv[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[0])
                let v = kv.count > 1 ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[1])) : ""
                p.values[k, default: []].append(v)
            }
        }
        return p
    }

    subscript(_ key: String) -> String? { values[key]?.first }

    struct Invalid: Error { let message: String }

    /// A time parameter in any of Loki's forms, or `fallback` when absent.
    func time(_ key: String, default fallback: Int64) throws(Invalid) -> Int64 {
        guard let s = self[key], !s.isEmpty else { return fallback }
        guard let v = TimeParser.parse(s) else {
            throw Invalid(message: "invalid \(key): cannot parse \"\(s)\" to a valid timestamp; use unix seconds, unix nanoseconds or RFC3339")
        }
        return v
    }

    func int(_ key: String, default fallback: Int) throws(Invalid) -> Int {
        guard let s = self[key], !s.isEmpty else { return fallback }
        guard let v = Int(s) else { throw Invalid(message: "invalid \(key): cannot parse \"\(s)\" as an integer") }
        return v
    }
}
