import Testing
@testable import AgentStages

@Suite struct ContainerStageTests {
    @Test func criReadsKubeletLines() throws {
        // Promtail's documented example.
        var p = try S.pipeline(S.stage("cri", S.map([])))
        var e = entry("2019-04-30T02:12:41.8443515Z stdout F message")
        #expect(p.process(&e) == .keep)
        #expect(e.line == "message")
        #expect(e.labels == ["job": "test", "stream": "stdout"])
        #expect(e.timestamp == 1_556_590_361_844_351_500)
        #expect(e.extracted["flags"] == "F")
    }

    @Test func criJoinsPartialLinesPerStream() throws {
        var p = try S.pipeline(S.stage("cri", S.null))
        var a = entry("2019-04-30T02:12:41.1Z stdout P part one, ")
        var b = entry("2019-04-30T02:12:41.2Z stderr F an error")
        var c = entry("2019-04-30T02:12:41.3Z stdout P part two, ")
        var d = entry("2019-04-30T02:12:41.4Z stdout F the end")
        #expect(p.process(&a) == .held)
        #expect(p.process(&b) == .keep)
        #expect(b.line == "an error", "stderr's line is not joined with stdout's partial")
        #expect(p.process(&c) == .held)
        #expect(p.process(&d) == .keep)
        #expect(d.line == "part one, part two, the end")
        #expect(d.timestamp == 1_556_590_361_400_000_000, "the joined line takes its final part's time")
    }

    @Test func criWholeLinesKeepTheirBytes() throws {
        var p = try S.pipeline(S.stage("cri", S.null))
        for (line, content, stream, flags) in [("2019-04-30T02:12:41Z stderr F héllo wörld ✓", "héllo wörld ✓", "stderr", "F"),
                                               ("2019-04-30T02:12:41Z stdout F ", "", "stdout", "F"),
                                               ("2019-04-30T02:12:41Z stdout F  two  spaces ", " two  spaces ", "stdout", "F"),
                                               ("2019-04-30T02:12:41Z stdout X,Y x", "x", "stdout", "X,Y")] {
            var e = entry(line)
            #expect(p.process(&e) == .keep)
            #expect(e.line == content && e.extracted["content"] == content, "\(line)")
            #expect(e.labels["stream"] == stream && e.extracted["flags"] == flags && e.extracted["time"] == "2019-04-30T02:12:41Z")
        }
    }

    /// What `cri` extracts, whether it is the first stage or values were extracted before it.
    @Test func criExtractsIntoEmptyAndEarlierValues() throws {
        var p = try S.pipeline(S.stage("cri", S.null))
        var e = entry("2019-04-30T02:12:41Z stdout F hello")
        #expect(p.process(&e) == .keep)
        #expect(e.extracted == LabelMap(["content": "hello", "flags": "F", "stream": "stdout", "time": "2019-04-30T02:12:41Z"]))
        var held = entry("2019-04-30T02:12:42Z stderr P par")
        #expect(p.process(&held) == .held)
        #expect(held.extracted == LabelMap(["flags": "P", "stream": "stderr", "time": "2019-04-30T02:12:42Z"]))
        var earlier = entry("2019-04-30T02:12:43Z stdout F x")
        earlier.extracted = ["app": "a", "flags": "old", "zone": "z"]
        #expect(p.process(&earlier) == .keep)
        #expect(earlier.extracted == LabelMap(["app": "a", "content": "x", "flags": "F", "stream": "stdout", "time": "2019-04-30T02:12:43Z", "zone": "z"]))
    }

    @Test func criSendsWhatIsHeldAtMaxPartialLines() throws {
        var p = try S.pipeline(S.stage("cri", S.map([("max_partial_lines", S.v("2"))])))
        var a = entry("2019-04-30T02:12:41.1Z stdout P a")
        var b = entry("2019-04-30T02:12:41.2Z stdout P b")
        #expect(p.process(&a) == .held)
        #expect(p.process(&b) == .keep)
        #expect(b.line == "ab")
    }

    @Test func criLeavesOtherLinesAlone() throws {
        var p = try S.pipeline(S.stage("cri", S.null))
        for line in ["plain text", "2019-04-30T02:12:41Z stdin F x", "", "a b", "2019-04-30T02:12:41Z stdoux F x",
                     "2019-04-30T02:12:41Z stdouts F x", "2019-04-30T02:12:41Z sterr F x", "2019-04-30T02:12:41Z xtderr F x",
                     "2019-04-30T02:12:41Z stdout F"] {
            var e = entry(line)
            #expect(p.process(&e) == .keep)
            #expect(e.line == line)
            #expect(e.labels["stream"] == nil)
        }
    }

