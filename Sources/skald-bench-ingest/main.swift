import Codecs
import Foundation
import HTTPProbe
import LogModel

// skald-bench-ingest: pushes pre-encoded, unique ~1 MB batches over N keep-alive connections and
// reports raw line throughput, push latency and (given the server's pid) its CPU seconds and peak RSS.
// Bodies are built before the clock starts, so the client's encoding cost is not measured.

struct Options {
    var port = 3100
    var pid: Int32 = 0
    var format = "protobuf"
    var connections = 4
    var streams = 100
    var batchBytes = 1 << 20
    var totalBytes = 1 << 30
    var tenant: String?
    /// Sustained mode: seconds of load at `rateMB` (0: the one-shot throughput mode).
    var durationSeconds = 0.0
    var rateMB = 20
    var reportEvery = 30
    var latencyLog: String?
}

func parse() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let a = args.next() {
        let v = args.next() ?? ""
        switch a {
        case "--port": o.port = Int(v)!
        case "--pid": o.pid = Int32(v)!
        case "--format": o.format = v
        case "--connections": o.connections = Int(v)!
        case "--streams": o.streams = Int(v)!
        case "--batch-bytes": o.batchBytes = Int(v)!
        case "--total-mb": o.totalBytes = Int(v)! << 20
        case "--tenant": o.tenant = v
        case "--duration": o.durationSeconds = Double(v)!
        case "--rate-mb": o.rateMB = Int(v)!
        case "--report-every": o.reportEvery = Int(v)!
        case "--latency-log": o.latencyLog = v
        default:
            FileHandle.standardError.write("unknown option \(a)\nusage: skald-bench-ingest --port P [--pid PID] [--format protobuf|json] [--connections 4] [--streams 100] [--batch-bytes 1048576] [--total-mb 1024] [--duration SECONDS --rate-mb 20 --report-every 30] [--latency-log FILE]\n".data(using: .utf8)!)
            exit(2)
        }
    }
    return o
}

/// The machine's cumulative CPU time from /proc/stat's first line, in clock ticks.
struct MachineTimes {
    var total: Double
    /// idle + iowait.
    var idle: Double
    var steal: Double

    static func read() -> MachineTimes? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 8 else { return nil }
        return MachineTimes(total: v.prefix(8).reduce(0, +), idle: v[3] + v[4], steal: v[7])
    }
}

struct ProcStats {
    var cpuSeconds: Double
    var peakRSSKiB: Int

    static func read(_ pid: Int32) -> ProcStats? {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cpu = (Double(fields[11])! + Double(fields[12])!) / ticks
        let hwm = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return ProcStats(cpuSeconds: cpu, peakRSSKiB: hwm)
    }

    /// Current resident set (VmRSS), KiB.
    static func residentKiB(_ pid: Int32) -> Int? {
        guard pid > 0, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }?.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }
}

let o = parse()
if o.durationSeconds > 0 { exit(LiveLoad.run(o)) }
var gen = LineGenerator(seed: 0x5EED, streamCount: o.streams)
var bodies: [[UInt8]] = []
var rawBytes: [Int] = []
var lineCounts: [Int] = []
var ts = Int64(Date().timeIntervalSince1970 * 1e9) - 20 * 60 * 1_000_000_000
var produced = 0
while produced < o.totalBytes {
    let (b, size, lines) = gen.batch(bytes: o.batchBytes, ts: &ts, step: 1000)
    if o.format == "json" {
        var s = #"{"streams":["#
        for (si, st) in b.batch.streams.enumerated() {
            if si > 0 { s += "," }
            let labels = try! LabelParser.parse(st.labels)
            s += #"{"stream":{"# + labels.labels.map { "\"\($0.name)\":\"\($0.value)\"" }.joined(separator: ",") + #"},"values":["#
            s += st.entries.map { e in
                var line = ""
                for c in String(decoding: b.batch.line(e), as: UTF8.self).unicodeScalars {
                    switch c {
                    case "\"": line += "\\\""
                    case "\\": line += "\\\\"
                    default: line.unicodeScalars.append(c)
                    }
                }
                return "[\"\(e.timestamp)\",\"\(line)\"]"
            }.joined(separator: ",")
            s += "]}"
        }
        bodies.append(Array((s + "]}").utf8))
    } else {
        bodies.append(Snappy.compress(PushProtobuf.encode(b.batch)))
    }
    rawBytes.append(size)
    lineCounts.append(lines)
    produced += size
}
let contentType = o.format == "json" ? "application/json" : "application/x-protobuf"
var headers = [("Content-Type", contentType)]
if let t = o.tenant { headers.append(("X-Scope-OrgID", t)) }

