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
        for line in ["plain text", "2019-04-30T02:12:41Z stdin F x", "", "a b"] {
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
