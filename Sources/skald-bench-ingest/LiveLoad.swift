import Codecs
import Foundation
import HTTPProbe
import LogModel

/// The sustained-load mode (`--duration`): each connection builds fresh protobuf batches as it goes
/// (so hours of load need no memory here), paced to its share of `--rate-mb`, and the server's
/// resident memory is sampled every `--report-every` seconds — the memory benchmark's view of
/// "flat after the first flushes".
enum LiveLoad {
    final class Shared: @unchecked Sendable {
        let lock = NSLock()
        var sentRaw = 0
        var latencies: [Double] = []
        /// (start after the run's start, seconds taken) per push, for `--latency-log`.
        var timeline: [(Double, Double)] = []
        var failures: [String] = []
    }

    static func run(_ o: Options) -> Int32 {
        let shared = Shared()
        let stop = DispatchTime.now().uptimeNanoseconds + UInt64(o.durationSeconds * 1e9)
        let perConnection = Double(o.rateMB) * 1_048_576 / Double(o.connections)
        let group = DispatchGroup()
        var headers = [("Content-Type", "application/x-protobuf")]
        if let t = o.tenant { headers.append(("X-Scope-OrgID", t)) }
        let allHeaders = headers
        let start = DispatchTime.now().uptimeNanoseconds
        let startWall = Date().timeIntervalSince1970
        for conn in 0..<o.connections {
            group.enter()
            Thread {
                defer { group.leave() }
                var gen = LineGenerator(seed: 0x5EED &+ UInt64(conn) &* 0x9E37_79B9, streamCount: o.streams)
                var ts = Int64(Date().timeIntervalSince1970 * 1e9) - 20 * 60 * 1_000_000_000 + Int64(conn)
                let c = HTTPConnection(port: o.port, timeout: 60)
                var sent = 0.0
                while DispatchTime.now().uptimeNanoseconds < stop {
                    let (b, size, _) = gen.batch(bytes: o.batchBytes, ts: &ts, step: Int64(o.connections) * 1000)
                    let body = Snappy.compress(PushProtobuf.encode(b.batch))
                    // Pace: this connection's bytes so far may not run ahead of its share of the rate.
                    let due = start + UInt64(sent / perConnection * 1e9)
                    let now = DispatchTime.now().uptimeNanoseconds
                    if due > now { usleep(UInt32(min((due - now) / 1000, 5_000_000))) }
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    do {
                        let r = try c.request("POST", "/loki/api/v1/push", headers: allHeaders, body: body)
                        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                        shared.lock.withLock {
                            shared.latencies.append(dt)
                            shared.timeline.append((Double(t0 - start) / 1e9, dt))
                            shared.sentRaw += size
                            if r.status != 204 { shared.failures.append("\(r.status) \(r.text.prefix(200))") }
                        }
                    } catch {
                        shared.lock.withLock { shared.failures.append("\(error)") }
                    }
                    sent += Double(size)
                }
            }.start()
        }
        // Sample the server's memory while the load runs.
        var samples: [(t: Double, rssMB: Double)] = []
        var nextReport = 0.0
        while group.wait(timeout: .now() + 1) == .timedOut {
            let t = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            guard let rss = ProcStats.residentKiB(o.pid) else { continue }
            samples.append((t, Double(rss) / 1024))
            if t >= nextReport {
                let sent = shared.lock.withLock { shared.sentRaw }
                print(String(format: "t=%.0fs sent_mb=%.0f rss_mb=%.0f", t, Double(sent) / 1_048_576, Double(rss) / 1024))
                fflush(nil)
                nextReport += Double(o.reportEvery)
            }
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let lat = shared.latencies.sorted()
        func pct(_ p: Double) -> Double { lat.isEmpty ? 0 : lat[min(lat.count - 1, Int(Double(lat.count) * p))] * 1000 }
        let late = samples.filter { $0.t >= elapsed / 2 }.map(\.rssMB)
        let peak = ProcStats.read(o.pid).map { Double($0.peakRSSKiB) / 1024 } ?? 0
        print(String(format: "streams=%d seconds=%.0f raw_mb=%.0f raw_mb_per_s=%.1f p50_ms=%.1f p99_ms=%.1f failures=%d",
                     o.streams, elapsed, Double(shared.sentRaw) / 1_048_576, Double(shared.sentRaw) / 1_048_576 / elapsed, pct(0.5), pct(0.99), shared.failures.count))
        print(String(format: "server_peak_rss_mb=%.0f second_half_rss_mb_min=%.0f second_half_rss_mb_max=%.0f",
                     peak, late.min() ?? 0, late.max() ?? 0))
        for f in shared.failures.prefix(5) { print("failure: \(f)") }
        if let path = o.latencyLog {
            // The one-shot mode's format: the run's start in Unix seconds, then "start ms" per push.
            let text = String(format: "# start %.6f\n", startWall) + shared.timeline.sorted { $0.0 < $1.0 }.map { String(format: "%.4f %.2f", $0.0, $0.1 * 1000) }.joined(separator: "\n")
            FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        }
        return shared.failures.isEmpty ? 0 : 1
    }
}
