import Foundation
import HTTPProbe
import Testing
import TestSupport

/// The real `skald-agent` binary tailing files into the real `skald` server.
final class AgentProcess {
    let dir: String
    let configPath: String
    private(set) var process: Process?
    private var starts = 0
    private(set) var logPath = ""

    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["SKALD_AGENT_BIN"] { return b }
        return URL(fileURLWithPath: ServerProcess.binary).deletingLastPathComponent().appendingPathComponent("skald-agent").path
    }

    init(dir: String, config: String) throws {
        self.dir = dir
        configPath = dir + "/agent.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts the agent with `-config.file` and `arguments` (`environment` added to the test's own).
    func start(arguments: [String] = [], environment: [String: String] = [:]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw HTTPConnection.Failure(message: "no skald-agent binary at \(Self.binary): run `swift build` first (scripts/test does)")
        }
        starts += 1
        logPath = dir + "/agent-\(starts).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["-config.file=\(configPath)"] + arguments
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        p.standardError = FileHandle(forWritingAtPath: logPath)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        process = p
    }

    func crash() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    @discardableResult
    func stop() -> Int32 {
        guard let p = process else { return 0 }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        process = nil
        return p.terminationStatus
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit { crash() }
}

@Suite(.serialized) struct AgentEndToEndTests {
    /// A free TCP port (the server must come back on the same one after a restart).
    static func freePort() -> Int { LoopbackSocket.freePort() }

    static func agentConfig(logs: String, positions: String, port: Int, positionsSync: String = "200ms", stages: String = "- cri: {}",
                            extra: String = "") -> String {
        """
        \(extra)
        server:
          http_listen_port: 0
          log_level: info
        clients:
          - url: http://127.0.0.1:\(port)/loki/api/v1/push
            batchwait: 100ms
            batchsize: 65536
            backoff_config:
              min_period: 50ms
              max_period: 500ms
        positions:
          filename: \(positions)
          sync_period: \(positionsSync)
        target_config:
          sync_period: 200ms
        scrape_configs:
          - job_name: files
            pipeline_stages:
              \(stages)
            static_configs:
              - targets: [localhost]
                labels:
                  job: e2e
                  __path__: \(logs)/*.log
        """
    }

    /// A CRI line: its own timestamp makes a line sent twice an exact duplicate the server drops.
    static func criLine(_ n: Int, file: String) -> String {
        let base: Int64 = Int64(Date().timeIntervalSince1970) - 600
        let t = Date(timeIntervalSince1970: TimeInterval(base) + Double(n) / 1000)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return "\(f.string(from: t)) stdout F \(file) line \(n)\n"
    }

