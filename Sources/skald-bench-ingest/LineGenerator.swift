import LogModel

/// Realistic log lines: a mix of logfmt, JSON and access-log lines (~100–300 bytes) over
/// `streams` label sets, deterministic from a seed so runs are comparable.
struct LineGenerator {
    var state: UInt64
    let streams: [String]

    init(seed: UInt64, streamCount: Int) {
        state = seed | 1
        let apps = ["checkout", "payments", "search", "auth", "catalog", "gateway", "orders", "users", "mailer", "billing"]
        streams = (0..<streamCount).map { i in
            "{app=\"\(apps[i % apps.count])\", container=\"main\", namespace=\"prod-\(i % 4)\", pod=\"\(apps[i % apps.count])-\(i)-7f9c\"}"
        }
    }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }

    static let paths = ["/api/v1/users", "/api/v1/orders/42", "/healthz", "/api/v2/search?q=shoes&page=3", "/static/app.js", "/login"]
    static let messages = ["request served", "cache miss, fetching from origin", "user authenticated", "payment authorised",
                           "retrying upstream call", "slow query detected", "connection reset by peer", "order persisted"]
    static let levels = ["info", "info", "info", "debug", "warn", "error"]
    static let agents = ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "curl/8.4.0", "Go-http-client/1.1", "kube-probe/1.28"]

    mutating func line(ts: Int64) -> String {
        let kind = next() % 3
        let status = pick([200, 200, 200, 201, 204, 301, 404, 500])
        let ms = next() % 900
        switch kind {
        case 0:
            return "ts=\(ts) level=\(pick(Self.levels)) caller=handler.go:\(next() % 400) msg=\"\(pick(Self.messages))\" method=GET path=\(pick(Self.paths)) status=\(status) duration=\(ms)ms trace_id=\(String(next(), radix: 16)) user_id=\(next() % 100000)"
        case 1:
            return "{\"level\":\"\(pick(Self.levels))\",\"ts\":\(ts),\"msg\":\"\(pick(Self.messages))\",\"path\":\"\(pick(Self.paths))\",\"status\":\(status),\"latency_ms\":\(ms),\"request_id\":\"\(String(next(), radix: 16))\",\"bytes\":\(next() % 50000)}"
        default:
            return "10.\(next() % 256).\(next() % 256).\(next() % 256) - - [22/Nov/2026:10:\(10 + next() % 50):\(10 + next() % 50) +0000] \"GET \(pick(Self.paths)) HTTP/1.1\" \(status) \(next() % 50000) \"-\" \"\(pick(Self.agents))\" \(ms)"
        }
    }

    /// One push batch of about `bytes` raw line bytes spread at random over the streams, timestamps
    /// advancing by `step` from `ts`. Returns the batch, its raw line bytes and its line count.
    mutating func batch(bytes: Int, ts: inout Int64, step: Int64) -> (builder: PushBatchBuilder, rawBytes: Int, lines: Int) {
        var b = PushBatchBuilder(reservingCapacity: bytes + 4096)
        var perStream = [[(Int64, String)]](repeating: [], count: streams.count)
        var size = 0, lines = 0
        while size < bytes {
            ts += step
            let l = line(ts: ts)
            perStream[Int(next() % UInt64(streams.count))].append((ts, l))
            size += l.utf8.count
            lines += 1
        }
        for (i, entries) in perStream.enumerated() where !entries.isEmpty {
            b.stream(streams[i])
            for (t, l) in entries { b.entry(t, l) }
        }
        return (b, size, lines)
    }
}
