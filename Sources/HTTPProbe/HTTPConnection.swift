#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking HTTP/1.1 client over one keep-alive TCP connection to 127.0.0.1 — for
/// end-to-end tests and the ingest load generator, which must measure the server, not a client stack.
public final class HTTPConnection {
    public struct Response {
        public let status: Int
        public let headers: [(String, String)]
        public let body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    let port: Int
    var fd: Int32 = -1
    var buffer: [UInt8] = []
    /// Receive timeout in seconds (a hung server fails the test instead of hanging it).
    public var timeout: Int

    public init(port: Int, timeout: Int = 30) {
        self.port = port
        self.timeout = timeout
    }

    deinit { close() }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        buffer.removeAll()
    }

    func connect() throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw Failure(message: "socket: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            Glibc.close(s)
            throw Failure(message: "connect to 127.0.0.1:\(port): errno \(e)")
        }
        fd = s
    }

    /// Sends one request and reads the whole response; reconnects once if a kept-alive connection was closed.
    public func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> Response {
        do {
            return try attempt(method, path, headers: headers, body: body)
        } catch {
            close()
            return try attempt(method, path, headers: headers, body: body)
        }
    }

    func attempt(_ method: String, _ path: String, headers: [(String, String)], body: [UInt8]) throws -> Response {
        if fd < 0 { try connect() }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(body.count)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        var out = Array(head.utf8)
        out.append(contentsOf: body)
        var sent = 0
        while sent < out.count {
            let n = out.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw Failure(message: "send failed: errno \(errno)") }
            sent += n
        }
        // Status line and headers.
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = find(buffer, [13, 10, 13, 10])
            if headerEnd == nil { try fill() }
        }
        let headText = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        buffer.removeFirst(headerEnd! + 4)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(message: "bad status line") }
        var hs: [(String, String)] = []
        for l in lines {
            guard let c = l.firstIndex(of: ":") else { continue }
            hs.append((String(l[..<c]), l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)))
        }
        func hv(_ n: String) -> String? { hs.first { $0.0.lowercased() == n }?.1 }
        var payload: [UInt8] = []
        if let cl = hv("content-length").flatMap(Int.init) {
            while buffer.count < cl { try fill() }
            payload = Array(buffer[0..<cl])
            buffer.removeFirst(cl)
        } else if hv("transfer-encoding")?.lowercased() == "chunked" {
            while true {
                var lineEnd = find(buffer, [13, 10])
                while lineEnd == nil { try fill(); lineEnd = find(buffer, [13, 10]) }
                let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self).split(separator: ";")[0]
                guard let size = Int(sizeText, radix: 16) else { throw Failure(message: "bad chunk size") }
                buffer.removeFirst(lineEnd! + 2)
                while buffer.count < size + 2 { try fill() }
                payload.append(contentsOf: buffer[0..<size])
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else if status != 204 && status != 304 && !(100..<200).contains(status) {
            while (try? fill()) != nil {}
            payload = buffer
            buffer.removeAll()
            close()
        }
        if hv("connection")?.lowercased() == "close" { close() }
        return Response(status: status, headers: hs, body: payload)
    }

    /// Reads exactly `count` bytes following the last response — the bytes of the protocol a
    /// `101 Switching Protocols` answer switched the connection to.
    public func read(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        defer { buffer.removeFirst(count) }
        return Array(buffer[0..<count])
    }

    func fill() throws {
        var tmp = [UInt8](repeating: 0, count: 65536)
        let n = tmp.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if n <= 0 { throw Failure(message: n == 0 ? "connection closed by server" : "recv failed: errno \(errno)") }
        buffer.append(contentsOf: tmp[0..<n])
    }

    func find(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        var i = 0
        while i <= hay.count - needle.count {
            if hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}

import Foundation
