import Testing
@testable import AgentStages

@Suite struct ParserStageTests {
    @Test func regexExtractsNamedGroups() throws {
        var p = try S.pipeline(S.stage("regex", S.map([("expression", S.v(#"^(?P<ip>\S+) .* status=(?P<status>\d+)(?P<opt>x)?"#))])))
        var e = entry("10.0.0.1 GET / status=503 took 3ms")
        #expect(p.process(&e) == .keep)
        #expect(e.extracted == ["ip": "10.0.0.1", "status": "503", "opt": ""])
        var miss = entry("nothing here")
        #expect(p.process(&miss) == .keep)
        #expect(miss.extracted.isEmpty)
        #expect(throws: StageError.self) { try S.pipeline(S.stage("regex", S.map([("expression", S.v("(a)"))]))) }
        #expect(throws: StageError.self) { try S.pipeline(S.stage("regex", S.map([("expression", S.v("(?P<x>"))]))) }
    }

    @Test func regexReadsAnExtractedSource() throws {
        var p = try S.pipeline(S.stage("json", S.map([("expressions", S.map([("msg", S.null)]))])),
                               S.stage("regex", S.map([("expression", S.v(#"user=(?P<user>\w+)"#)), ("source", S.v("msg"))])))
        var e = entry(#"{"msg":"login user=ada ok"}"#)
        _ = p.process(&e)
        #expect(e.extracted["user"] == "ada")
    }

    @Test func jsonExtractsPathsAndKeepsTypesAsPromtail() throws {
        var p = try S.pipeline(S.stage("json", S.map([("expressions", S.map([
            ("level", S.null), ("user", S.v("extra.user")), ("first", S.v("tags[0]")), ("last", S.v("tags[-1]")),
            ("code", S.v("code")), ("ratio", S.v("ratio")), ("ok", S.v("ok")), ("extra", S.null), ("none", S.v("missing")),
            ("dotted", S.v(#""app.kubernetes.io/name""#)),
        ]))])))
        var e = entry(#"{"level":"warn","extra":{"user":"ada","n":1},"tags":["a","b","c"],"code":503,"ratio":0.25,"ok":true,"app.kubernetes.io/name":"web"}"#)
        #expect(p.process(&e) == .keep)
        #expect(e.extracted["level"] == "warn")
        #expect(e.extracted["user"] == "ada")
        #expect(e.extracted["first"] == "a")
        #expect(e.extracted["last"] == "c")
        #expect(e.extracted["code"] == "503")
        #expect(e.extracted["ratio"] == "0.25")
        #expect(e.extracted["ok"] == "true")
        #expect(e.extracted["extra"] == #"{"n":1,"user":"ada"}"#)
        #expect(e.extracted["none"] == "null")
        #expect(e.extracted["dotted"] == "web")
    }

    @Test func jsonNumbersReadAsGoWritesThem() throws {
        var p = try S.pipeline(S.stage("json", S.map([("expressions", S.map([("small", S.null), ("big", S.null), ("obj", S.null)]))])))
        var e = entry(#"{"small":1e-7,"big":1e21,"obj":{"x":1e-7,"y":2.50}}"#)
        _ = p.process(&e)
        #expect(e.extracted["small"] == "0.0000001")
        #expect(e.extracted["big"] == "1000000000000000000000")
        #expect(e.extracted["obj"] == #"{"x":1e-7,"y":2.5}"#, "json.Marshal's form inside objects")
    }

    @Test func jsonMalformedLinesPassOrDrop() throws {
        var keep = try S.pipeline(S.stage("json", S.map([("expressions", S.map([("a", S.null)]))])))
        var drop = try S.pipeline(S.stage("json", S.map([("expressions", S.map([("a", S.null)])), ("drop_malformed", S.v("true"))])))
        for line in ["not json", "[1,2]", "{\"a\":", "{\"a\":1}x", String(repeating: "[", count: 5000)] {
            var e1 = entry(line), e2 = entry(line)
            #expect(keep.process(&e1) == .keep)
            #expect(drop.process(&e2) == .drop(reason: "malformed_json"), "\(line.prefix(20))")
        }
        #expect(throws: StageError.self) { try S.pipeline(S.stage("json", S.map([("expressions", S.map([("a", S.v("a[?b]"))]))]))) }
        #expect(throws: StageError.self) { try S.pipeline(S.stage("json", S.map([]))) }
    }

    @Test func logfmtExtractsMappedKeys() throws {
        var p = try S.pipeline(S.stage("logfmt", S.map([("mapping", S.map([("level", S.null), ("who", S.v("user")), ("flag", S.null)]))])))
        var e = entry(#"ts=2024-01-01T00:00:00Z level=error user="Ada \"L\"" msg="x y" flag"#)
        #expect(p.process(&e) == .keep)
        #expect(e.extracted == ["level": "error", "who": #"Ada "L""#, "flag": ""])
        for odd in ["", "=", "a=\"unterminated", "\"=x", "===", "k=v=w"] {
            var o = entry(odd)
            #expect(p.process(&o) == .keep)
        }
    }

    @Test func replaceRewritesMatchesOrGroups() throws {
        var whole = try S.pipeline(S.stage("replace", S.map([("expression", S.v(#"password=\S+"#)), ("replace", S.v("password=***"))])))
        var e = entry("login password=hunter2 user=ada password=x")
        _ = whole.process(&e)
        #expect(e.line == "login password=*** user=ada password=***")
        var groups = try S.pipeline(S.stage("replace", S.map([("expression", S.v(#"user=(\w+)"#)), ("replace", S.v("{{ .Value | ToUpper }}"))])))
        var g = entry("login user=ada ok")
        _ = groups.process(&g)
        #expect(g.line == "login user=ADA ok")
    }

    @Test func templateSetsAnExtractedValue() throws {
        var p = try S.pipeline(S.stage("regex", S.map([("expression", S.v(#"level=(?P<level>\w+)"#))])),
                               S.stage("template", S.map([("source", S.v("level")), ("template", S.v("{{ ToUpper .Value }}"))])))
        var e = entry("level=warn x")
        _ = p.process(&e)
        #expect(e.extracted["level"] == "WARN")
        #expect(throws: StageError.self) { try S.pipeline(S.stage("template", S.map([("source", S.v("x")), ("template", S.v("{{ .Value"))]))) }
    }
}

@Suite struct MetricsStageTests {
    @Test func countersGaugesAndHistograms() throws {
        let metrics = CustomMetrics()
        var p = try AgentPipeline([
            S.stage("logfmt", S.map([("mapping", S.map([("level", S.null), ("took", S.null), ("queue", S.null)]))])),
            S.stage("metrics", S.map([
                ("errors_total", S.map([("type", S.v("Counter")), ("description", S.v("error lines")), ("source", S.v("level")),
                                        ("config", S.map([("value", S.v("error")), ("action", S.v("inc"))]))])),
                ("lines_bytes", S.map([("type", S.v("Counter")), ("config", S.map([("match_all", S.v("true")), ("count_entry_bytes", S.v("true")), ("action", S.v("add"))]))])),
                ("queue", S.map([("type", S.v("Gauge")), ("config", S.map([("action", S.v("set"))]))])),
                ("took", S.map([("type", S.v("Histogram")), ("config", S.map([("buckets", S.list([S.v("0.1"), S.v("1"), S.v("10")]))]))])),
            ])),
        ], context: .init(now: { 1 }, metrics: metrics))
        for line in ["level=error took=0.05 queue=3", "level=info took=5 queue=7", "level=error took=50"] {
            var e = entry(line, labels: ["job": "j"])
            _ = p.process(&e)
        }
        let text = metrics.render(now: 2)
        #expect(text.contains("# TYPE promtail_custom_errors_total counter\npromtail_custom_errors_total{job=\"j\"} 2\n"))
        #expect(text.contains("promtail_custom_lines_bytes{job=\"j\"} 73\n"))
        #expect(text.contains("promtail_custom_queue{job=\"j\"} 7\n"))
        #expect(text.contains("promtail_custom_took_bucket{job=\"j\",le=\"0.1\"} 1\npromtail_custom_took_bucket{job=\"j\",le=\"1\"} 1\npromtail_custom_took_bucket{job=\"j\",le=\"10\"} 2\npromtail_custom_took_bucket{job=\"j\",le=\"+Inf\"} 3\n"))
        #expect(text.contains("promtail_custom_took_count{job=\"j\"} 3\n"))
        // Idle series go after max_idle_duration (5m by default).
        #expect(!metrics.render(now: 2 + 301_000_000_000).contains("{job="))
    }

    @Test func badMetricsAreRefused() {
        let ctx = AgentPipeline.Context(now: { 0 })
        for bad in [
            S.map([("m", S.map([("type", S.v("Summary"))]))]),
            S.map([("m", S.map([("type", S.v("Counter")), ("config", S.map([("action", S.v("set"))]))]))]),
            S.map([("m", S.map([("type", S.v("Histogram")), ("config", S.map([("buckets", S.list([S.v("5"), S.v("1")]))]))]))]),
            S.map([("m", S.map([("type", S.v("Gauge")), ("config", S.map([("action", S.v("inc")), ("bogus", S.v("1"))]))]))]),
        ] {
            #expect(throws: StageError.self) { try AgentPipeline([S.stage("metrics", bad)], context: ctx) }
        }
    }
}
