import Dispatch
import Testing
@testable import AgentStages

@Suite struct LabelStageTests {
    @Test func labelsFromExtractedValues() throws {
        var p = try S.pipeline(S.stage("logfmt", S.map([("mapping", S.map([("level", S.null), ("app", S.null), ("empty", S.null)]))])),
                               S.stage("labels", S.map([("level", S.null), ("service", S.v("app")), ("empty", S.null), ("absent", S.null)])))
        var e = entry("level=info app=web empty=")
        _ = p.process(&e)
        #expect(e.labels == ["job": "test", "level": "info", "service": "web"])
        #expect(throws: StageError.self) { try S.pipeline(S.stage("labels", S.map([("bad-name", S.null)]))) }
    }

    @Test func staticDropAllowOutputTenant() throws {
        var p = try S.pipeline(
            S.stage("static_labels", S.map([("env", S.v("prod")), ("team", S.v("core"))])),
            S.stage("labeldrop", S.list([S.v("team")])),
            S.stage("json", S.map([("expressions", S.map([("msg", S.null), ("org", S.null)]))])),
            S.stage("output", S.map([("source", S.v("msg"))])),
            S.stage("tenant", S.map([("source", S.v("org"))])))
        var e = entry(#"{"msg":"hello","org":"acme"}"#)
        #expect(p.process(&e) == .keep)
        #expect(e.line == "hello")
        #expect(e.labels == ["job": "test", "env": "prod", AgentEntry.tenantLabel: "acme"])
        var allow = try S.pipeline(S.stage("labelallow", S.list([S.v("job")])))
        var a = entry("x", labels: ["job": "j", "pod": "p", "__path__": "/x"])
        _ = allow.process(&a)
        #expect(a.labels == ["job": "j", "__path__": "/x"])
        #expect(throws: StageError.self) { try S.pipeline(S.stage("tenant", S.map([("source", S.v("a")), ("value", S.v("b"))]))) }
    }

    @Test func timestampFormats() throws {
        func parse(_ format: String, _ text: String, location: String? = nil) throws -> Int64 {
            var settings: [(String, StageSettings)] = [("source", S.v("t")), ("format", S.v(format))]
            if let location { settings.append(("location", S.v(location))) }
            var p = try S.pipeline(S.stage("regex", S.map([("expression", S.v("^(?P<t>.*)$"))])), S.stage("timestamp", S.map(settings)))
            var e = entry(text, ts: -1)
            _ = p.process(&e)
            return e.timestamp
        }
        #expect(try parse("RFC3339", "2019-04-30T02:12:41Z") == 1_556_590_361_000_000_000)
        #expect(try parse("RFC3339Nano", "2019-04-30T02:12:41.123456789+02:00") == 1_556_583_161_123_456_789)
        #expect(try parse("Unix", "1562708916") == 1_562_708_916_000_000_000)
        #expect(try parse("Unix", "1562708916.414") == 1_562_708_916_414_000_000)
        #expect(try parse("UnixMs", "1562708916414") == 1_562_708_916_414_000_000)
        #expect(try parse("UnixUs", "1562708916414123") == 1_562_708_916_414_123_000)
        #expect(try parse("UnixNs", "1562708916000000123") == 1_562_708_916_000_000_123)
        #expect(try parse("2006-01-02 15:04:05", "2019-04-30 02:12:41") == 1_556_590_361_000_000_000)
        #expect(try parse("2006-01-02 15:04:05", "2019-04-30 02:12:41", location: "Europe/Berlin") == 1_556_583_161_000_000_000, "CEST is UTC+2 in April")
        #expect(try parse("2006-01-02 15:04:05", "2019-01-30 02:12:41", location: "Europe/Berlin") == 1_548_810_761_000_000_000, "CET is UTC+1 in January")
        #expect(try parse("RFC3339", "garbage") == -1, "nothing to fudge from: the time stays")
        #expect(throws: StageError.self) { try S.pipeline(S.stage("timestamp", S.map([("source", S.v("t")), ("format", S.v("Unix")), ("location", S.v("Mars/Base"))]))) }
    }

    @Test func timestampFudgesFailuresAfterAGoodTime() throws {
        var p = try S.pipeline(S.stage("regex", S.map([("expression", S.v("^(?P<t>\\S+)"))])),
                               S.stage("timestamp", S.map([("source", S.v("t")), ("format", S.v("Unix"))])))
        var a = entry("100 first", ts: 5), b = entry("oops second", ts: 5)
        _ = p.process(&a)
        _ = p.process(&b)
        #expect(a.timestamp == 100_000_000_000)
        #expect(b.timestamp == 100_000_000_001)
        var skip = try S.pipeline(S.stage("regex", S.map([("expression", S.v("^(?P<t>\\S+)"))])),
                                  S.stage("timestamp", S.map([("source", S.v("t")), ("format", S.v("Unix")), ("action_on_failure", S.v("skip"))])))
        var c = entry("100 first", ts: 5), d = entry("oops second", ts: 5)
        _ = skip.process(&c)
        _ = skip.process(&d)
        #expect(d.timestamp == 5)
    }

    @Test func dropConditions() throws {
        let now: Int64 = 1_700_000_000_000_000_000
        var byValue = try S.pipeline(S.stage("logfmt", S.map([("mapping", S.map([("level", S.null)]))])),
                                     S.stage("drop", S.map([("source", S.v("level")), ("value", S.v("debug"))])), now: now)
        var d = entry("level=debug x"), i = entry("level=info x")
        #expect(byValue.process(&d) == .drop(reason: "drop_stage"))
        #expect(byValue.process(&i) == .keep)
        var byLine = try S.pipeline(S.stage("drop", S.map([("expression", S.v("healthz")), ("drop_counter_reason", S.v("probes"))])))
        var h = entry("GET /healthz 200")
        #expect(byLine.process(&h) == .drop(reason: "probes"))
        var old = try S.pipeline(S.stage("drop", S.map([("older_than", S.v("1h"))])), now: now)
        var o = entry("x", ts: now - 2 * 3_600_000_000_000), n = entry("x", ts: now - 60_000_000_000)
        #expect(old.process(&o) == .drop(reason: "drop_stage"))
        #expect(old.process(&n) == .keep)
        var long = try S.pipeline(S.stage("drop", S.map([("longer_than", S.v("8b"))])))
        var l = entry("123456789"), s = entry("12345678")
        #expect(long.process(&l) == .drop(reason: "drop_stage"))
        #expect(long.process(&s) == .keep)
        #expect(throws: StageError.self) { try S.pipeline(S.stage("drop", S.map([]))) }
        #expect(throws: StageError.self) { try S.pipeline(S.stage("drop", S.map([("value", S.v("x"))]))) }
    }

    @Test func matchRunsNestedStagesOrDrops() throws {
        var p = try S.pipeline(
            S.stage("match", S.map([("selector", S.v(#"{app="web"}"#)), ("stages", S.list([S.stage("static_labels", S.map([("tier", S.v("front"))]))]))])),
            S.stage("match", S.map([("selector", S.v(#"{app="db"} |= "noise""#)), ("action", S.v("drop")), ("drop_counter_reason", S.v("noisy"))])))
        var web = entry("hello", labels: ["app": "web"])
        #expect(p.process(&web) == .keep)
        #expect(web.labels["tier"] == "front")
        var noisy = entry("some noise", labels: ["app": "db"]), quiet = entry("a query", labels: ["app": "db"])
        #expect(p.process(&noisy) == .drop(reason: "noisy"))
        #expect(p.process(&quiet) == .keep)
        #expect(quiet.labels["tier"] == nil)
        #expect(throws: StageError.self) { try S.pipeline(S.stage("match", S.map([("selector", S.v("{app=")), ("action", S.v("drop"))]))) }
        #expect(throws: StageError.self) { try S.pipeline(S.stage("match", S.map([("selector", S.v(#"{a="b"}"#))]))) }
    }
}

@Suite struct PackLimitStageTests {
    @Test func packWrapsLabelsAndLine() throws {
        var p = try S.pipeline(S.stage("regex", S.map([("expression", S.v("user=(?P<user>\\w+)"))])),
                               S.stage("pack", S.map([("labels", S.list([S.v("pod"), S.v("user"), S.v("absent")]))])), now: 42)
        var e = entry("hi \"there\" user=ada", labels: ["job": "j", "pod": "p-1"], ts: 7)
        #expect(p.process(&e) == .keep)
        #expect(e.line == #"{"pod":"p-1","user":"ada","_entry":"hi \"there\" user=ada"}"#)
        #expect(e.labels == ["job": "j"])
        #expect(e.timestamp == 42)
        var keep = try S.pipeline(S.stage("pack", S.map([("labels", S.list([S.v("pod")])), ("ingest_timestamp", S.v("false"))])), now: 42)
        var k = entry("x", labels: ["pod": "p"], ts: 7)
        _ = keep.process(&k)
        #expect(k.timestamp == 7)
        #expect(throws: StageError.self) { try S.pipeline(S.stage("pack", S.map([]))) }
    }

    @Test func tokenBucketStartsFullRefillsAtItsRateAndCapsAtItsBurst() {
        var b = TokenBucket(rate: 4, burst: 2)
        let t0: Int64 = 5_000_000_000
        #expect(b.take(now: t0) == nil && b.take(now: t0) == nil)
        #expect(b.take(now: t0) == 0.25, "empty: a token in a quarter second")
        #expect(b.take(now: t0 + 250_000_000) == nil)
        #expect(b.take(now: t0 + 10_000_000_000) == nil && b.take(now: t0 + 10_000_000_000) == nil, "ten seconds refill only up to the burst")
        #expect(b.take(now: t0 + 10_000_000_000) != nil)
        #expect(b.take(now: t0) != nil, "a clock going back adds nothing")
    }

    @Test func limitDropsPastTheRateAndRefills() throws {
        final class Clock: @unchecked Sendable { var t: Int64 = 1_000_000_000 }
        let clock = Clock()
        var p = try AgentPipeline([S.stage("limit", S.map([("rate", S.v("2")), ("burst", S.v("3")), ("drop", S.v("true"))]))],
                                  context: .init(now: { clock.t }))
        var outcomes: [StageOutcome] = []
        for _ in 0..<5 { var e = entry("x"); outcomes.append(p.process(&e)) }
        #expect(outcomes == [.keep, .keep, .keep, .drop(reason: "ratelimit_drop_stage"), .drop(reason: "ratelimit_drop_stage")])
        clock.t += 1_000_000_000  // one second: two more tokens
        var more: [StageOutcome] = []
        for _ in 0..<3 { var e = entry("x"); more.append(p.process(&e)) }
        #expect(more == [.keep, .keep, .drop(reason: "ratelimit_drop_stage")])
        // Per label: each value has its own bucket; lines without the label are not limited.
        var by = try AgentPipeline([S.stage("limit", S.map([("rate", S.v("1")), ("burst", S.v("1")), ("drop", S.v("true")), ("by_label_name", S.v("pod"))]))],
                                   context: .init(now: { clock.t }))
        var a1 = entry("x", labels: ["pod": "a"]), a2 = entry("x", labels: ["pod": "a"]), b1 = entry("x", labels: ["pod": "b"]), n = entry("x", labels: [:])
        #expect([by.process(&a1), by.process(&a2), by.process(&b1), by.process(&n)] == [.keep, .drop(reason: "ratelimit_drop_stage"), .keep, .keep])
        #expect(throws: StageError.self) { try S.pipeline(S.stage("limit", S.map([("rate", S.v("0"))]))) }
    }

    @Test func limitWaitsForItsTurn() throws {
        // With a real clock: the second line waits ~50 ms.
        var q = try AgentPipeline([S.stage("limit", S.map([("rate", S.v("20")), ("burst", S.v("1"))]))],
                                  context: .init(now: { Int64(DispatchTime.now().uptimeNanoseconds) }))
        let start = DispatchTime.now().uptimeNanoseconds
        var a = entry("a"), b = entry("b")
        #expect(q.process(&a) == .keep)
        #expect(q.process(&b) == .keep)
        #expect(DispatchTime.now().uptimeNanoseconds - start >= 40_000_000)
    }
}
