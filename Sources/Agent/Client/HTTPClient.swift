import CCurl
import Foundation

/// A blocking HTTP(S) client over libcurl (TLS, CA files, client certificates, basic auth,
/// proxies): one per sending thread, keeping its connection alive between requests.
final class HTTPClient {
    struct Response {
        var status: Int
        var body: [UInt8]
        var retryAfterSeconds: Int?
    }

    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    struct Options {
        var timeoutNanos: Int64 = 10_000_000_000
        var tls = AgentConfig.TLS()
        var basicAuth: (username: String, password: String)?
        var proxyURL: String?
        var maxResponseBytes = 64 << 20
    }

    private let handle: UnsafeMutableRawPointer

    init() {
        handle = skald_http_new()
    }

    deinit { skald_http_free(handle) }

    /// Sends one request; throws when no response arrived (connection refused, timeout, TLS …).
    func send(_ method: String, _ url: String, headers: [String], body: [UInt8] = [], options: Options) throws(Failure) -> Response {
        var response = skald_http_response()
        let rc = withRequest(method, url, headers: headers, body: body, options: options) { req in
            skald_http_perform(handle, req, &response)
        }
        defer { skald_http_response_free(&response) }
        guard rc == 0 else {
            let message = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw Failure(message: "\(method) \(url): \(message)")
        }
        let bodyBytes = response.body.map { Array(UnsafeBufferPointer(start: $0, count: response.body_length)) } ?? []
        return Response(status: response.status, body: bodyBytes, retryAfterSeconds: response.retry_after_seconds >= 0 ? response.retry_after_seconds : nil)
    }

    /// Streams a GET's body to `onData` as it arrives (returning false stops it); the status is
    /// known once the body ends.
    func stream(_ url: String, headers: [String], options: Options, onData: @escaping ([UInt8]) -> Bool) throws(Failure) -> Int {
        final class Box { let f: ([UInt8]) -> Bool; init(_ f: @escaping ([UInt8]) -> Bool) { self.f = f } }
        let box = Unmanaged.passRetained(Box(onData))
        defer { box.release() }
        var response = skald_http_response()
        let rc = withRequest("GET", url, headers: headers, body: [], options: options) { req in
            skald_http_stream(handle, req, &response, { ctx, data, len in
                let b = Unmanaged<Box>.fromOpaque(ctx!).takeUnretainedValue()
                let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: len)) } ?? []
                return b.f(bytes) ? 0 : 1
            }, box.toOpaque())
        }
        defer { skald_http_response_free(&response) }
        guard rc == 0 else {
            let message = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw Failure(message: "GET \(url): \(message)")
        }
        return response.status
    }

    private func withRequest(_ method: String, _ url: String, headers: [String], body: [UInt8], options: Options,
                             _ body2: (UnsafePointer<skald_http_request>) -> Int32) -> Int32 {
        // Every C string lives until the request is done.
        var keep: [UnsafeMutablePointer<CChar>] = []
        defer { keep.forEach { free($0) } }
        func c(_ s: String?) -> UnsafePointer<CChar>? {
            guard let s else { return nil }
            let p = strdup(s)!
            keep.append(p)
            return UnsafePointer(p)
        }
        let headerPointers: [UnsafePointer<CChar>?] = headers.map { c($0) }
        return headerPointers.withUnsafeBufferPointer { hp in
            body.withUnsafeBufferPointer { bp in
                var req = skald_http_request()
                req.url = c(url)
                req.method = c(method)
                req.headers = hp.baseAddress
                req.header_count = Int32(headers.count)
                req.body = bp.baseAddress
                req.body_length = body.count
                req.timeout_ms = Int(options.timeoutNanos / 1_000_000)
                req.connect_timeout_ms = Int(min(options.timeoutNanos, 10_000_000_000) / 1_000_000)
                req.ca_file = c(options.tls.caFile)
                req.cert_file = c(options.tls.certFile)
                req.key_file = c(options.tls.keyFile)
                req.insecure_skip_verify = options.tls.insecureSkipVerify ? 1 : 0
                req.username = c(options.basicAuth?.username)
                req.password = c(options.basicAuth?.password)
                req.proxy_url = c(options.proxyURL)
                req.max_response_bytes = options.maxResponseBytes
                return withUnsafePointer(to: &req) { body2($0) }
            }
        }
    }
}