final class Shared: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var latencies: [Double] = []
    /// (start offset from the run's start, latency), seconds, for `--latency-log`.
    var timeline: [(Double, Double)] = []
    var failures: [String] = []
}
let shared = Shared()
let before = ProcStats.read(o.pid)
let clientBefore = ProcStats.read(getpid())
let machineBefore = MachineTimes.read()
let start = DispatchTime.now().uptimeNanoseconds
let startWall = Date().timeIntervalSince1970
let group = DispatchGroup()
let allBodies = bodies
let allHeaders = headers
for _ in 0..<o.connections {
    group.enter()
    Thread {
        let c = HTTPConnection(port: o.port, timeout: 60)
        while true {
            let i: Int = shared.lock.withLock {
                defer { shared.next += 1 }
                return shared.next
            }
            guard i < allBodies.count else { break }
            let t0 = DispatchTime.now().uptimeNanoseconds
            do {
                let r = try c.request("POST", "/loki/api/v1/push", headers: allHeaders, body: allBodies[i])
                let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                shared.lock.withLock {
                    shared.latencies.append(dt)
                    shared.timeline.append((Double(t0 - start) / 1e9, dt))
                    if r.status != 204 { shared.failures.append("\(r.status) \(r.text.prefix(200))") }
                }
            } catch {
                shared.lock.withLock { shared.failures.append("\(error)") }
            }
        }
        group.leave()
    }.start()
}
group.wait()
let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
let after = ProcStats.read(o.pid)
let clientAfter = ProcStats.read(getpid())
let machineAfter = MachineTimes.read()
let totalRaw = rawBytes.reduce(0, +)
let totalLines = lineCounts.reduce(0, +)
let lat = shared.latencies.sorted()
func pct(_ p: Double) -> Double { lat.isEmpty ? 0 : lat[min(lat.count - 1, Int(Double(lat.count) * p))] * 1000 }
let mbps = Double(totalRaw) / 1_048_576 / elapsed
print("format=\(o.format) connections=\(o.connections) streams=\(o.streams) batches=\(bodies.count) avg_body_bytes=\(bodies.reduce(0) { $0 + $1.count } / max(bodies.count, 1))")
print(String(format: "lines=%d raw_mb=%.1f seconds=%.2f lines_per_s=%.0f raw_mb_per_s=%.1f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f failures=%d",
             totalLines, Double(totalRaw) / 1_048_576, elapsed, Double(totalLines) / elapsed, mbps, pct(0.5), pct(0.99), pct(1.0) - 0.0001, shared.failures.count))
if let b = before, let a = after {
    let cpu = a.cpuSeconds - b.cpuSeconds
    print(String(format: "server_cpu_s=%.2f server_cpu_s_per_gb=%.1f server_peak_rss_mb=%.0f", cpu, cpu / (Double(totalRaw) / 1_073_741_824), Double(a.peakRSSKiB) / 1024))
}
if let b = clientBefore, let a = clientAfter, let m0 = machineBefore, let m1 = machineAfter {
    // Where the machine's time went during the run: the load generator's own CPU, and of all cores'
    // time, the share idle (nothing to run or waiting for the disk) and stolen by the hypervisor.
    let all = max(m1.total - m0.total, 1)
    print(String(format: "client_cpu_s=%.2f machine_idle_pct=%.1f machine_steal_pct=%.1f", a.cpuSeconds - b.cpuSeconds,
                 100 * (m1.idle - m0.idle) / all, 100 * (m1.steal - m0.steal) / all))
}
if let path = o.latencyLog {
    // One line per push in start order: when it started (s after the run's start) and how long it took
    // (ms), after a first line with the run's start in Unix seconds (to line it up with server logs).
    let text = String(format: "# start %.6f\n", startWall) + shared.timeline.sorted { $0.0 < $1.0 }.map { String(format: "%.4f %.2f", $0.0, $0.1 * 1000) }.joined(separator: "\n")
    FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8))
}
for f in shared.failures.prefix(5) { print("failure: \(f)") }
exit(shared.failures.isEmpty ? 0 : 1)
