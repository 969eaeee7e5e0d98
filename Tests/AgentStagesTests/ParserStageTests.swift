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
