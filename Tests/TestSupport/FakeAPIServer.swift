public import Foundation
public import Synchronization

/// A scripted HTTP server on a local socket (a Kubernetes API server in the agent's tests): each
/// request gets the first answer whose path prefix matches and that is still unused (answers marked
/// `repeats` are never used up); its request line is recorded. Each connection is served on its own
/// thread, so an answer can stay open after its body (`hold` seconds, as a watch does) without
/// holding up other requests; `stop()` ends held connections.
public final class FakeAPIServer: @unchecked Sendable {
    public struct Answer: Sendable {
        public var prefix: String
        public var status: Int
        public var body: Data
        public var hold: Double
        public var repeats: Bool
        public init(_ prefix: String, _ status: Int, _ body: Data, hold: Double = 0, repeats: Bool = false) {
            self.prefix = prefix
            self.status = status
            self.body = body
            self.hold = hold
            self.repeats = repeats
        }
    }

    let fd: Int32
    public let port: Int
    let answers: [Answer]
    public let requests = Mutex<[String]>([])
    /// Each request's head (request line and headers), as received.
    public let heads = Mutex<[String]>([])
    private let used = Mutex<Set<Int>>([])
    private let stopped = Atomic<Bool>(false)

    /// Answers used once each, in order.
    public convenience init(_ answers: [(String, Int, Data)]) {
        self.init(answers: answers.map { Answer($0.0, $0.1, $0.2) })
    }

    public init(answers: [Answer]) {
        self.answers = answers
        (fd, port) = LoopbackSocket.bind()
        listen(fd, 16)
        Thread.detachNewThread { [self] in serve() }
    }

    deinit { stop() }

    /// Stops accepting and ends held connections.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private func serve() {
        while !stopped.load(ordering: .relaxed) {
            let c = accept(fd, nil, nil)
            guard c >= 0 else { return }
            Thread.detachNewThread { [self] in answer(c) }
        }
    }

    private func answer(_ c: Int32) {
        var req: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: req, as: UTF8.self).contains("\r\n\r\n") {
            let n = read(c, &buf, buf.count)
            if n <= 0 { break }
            req += buf[0..<n]
        }
        let text = String(decoding: req, as: UTF8.self)
        let line = text.split(separator: "\r\n").first.map(String.init) ?? ""
        requests.withLock { $0.append(line) }
        heads.withLock { $0.append(text.components(separatedBy: "\r\n\r\n").first ?? "") }
        let path = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        let a = used.withLock { used -> Answer? in
            for (i, a) in answers.enumerated() where path.hasPrefix(a.prefix) && !used.contains(i) {
                if !a.repeats { used.insert(i) }
                return a
            }
            return nil
        } ?? Answer("", 500, Data("no more answers".utf8))
        let head = "HTTP/1.1 \(a.status) X\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        _ = head.utf8CString.withUnsafeBufferPointer { write(c, $0.baseAddress, $0.count - 1) }
        _ = a.body.withUnsafeBytes { write(c, $0.baseAddress, $0.count) }
        let end = Date().addingTimeInterval(a.hold)
        while Date() < end && !stopped.load(ordering: .relaxed) { usleep(20_000) }
        close(c)
    }
}