    /// The lines stored under `{job="e2e"}`, polled every 0.1 s until `done` holds or `timeout`
    /// seconds pass; with `settle`, read once more that many seconds after `done` held (so lines
    /// arriving twice would show).
    func storedLines(_ server: ServerProcess, timeout: Double = 20, settle: Double = 0, until done: ([String]) -> Bool) -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var got: [String] = []
        while Date() < deadline {
            got = (try? server.connection().lines(#"{job="e2e"}"#, hours: 2)) ?? []
            if done(got) { break }
            usleep(100_000)
        }
        if settle > 0 {
            usleep(useconds_t(settle * 1_000_000))
            got = (try? server.connection().lines(#"{job="e2e"}"#, hours: 2)) ?? got
        }
        return got
    }

    func append(_ path: String, _ text: String) {
        let h = FileHandle(forWritingAtPath: path) ?? { FileManager.default.createFile(atPath: path, contents: nil); return FileHandle(forWritingAtPath: path)! }()
        h.seekToEndOfFile()
        h.write(Data(text.utf8))
        try? h.close()
    }

    /// In `dir`: a server on a port of its own (it must come back on it after a restart) and an agent
    /// tailing `<dir>/logs/*.log` into it, both started.
    func serverAndAgent(in dir: TestDirectory, server serverConfig: String = ServerProcess.config(), positionsSync: String = "200ms",
                        stages: String = "- cri: {}", extra: String = "") throws -> (logs: String, port: Int, server: ServerProcess, agent: AgentProcess) {
        let logs = dir.path + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let port = Self.freePort()
        let server = try ServerProcess(dir: dir.path, config: serverConfig)
        try server.start(extraArgs: ["-server.http-listen-port=\(port)"])
        let agent = try AgentProcess(dir: dir.path, config: Self.agentConfig(logs: logs, positions: dir.path + "/positions.yaml", port: port,
                                                                             positionsSync: positionsSync, stages: stages, extra: extra))
        try agent.start()
        return (logs, port, server, agent)
    }

    /// Every line arrives exactly once through rotation (rename and create), a copytruncate, an
    /// agent killed with SIGKILL twice and a server killed once, and an agent stopped with SIGTERM.
    @Test func everyLineArrivesOnceThroughRotationAndCrashes() throws {
        let dir = TestDirectory()
        let (logs, port, server, agent) = try serverAndAgent(in: dir)

        var expected: [String] = []
        var n = 0
        func write(_ count: Int, to name: String) {
            var text = ""
            for _ in 0..<count {
                let line = Self.criLine(n, file: name)
                text += line
                expected.append(String(line.split(separator: " ", maxSplits: 3)[3].dropLast()))
                n += 1
            }
            append(logs + "/" + name, text)
        }
        func waitForAll(_ what: String) throws {
            let got = storedLines(server, timeout: 60) { $0.count >= expected.count }
            #expect(got.count == expected.count, "\(what): \(got.count) lines of \(expected.count)\nagent: \(agent.log.suffix(2000))")
            let missing = Set(expected).subtracting(got)
            #expect(missing.isEmpty, "\(what): missing \(missing.count), e.g. \(missing.sorted().prefix(5))")
        }

        write(300, to: "a.log")
        write(300, to: "b.log")
        usleep(150_000)
        agent.crash()
        write(200, to: "a.log")
        try agent.start()
        // Rename-and-create rotation of a.log (a.log.1 does not match the glob), once the agent
        // has the file open (a file rotated away before the agent ever saw it is out of its reach).
        try waitForAll("before rotation")
        write(100, to: "a.log")
        try FileManager.default.moveItem(atPath: logs + "/a.log", toPath: logs + "/a.log.1")
        // Longer than a target sync: the agent sees the path gone before the new file appears
        // (under load this window lost the old file's last lines, 1 CI run in 2).
        usleep(400_000)
        write(100, to: "a.log")
        write(100, to: "b.log")
        try waitForAll("after rotation")
        // copytruncate of b.log, once everything in it has been sent.
        try FileManager.default.copyItem(atPath: logs + "/b.log", toPath: logs + "/b.log.1")
        try Data().write(to: URL(fileURLWithPath: logs + "/b.log"))
        write(150, to: "b.log")
        server.crash()
        write(100, to: "a.log")
        usleep(300_000)
        try server.start(extraArgs: ["-server.http-listen-port=\(port)"])
        write(100, to: "c.log")
        usleep(100_000)
        agent.crash()
        try agent.start()
        write(100, to: "c.log")
        try waitForAll("after the crashes")
        #expect(agent.stop() == 0)
        let positions = try String(contentsOfFile: dir.path + "/positions.yaml", encoding: .utf8)
        #expect(positions.contains(logs.replacingOccurrences(of: "//", with: "/") + "/c.log\""), "\(positions)")
        try agent.start()
        write(50, to: "c.log")
        try waitForAll("after a graceful restart")
        agent.stop()
        server.stop()
    }

    /// Plain lines (no stage sets their time) read again after a crash are stamped exactly as the
    /// first time, so the server drops them as duplicates: with positions never saved before the
    /// kill, everything is sent twice and still appears once.
    @Test func plainLinesSentAgainAfterACrashAreNotDuplicated() throws {
        let dir = TestDirectory()
        let (logs, _, server, agent) = try serverAndAgent(in: dir, positionsSync: "1h", stages: "[]")
        var expected: [String] = []
        for round in 0..<4 {
            var text = ""
            for i in 0..<250 {
                let line = "plain \(round)-\(i) the same text again"
                text += line + "\n"
                expected.append(line)
            }
            text += "same\nsame\n"  // two identical lines are two lines
            expected += ["same", "same"]
            append(logs + "/plain.log", text)
            usleep(200_000)
        }
        func count() -> [String] { storedLines(server) { $0.count >= expected.count } }
        #expect(count().count == expected.count)
        agent.crash()
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/positions.yaml"), "no position was saved: everything is read again")
        try agent.start()
        usleep(1_500_000)
        let got = count()
        #expect(got.count == expected.count, "sent twice, stored once: \(got.count) of \(expected.count)")
        #expect(got.sorted() == expected.sorted())
        agent.stop()
        server.stop()
    }

    /// `limits_config.readline_rate`: with drop (Promtail's default) lines past the burst are
    /// dropped and the position moves past them; without, every line arrives, no faster than the rate.
    @Test func theReadlineRateDropsOrHoldsLinesBack() throws {
        for drop in [true, false] {
            let limits = "limits_config: {readline_rate_enabled: true, readline_rate: 10, readline_burst: 5, readline_rate_drop: \(drop)}"
            let dir = TestDirectory()
            let (logs, _, server, agent) = try serverAndAgent(in: dir, extra: limits)
            let started = Date()
            append(logs + "/x.log", (0..<25).map { Self.criLine($0, file: "x") }.joined())
            if drop {
                // The burst, then what the rate refilled while the 25 lines went through (none: they are read at once).
                let got = storedLines(server, timeout: 10, settle: 1.5) { $0.count >= 5 }
                #expect((5...8).contains(got.count), "\(got.count) lines")
                append(logs + "/x.log", Self.criLine(99, file: "x"))
                let after = storedLines(server, timeout: 10) { $0.contains { $0.hasSuffix("line 99") } }
                #expect(after.count == got.count + 1, "the dropped lines are not read again; the next one arrives")
            } else {
                let got = storedLines(server, timeout: 20) { $0.count >= 25 }
                #expect(got.count == 25)
                // 5 at once, 20 more at 10 a second: at least ~2 s (a slow host only adds).
                #expect(Date().timeIntervalSince(started) >= 1.8, "\(Date().timeIntervalSince(started)) s")
            }
            #expect(agent.stop() == 0)
            server.stop()
        }
    }

    /// A batch the server refuses with a 4xx is dropped and counted — not retried for ever — and the
    /// agent goes on with what follows.
    @Test func aRefusedBatchIsDroppedAndTheAgentGoesOn() throws {
        let dir = TestDirectory()
        let (logs, _, server, agent) = try serverAndAgent(in: dir, server: ServerProcess.config(extraLimits: "  max_line_size: 200"), stages: "[]")
        append(logs + "/x.log", "x" + String(repeating: "y", count: 500) + "\n")
        usleep(600_000)
        append(logs + "/x.log", "after the refused one\n")
        let got = storedLines(server) { $0.contains("after the refused one") }
        #expect(got == ["after the refused one"])
        #expect(agent.log.contains("push refused; the batch is dropped"), "\(agent.log.suffix(1500))")
        agent.stop()
        server.stop()
    }

    /// `max_line_size` without `max_line_size_truncate` drops a longer line (Promtail's rule); with it, cuts it.
    @Test func longLinesAreDroppedOrCut() throws {
        for truncate in [false, true] {
            let dir = TestDirectory()
            let (logs, _, server, agent) = try serverAndAgent(in: dir, stages: "[]", extra: "limits_config: {max_line_size: 10, max_line_size_truncate: \(truncate)}")
            append(logs + "/x.log", "short\n0123456789abcdef\nlast\n")
            let got = storedLines(server) { $0.contains("last") }
            #expect(got == (truncate ? ["short", "0123456789", "last"] : ["short", "last"]), "truncate: \(truncate)")
            agent.stop()
            server.stop()
        }
    }

    /// Bad flags and configs: a clear message and a non-zero exit, never a trap.
    @Test func badFlagsAndConfigsExitWithAMessage() throws {
        let dir = TestDirectory()
        func run(_ args: [String]) throws -> (Int32, String) { try runBinary(AgentProcess.binary, args, stdout: false, stderr: true) }
        let (c1, e1) = try run(["-bogus"])
        #expect(c1 == 2 && e1.contains("unknown flag -bogus"))
        let (c2, e2) = try run(["-config.file=\(dir.path)/none.yaml"])
        #expect(c2 == 1 && e2.contains("cannot read config file"))
        try "clients: [{url: http://x/push, batchwait: never}]".write(toFile: dir.path + "/bad.yaml", atomically: true, encoding: .utf8)
        let (c3, e3) = try run(["-config.file=\(dir.path)/bad.yaml"])
        #expect(c3 == 1 && e3.contains("batchwait"))
        try "positions: {filename: \(dir.path)/p.yaml}\nscrape_configs: [{job_name: a, static_configs: [{labels: {__path__: /nonexistent/*.log}}]}]".write(toFile: dir.path + "/ok.yaml", atomically: true, encoding: .utf8)
        let (c4, _) = try run(["-config.file=\(dir.path)/ok.yaml", "-client.url=http://127.0.0.1:1/loki/api/v1/push", "-check-syntax"])
        #expect(c4 == 0)
        // The seed's Kubernetes jobs check outside a cluster; running them there says what is missing.
        try "positions: {filename: \(dir.path)/p.yaml}\nscrape_configs: [{job_name: k, kubernetes_sd_configs: [{role: pod}]}]".write(toFile: dir.path + "/k8s.yaml", atomically: true, encoding: .utf8)
        let (c6, _) = try run(["-config.file=\(dir.path)/k8s.yaml", "-client.url=http://127.0.0.1:1/loki/api/v1/push", "-check-syntax"])
        #expect(c6 == 0)
        let (c7, e7) = try run(["-config.file=\(dir.path)/k8s.yaml", "-client.url=http://127.0.0.1:1/loki/api/v1/push"])
        #expect(c7 == 1 && e7.contains("KUBERNETES_SERVICE_HOST"))
        let (c5, e5) = try run(["-config.file=\(dir.path)/ok.yaml"])
        #expect(c5 == 1 && e5.contains("no client is configured"))
    }

    /// Multiline blocks (stack traces) arrive whole and once, across an agent killed mid-file:
    /// a block's position is held at its first line until the block is sent.
    @Test func multilineBlocksArriveWholeAndOnceAcrossACrash() throws {
        let dir = TestDirectory()
        let logs = dir.path + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let port = Self.freePort()
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start(extraArgs: ["-server.http-listen-port=\(port)"])
        let config = Self.agentConfig(logs: logs, positions: dir.path + "/positions.yaml", port: port, positionsSync: "50ms",
                                      stages: #"[{multiline: {firstline: '^BLOCK', max_wait_time: 300ms}}]"#)
        let agent = try AgentProcess(dir: dir.path, config: config)
        try agent.start()
        var expected: [String] = []
        for round in 0..<3 {
            var text = ""
            for b in 0..<40 {
                let block = "BLOCK \(round)-\(b) failed\n  at a.B.c(D.java:\(b))\n  at e.F.g(H.java:\(round))"
                text += block + "\n"
                expected.append(block)
            }
            append(logs + "/trace.log", text)
            usleep(120_000)
            if round == 1 { agent.crash(); try agent.start() }
        }
        let got = storedLines(server, settle: 0.5) { $0.count >= expected.count }
        #expect(got.count == expected.count, "\(got.count) of \(expected.count)")
        #expect(got.sorted() == expected.sorted(), "first difference: \(zip(got.sorted(), expected.sorted()).first { $0 != $1 }.map { "\($0)" } ?? "-")")
        agent.stop()
        server.stop()
    }

    /// A long outage: the agent stops reading once its queue is full, so its memory stays flat however
    /// much is written meanwhile, and everything arrives once the server is back.
    @Test func anOutageKeepsMemoryBoundedAndLosesNothing() throws {
        let dir = TestDirectory()
        let logs = dir.path + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let port = Self.freePort()
        let agent = try AgentProcess(dir: dir.path, config: Self.agentConfig(logs: logs, positions: dir.path + "/positions.yaml", port: port, stages: "[]"))
        try agent.start()
        func rssMB() -> Int {
            guard let pid = agent.process?.processIdentifier,
                  let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return -1 }
            return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
        usleep(500_000)
        let before = rssMB()
        // 40 MB written while nothing answers.
        let chunk = (0..<2000).map { "outage line \($0) " + String(repeating: "x", count: 180) }.joined(separator: "\n") + "\n"
        var lines = 0
        for _ in 0..<100 {
            append(logs + "/big.log", chunk)
            lines += 2000
        }
        sleep(3)
        let during = rssMB()
        #expect(during - before < 40, "RSS \(before) → \(during) MB while 40 MB waited on disk")
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start(extraArgs: ["-server.http-listen-port=\(port)"])
        let deadline = Date().addingTimeInterval(120)
        var got = 0
        while Date() < deadline {
            let r = try? server.connection().request("GET", "/loki/api/v1/query?query=" + "sum(count_over_time({job=\"e2e\"}[3h]))".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            if let r, let range = r.text.range(of: #""[0-9]+"]"#, options: .regularExpression) {
                got = Int(r.text[range].dropFirst().dropLast(2)) ?? 0
                if got >= lines { break }
            }
            usleep(250_000)
        }
        #expect(got == lines, "\(got) of \(lines) lines after the outage")
        agent.stop()
        server.stop()
    }

    @Test func anUnreachableServerIsRetriedAndNothingIsLost() throws {
        let dir = TestDirectory()
        let logs = dir.path + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let port = Self.freePort()
        let agent = try AgentProcess(dir: dir.path, config: Self.agentConfig(logs: logs, positions: dir.path + "/positions.yaml", port: port))
        try agent.start()
        var expected = Set<String>()
        var text = ""
        for i in 0..<500 {
            let line = Self.criLine(i, file: "down.log")
            text += line
            expected.insert(String(line.split(separator: " ", maxSplits: 3)[3].dropLast()))
        }
        append(logs + "/down.log", text)
        sleep(2)  // the agent retries against nothing
        let server = try ServerProcess(dir: dir.path, config: ServerProcess.config())
        try server.start(extraArgs: ["-server.http-listen-port=\(port)"])
        let got = storedLines(server, timeout: 30) { $0.count >= expected.count }
        #expect(Set(got) == expected && got.count == expected.count, "\(got.count) of \(expected.count)")
        #expect(agent.log.contains("retrying"))
        agent.stop()
        server.stop()
    }
}
