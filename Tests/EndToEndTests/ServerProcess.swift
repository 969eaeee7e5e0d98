import Codecs
import Foundation
import HTTPProbe
import LogModel

/// The real `skald` binary on a free port and its own data directory.
final class ServerProcess {
    let dir: String
    let configPath: String
    private(set) var process: Process?
    private(set) var port = 0
    private(set) var logPath: String
    private var starts = 0

    /// The binary under test: $SKALD_BIN, else the debug build next to the package.
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["SKALD_BIN"] { return b }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/skald").path
    }

    init(dir: String, config: String) throws {
        self.dir = dir
        configPath = dir + "/skald.yaml"
        logPath = dir + "/skald-0.log"
        try config.replacingOccurrences(of: "$DATA", with: dir + "/data").write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// A config for tests: auth as given, generous limits, everything under `$DATA`.
    /// Tiny chunks, so a few pushes cut blocks, close chunks and flush them (crash tests cross flush boundaries).
    static let smallChunks = """
      chunk_block_size: 2048
      chunk_target_size: 8192
      flush_check_period: 1s
      chunk_idle_period: 2s
    """

    /// Checkpoints (and the segment deletions after them) all the time.
    static let frequentCheckpoints = """
        checkpoint_duration: 150ms
        segment_size: 64KB
    """

    static func config(auth: Bool = false, extraLimits: String = "", ingester: String = "", wal: String = "") -> String {
        """
        auth_enabled: \(auth)
        server:
          http_listen_port: 0
          log_level: info
        common:
          path_prefix: $DATA
        ingester:
        \(ingester)
          wal:
            fsync: always
        \(wal)
        limits_config:
          ingestion_rate_mb: 1000
          ingestion_burst_size_mb: 2000
          per_stream_rate_limit: 1GB
          per_stream_rate_limit_burst: 2GB
          max_entries_limit_per_query: 2000000
        \(extraLimits)
        """
    }

    func start(extraArgs: [String] = []) throws {
        guard FileManager.default.isExecutableFile(atPath: ServerProcess.binary) else {
            throw HTTPConnection.Failure(message: "no skald binary at \(ServerProcess.binary): run `swift build` first (scripts/test does)")
        }
        starts += 1
        logPath = dir + "/skald-\(starts).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        p.arguments = ["-config.file=\(configPath)", "-server.http-listen-port=0"] + extraArgs
        p.standardError = FileHandle(forWritingAtPath: logPath)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        process = p
        // The server logs its bound port; then wait for /ready.
        let deadline = Date().addingTimeInterval(60)
        while port == 0 {
            if let text = try? String(contentsOfFile: logPath, encoding: .utf8), let r = text.range(of: "http.port=") {
                port = Int(text[r.upperBound...].prefix(while: { $0.isNumber })) ?? 0
            }
            if !p.isRunning { throw HTTPConnection.Failure(message: "skald exited during startup:\n\(log)") }
            if Date() > deadline { throw HTTPConnection.Failure(message: "skald did not start:\n\(log)") }
            usleep(20_000)
        }
        let c = HTTPConnection(port: port, timeout: 5)
        while true {
            if let r = try? c.request("GET", "/ready"), r.status == 200 { break }
            if Date() > deadline { throw HTTPConnection.Failure(message: "skald never became ready:\n\(log)") }
            usleep(20_000)
        }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// `kill -9`: no chance to flush or close anything.
    func crash() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
        port = 0
    }

    /// SIGTERM; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let p = process else { return 0 }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        process = nil
        port = 0
        return p.terminationStatus
    }

    func connection() -> HTTPConnection { HTTPConnection(port: port) }

    deinit { crash() }
}

/// Helpers to build push bodies.
enum Bodies {
    static func json(_ streams: [(String, [(Int64, String)])]) -> [UInt8] {
        var s = #"{"streams":["#
        for (i, (labels, entries)) in streams.enumerated() {
            if i > 0 { s += "," }
            s += #"{"stream":{"#
            let pairs = labels.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1) }
            s += pairs.map { "\"\($0[0])\":\"\($0[1])\"" }.joined(separator: ",")
            s += #"},"values":["#
            s += entries.map { "[\"\($0.0)\",\(quote($0.1))]" }.joined(separator: ",")
            s += "]}"
        }
        return Array((s + "]}").utf8)
    }

    /// Promtail's form: a snappy-compressed protobuf `PushRequest` (labels as `a=b,c=d`, like `json`).
    static func protobuf(_ streams: [(String, [(Int64, String)])]) -> [UInt8] {
        var b = PushBatchBuilder()
        for (labels, entries) in streams {
            let pairs = labels.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1) }
            b.stream("{" + pairs.map { "\($0[0])=\(quote(String($0[1])))" }.joined(separator: ", ") + "}")
            for (t, line) in entries { b.entry(t, line) }
        }
        return Snappy.compress(PushProtobuf.encode(b.batch))
    }

    static func quote(_ s: String) -> String {
        var o = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": o += "\\\""
            case "\\": o += "\\\\"
            case "\n": o += "\\n"
            default: o.unicodeScalars.append(c)
            }
        }
        return o + "\""
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }
}

extension HTTPConnection {
    /// All lines of a selector over the last `hours`, forward.
    func lines(_ selector: String, tenant: String? = nil, hours: Int64 = 2, limit: Int = 2_000_000) throws -> [String] {
        let end = Bodies.now + 3_600_000_000_000
        let start = end - hours * 3_600_000_000_000
        let q = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var headers: [(String, String)] = []
        if let tenant { headers.append(("X-Scope-OrgID", tenant)) }
        let r = try request("GET", "/loki/api/v1/query_range?query=\(q)&start=\(start)&end=\(end)&limit=\(limit)&direction=forward", headers: headers)
        guard r.status == 200 else { throw Failure(message: "query failed: \(r.status) \(r.text)") }
        let obj = try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any]
        let data = obj["data"] as! [String: Any]
        let result = data["result"] as! [[String: Any]]
        return result.flatMap { ($0["values"] as! [[Any]]).map { $0[1] as! String } }
    }
}

/// Runs a binary to its end; returns its exit status and what it wrote to the chosen streams.
func runBinary(_ path: String, _ args: [String], stdout: Bool = true, stderr: Bool = false) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = stdout ? pipe : FileHandle.nullDevice
    p.standardError = stderr ? pipe : FileHandle.nullDevice
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
