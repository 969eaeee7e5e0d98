import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The HTTP side of `skald-tool query` and `compact --once --server`: requests to a Loki-compatible
/// server (Skald or Loki), with the tenant header, blocking; a JSON object comes back.
struct LokiClient {
    let address: String
    let orgID: String?
    let timeout: Double

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func get(_ path: String, _ params: [(String, String)]) throws -> [String: Any] {
        try request("GET", path, params)
    }

    func request(_ method: String, _ path: String, _ params: [(String, String)]) throws -> [String: Any] {
        let (url, status, body) = try send(method, path, params)
        guard status == 200 else {
            throw Failure(description: "\(method) \(url): \(status) \(String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw Failure(description: "\(method) \(url): the answer is not a JSON object")
        }
        return object
    }

    /// The URL of `path` on the server with `params` as its query (`scheme` replaces the address's,
    /// as the tail's websocket does).
    func url(_ path: String, _ params: [(String, String)], scheme: ((String) -> String?)? = nil) throws -> URL {
        let bad = Failure(description: "--addr \(address) is not a URL (like http://localhost:3100)")
        guard var c = URLComponents(string: address.hasSuffix("/") ? String(address.dropLast()) + path : address + path), let s = c.scheme else { throw bad }
        if let scheme {
            guard let other = scheme(s) else { throw Failure(description: "--addr \(address) is not an http:// or https:// URL (like http://localhost:3100)") }
            c.scheme = other
        }
        if !params.isEmpty { c.queryItems = params.map { URLQueryItem(name: $0.0, value: $0.1) } }
        // (`+` in a value must reach the server as a plus, not a space.)
        c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = c.url else { throw bad }
        return url
    }

    /// One request; the URL asked, the status and the body (any status: the caller judges it).
    func send(_ method: String, _ path: String, _ params: [(String, String)]) throws -> (URL, Int, Data) {
        let url = try url(path, params)
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let orgID { request.setValue(orgID, forHTTPHeaderField: "X-Scope-OrgID") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data?, URLResponse?, (any Error)?)
        URLSession.shared.dataTask(with: request) { d, r, e in
            result = (d, r, e)
            done.signal()
        }.resume()
        done.wait()
        if let e = result.2 { throw Failure(description: "\(method) \(url): \(e.localizedDescription)") }
        return (url, (result.1 as? HTTPURLResponse)?.statusCode ?? 0, result.0 ?? Data())
    }
}