    @Test func dockerReadsJSONFileLines() throws {
        var p = try S.pipeline(S.stage("docker", S.map([])))
        var e = entry(#"{"log":"log message\n","stream":"stderr","time":"2019-04-30T02:12:41.8443515Z"}"#)
        #expect(p.process(&e) == .keep)
        #expect(e.line == "log message\n")
        #expect(e.labels["stream"] == "stderr")
        #expect(e.timestamp == 1_556_590_361_844_351_500)
        var bad = entry("{not json")
        #expect(p.process(&bad) == .keep)
        #expect(bad.line == "{not json")
    }

    @Test func badSettingsAreRefused() {
        #expect(throws: StageError.self) { try S.pipeline(S.stage("cri", S.map([("max_partial_lines", S.v("0"))]))) }
        #expect(throws: StageError("line 1: unknown key \"bogus\" in the docker stage")) { try S.pipeline(S.stage("docker", S.map([("bogus", S.v("1"))]))) }
        #expect(throws: StageError.self) { try S.pipeline(S.stage("nosuch", S.null)) }
        #expect(throws: StageError.self) { try S.pipeline(S.stage("multiline", S.null)) }
        #expect(throws: StageError.self) { try S.pipeline(S.map([("cri", S.null), ("docker", S.null)])) }
    }
}

@Suite struct MultilineStageTests {
    final class Clock: @unchecked Sendable { var t: Int64 = 0 }

    func pipeline(_ clock: Clock, extra: [(String, StageSettings)] = []) throws -> AgentPipeline {
        try AgentPipeline([S.stage("multiline", S.map([("firstline", S.v(#"^\d{4}-\d{2}-\d{2}"#))] + extra))], context: .init(now: { clock.t }))
    }

    func line(_ text: String, _ offset: Int64, labels: LabelMap = ["job": "j"]) -> AgentEntry {
        AgentEntry(labels: labels, timestamp: offset * 10, line: text, offset: offset)
    }

    @Test func joinsAStackTraceUntilTheNextFirstLine() throws {
        let clock = Clock()
        var p = try pipeline(clock)
        let r1 = p.process(line("2024-01-01 ERROR boom", 0))
        #expect(r1.outcome == .held && r1.released.isEmpty)
        #expect(p.heldFrom == 0)
        _ = p.process(line("  at a.b(C.java:1)", 22))
        _ = p.process(line("  at d.e(F.java:2)", 41))
        let r4 = p.process(line("2024-01-01 INFO next", 60))
        #expect(r4.outcome == .held)
        #expect(r4.released.count == 1)
        #expect(r4.released[0].entry.line == "2024-01-01 ERROR boom\n  at a.b(C.java:1)\n  at d.e(F.java:2)")
        #expect(r4.released[0].entry.timestamp == 0, "the block has its first line's time")
        #expect(r4.released[0].outcome == .keep)
        #expect(p.heldFrom == 60, "the position may move up to the block still open")
    }

    @Test func aQuietBlockGoesOutAfterMaxWaitAndFullBlocksAtMaxLines() throws {
        let clock = Clock()
        var p = try pipeline(clock, extra: [("max_wait_time", S.v("3s")), ("max_lines", S.v("3"))])
        _ = p.process(line("2024-01-01 a", 0))
        clock.t = 2_000_000_000
        #expect(p.flush(now: clock.t).isEmpty)
        clock.t = 5_000_000_000
        let out = p.flush(now: clock.t)
        #expect(out.map(\.entry.line) == ["2024-01-01 a"])
        #expect(p.heldFrom == nil)
        _ = p.process(line("continuation without a first line", 10))
        _ = p.process(line("two", 20))
        let r = p.process(line("three", 30))
        #expect(r.released.map(\.entry.line) == ["continuation without a first line\ntwo\nthree"], "max_lines ends a block")
        // Blocks are per stream.
        _ = p.process(line("2024-01-01 out", 40, labels: ["s": "out"]))
        let e = p.process(line("2024-01-01 err", 50, labels: ["s": "err"]))
        #expect(e.released.isEmpty)
        #expect(p.heldFrom == 40)
        #expect(throws: StageError.self) { try AgentPipeline([S.stage("multiline", S.map([]))], context: .init(now: { 0 })) }
        #expect(throws: StageError.self) { try AgentPipeline([S.stage("multiline", S.map([("firstline", S.v("x")), ("max_lines", S.v("0"))]))], context: .init(now: { 0 })) }
    }

    @Test func stagesAfterMultilineSeeTheBlock() throws {
        let clock = Clock()
        var p = try AgentPipeline([
            S.stage("multiline", S.map([("firstline", S.v("^START"))])),
            S.stage("regex", S.map([("expression", S.v(#"(?s)^START (?P<id>\d+).*line2"#))])),
            S.stage("labels", S.map([("id", S.null)])),
        ], context: .init(now: { clock.t }))
        _ = p.process(line("START 7", 0))
        _ = p.process(line("line2", 8))
        let r = p.process(line("START 8", 14))
        #expect(r.released.first?.entry.labels["id"] == "7")
    }
}
