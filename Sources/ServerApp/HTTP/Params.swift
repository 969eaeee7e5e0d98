import Foundation
import Hummingbird
import LogModel

/// Query parameters from the URL, or from a form-encoded POST body (Loki accepts both).
struct Params {
    var values: [String: [String]] = [:]

    static func from(_ request: inout Request, maxBody: Int = 1 << 20) async throws -> Params {
        var p = Params()
        if let query = request.uri.query { p.addForm(query) }
        if request.method == .post,
           request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            let body = try await request.collectBody(upTo: maxBody)
            p.addForm(String(buffer: body))
        }
        return p
    }

    /// Adds the pairs of an `application/x-www-form-urlencoded` text (a URL's query or a POST body)
    /// the way Go's `url.ParseQuery` reads them, as Loki does: `+` is a space, `%XX` a byte.
    mutating func addForm(_ text: String) {
        func decode(_ s: Substring) -> String {
            let spaced = s.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[decode(kv[0]), default: []].append(kv.count > 1 ? decode(kv[1]) : "")
        }
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
