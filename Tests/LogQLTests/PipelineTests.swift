import Testing
import LogModel
@testable import LogQL

@Suite struct PipelineTests {
    static let stream = LabelSet([Label("app", "api"), Label("level", "stream")])

    /// Runs `stages` (a query's pipeline text after a selector) on one line.
    func run(_ stages: String, _ line: String) throws -> (line: String, labels: String)? {
        var p = try Pipeline(try QueryParser.parse(#"{app="api"} "# + stages), skipPushedDown: false)
        var b = LabelsBuilder(Self.stream)
        guard let out = p.process(Array(line.utf8), &b) else { return nil }
        return (String(decoding: out, as: UTF8.self), b.labels.canonical)
    }

    @Test func jsonFlattensNestedObjectsAndRenamesClashes() throws {
        let r = try run("| json", #"{"level":"error","status":503,"ok":false,"req":{"path":"/a","ms":1.5,"h":{"x-id":"7"}},"tags":["a"],"n":null,"1st":"y"}"#)
        #expect(r?.labels == #"{_1st="y", app="api", level="stream", level_extracted="error", ok="false", req_h_x_id="7", req_ms="1.5", req_path="/a", status="503"}"#)
    }

    /// A stream's lines through one builder (reset per line, as queries run them) come out as each
    /// line alone through a fresh builder does: what the pipeline remembers of a stream's
    /// non-object lines (`nonObjectDropped`) never changes an answer.
    @Test(arguments: [
        #"| json | __error__="""#, #"| json | __error__!="""#, #"| json | status >= 500"#,
        #"| json | status >= 500 | __error__="""#, #"|= "a" | json | app="api""#, #"| json | app="web" or status=200"#,
        #"| json | level="stream", status > 500"#, #"| json | __error__="JSONParserErr""#,
    ])
    func streamJudgedLinesMatchLineByLine(_ stages: String) throws {
        let lines = ["plain a", #"{"status":503,"a":1}"#, "  ", #"{"status":200}"#, "a=1 status=600", "[1]",
                     #"{"status":"#, #" {"status":501}"#, "last a"]
        let query = try QueryParser.parse(#"{app="api"} "# + stages)
        var shared = try Pipeline(query, skipPushedDown: false)
        var b = LabelsBuilder(Self.stream)
        var kept = 0
        for line in lines {
            b.reset()
            let got = shared.process(Array(line.utf8), &b).map { (String(decoding: $0, as: UTF8.self), b.labels.canonical) }
            var alone = try Pipeline(query, skipPushedDown: false)
            var fresh = LabelsBuilder(Self.stream)
            let want = alone.process(Array(line.utf8), &fresh).map { (String(decoding: $0, as: UTF8.self), fresh.labels.canonical) }
            #expect(got?.0 == want?.0 && got?.1 == want?.1, "\(stages) on \(line)")
            if got != nil { kept += 1 }
        }
        #expect(kept > 0 && kept < lines.count, "\(stages) keeps some lines and drops others")
        #expect(shared.judgesByStream)
    }

    @Test func otherStagesAfterJSONAreNotJudgedByTheStream() throws {
        for stages in [#"| json | line_format "{{.a}}""#, #"| logfmt | json | a="1""#, #"| json | drop a"#, "| json | unpack", #"| json | a="1" |= "x""#] {
            #expect(try Pipeline(try QueryParser.parse(#"{app="api"} "# + stages), skipPushedDown: false).judgesByStream == false, "\(stages)")
        }
    }

    @Test func jsonErrorsMarkTheLineAndKeepIt() throws {
        let r = try run("| json", "not json")
        #expect(r?.labels.hasPrefix(#"{__error__="JSONParserErr", __error_details__="#) == true)
        #expect(try run(#"| json | __error__="""#, "not json") == nil)
        #expect(try run(#"| json | __error__!="""#, #"{"a":1}"#) == nil)
        // Truncated input is an error and never traps.
        for bad in [#"{"a":"#, "{", #"{"a":[1,2"#, #"{"a":tru}"#, #"{"a" 1}"#, "", "   "] {
            #expect(try run("| json", bad)?.labels.contains("JSONParserErr") == true, "\(bad)")
        }
    }

    /// Loki 2.8 reads JSON with buger/jsonparser's rules and texts: fields before a fault stay, what
    /// follows the object is ignored, a value is delimited rather than validated.
    @Test func jsonFollowsLokisParserRulesAndTexts() throws {
        let cases: [(String, String)] = [
            (#"{"level": "error", "job": "broken"#, #"{__error__="JSONParserErr", __error_details__="Value is string, but can't find closing '\"' symbol", app="api", level="stream", level_extracted="error"}"#),
            ("\u{1b}[31mERROR\u{1b}[0m job failed", #"{__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol", app="api", level="stream"}"#),
            (#"{"a":tru}"#, #"{__error__="JSONParserErr", __error_details__="Unknown value type", app="api", level="stream"}"#),
            (#"{"a":[1,2"#, #"{__error__="JSONParserErr", __error_details__="Value is array, but can't find closing ']' symbol", app="api", level="stream"}"#),
            (#"{"a" 1}"#, #"{__error__="JSONParserErr", __error_details__="Malformed JSON error", app="api", level="stream"}"#),
            (#"{"a":1,"b":{"c":2,"d":x}}"#, #"{__error__="JSONParserErr", __error_details__="Unknown value type", a="1", app="api", b_c="2", level="stream"}"#),
            (#"{"a\q":1}"#, #"{__error__="JSONParserErr", __error_details__="Encountered an invalid escape sequence in a string", app="api", level="stream"}"#),
            (#"{"a":1} trailing"#, #"{a="1", app="api", level="stream"}"#),
            (#"{"a":"\u12","b":12x}"#, #"{a="", app="api", b="12x", level="stream"}"#),
            (#"{"a":"\ud800x"}"#, #"{a="", app="api", level="stream"}"#),
            (#"{}"#, #"{app="api", level="stream"}"#),
        ]
        for (line, labels) in cases {
            #expect(try run("| json", line)?.labels == labels, "\(line)")
        }
    }

    @Test func jsonExtractionsFollowPaths() throws {
        let line = #"{"a":{"b":"x","c":[10,{"d":"y"}]},"s":"q\"uote","o":{"k":1}}"#
        let r = try run(#"| json b="a.b", d="a.c[1].d", first="a.c[0]", miss="a.z", o="o", s="s", q="[\"s\"]""#, line)
        #expect(r?.labels == #"{app="api", b="x", d="y", first="10", level="stream", miss="", o="{\"k\":1}", q="q\"uote", s="q\"uote"}"#)
    }

    @Test func logfmtExtractsPairsAndReportsFaults() throws {
        let r = try run("| logfmt", #"level=info msg="hello \"you\"" dur=1.5s empty= bare 9x=1"#)
        #expect(r?.labels == #"{_9x="1", app="api", bare="", dur="1.5s", empty="", level="stream", level_extracted="info", msg="hello \"you\""}"#)
        let bad = try run("| logfmt", #"a=1 b="unterminated"#)
        #expect(bad?.labels.contains(#"__error__="LogfmtParserErr""#) == true)
        #expect(bad?.labels.contains(#"a="1""#) == true)
        // As in Loki 2.8, the first fault stops parsing: `c` after the bad value is not read.
        let stop = try run("| logfmt", "a=1 path=/x?q=1 c=3")
        #expect(stop?.labels == #"{__error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 14 : unexpected '='", a="1", app="api", level="stream"}"#)
        // Only the named keys with extractions.
        #expect(try run(#"| logfmt lvl="level", m="msg""#, "level=warn msg=x other=y")?.labels == #"{app="api", level="stream", lvl="warn", m="x"}"#)
    }

    @Test func regexpNamedGroupsBecomeLabels() throws {
        let r = try run(#"| regexp "(?P<method>[A-Z]+) (?P<path>\\S+) (?P<code>\\d+)?""#, "GET /x 200")
        #expect(r?.labels == #"{app="api", code="200", level="stream", method="GET", path="/x"}"#)
        // No match: the line is kept, labels unchanged.
        #expect(try run(#"| regexp "(?P<n>\\d+)""#, "no digits")?.labels == Self.stream.canonical)
    }

    @Test func labelFiltersCompareByType() throws {
        let line = "status=503 latency=250ms size=2KB name=api-1"
        #expect(try run("| logfmt | status >= 500", line) != nil)
        #expect(try run("| logfmt | status < 500", line) == nil)
        #expect(try run("| logfmt | latency > 200ms", line) != nil)
        #expect(try run("| logfmt | latency > 1s", line) == nil)
        #expect(try run("| logfmt | size == 2KB", line) != nil)
        #expect(try run("| logfmt | size > 2KiB", line) == nil)
        #expect(try run(#"| logfmt | name=~"api-\\d""#, line) != nil)
        #expect(try run(#"| logfmt | status=503 and name="x""#, line) == nil)
        #expect(try run(#"| logfmt | status=503 or name="x""#, line) != nil)
        #expect(try run(#"| logfmt | status=404 or name="x", latency>1ms"#, line) == nil)
        // A missing label fails a numeric filter; a string filter compares it as "".
        #expect(try run("| logfmt | missing > 1", line) == nil)
        #expect(try run(#"| logfmt | missing="""#, line) != nil)
        // An unconvertible value keeps the line with an error, and only string filters drop it.
        let err = try run("| logfmt | name > 1", line)
        #expect(err?.labels.contains(#"__error__="LabelFilterErr""#) == true)
        #expect(try run(#"| logfmt | name > 1 | __error__="""#, line) == nil)
    }

    @Test func dropKeepDecolorizeUnpackDistinct() throws {
        let line = "a=1 b=2 c=3"
        #expect(try run(#"| logfmt | drop a, b="9""#, line)?.labels == #"{app="api", b="2", c="3", level="stream"}"#)
        #expect(try run(#"| logfmt | keep a, c=~"[0-9]""#, line)?.labels == #"{a="1", c="3"}"#)
        #expect(try run("| json | drop __error__, __error_details__", "x")?.labels == Self.stream.canonical)
        #expect(try run("| decolorize", "\u{1b}[31mred\u{1b}[0m plain \u{1b}]0;title\u{07}x")?.line == "red plain x")
        let packed = try run("| unpack", #"{"_entry":"the line","pod":"p1","n":5}"#)
        #expect(packed?.line == "the line")
        #expect(packed?.labels == #"{app="api", level="stream", pod="p1"}"#)
        // Not packed: left alone, as Loki does; not an object: Loki's error text.
        let plain = try run("| unpack", #"{"pod":"p1"}"#)
        #expect(plain?.line == #"{"pod":"p1"}"# && plain?.labels == Self.stream.canonical)
        #expect(try run("| unpack", "level=info")?.labels.contains(#"__error_details__="expecting json object(6), but it is not""#) == true)
        var p = try Pipeline(try QueryParser.parse(#"{app="api"} | logfmt | distinct a"#), skipPushedDown: false)
        let kept = ["a=1 x=1", "a=2", "a=1 x=2", "b=1", "b=2"].filter { l in
            var b = LabelsBuilder(Self.stream)
            return p.process(Array(l.utf8), &b) != nil
        }
        #expect(kept == ["a=1 x=1", "a=2", "b=1", "b=2"])
    }

    /// A parser that builds only the wanted labels gives them the values it gives when it builds
    /// every label: keys ruled out early (by first byte, bytes or length) never hide one.
    @Test func wantedLabelsEqualTheFullParse() throws {
        let lines = [
            #"{"status":503,"level":"error","bytes":12}"#, #"{"st\u0061tus":"escaped","level":"x"}"#,
            #"{" status ":"spaced"}"#, #"{"1st":"digit","st-atus":"dash"}"#, #"{"a":{"status":"nested"},"a_b":"flat"}"#,
            #"{"sta tus":"x","statuses":"y","Status":"z"}"#, #"{"éstatus":"u","__error__":"fake"}"#, #"{"status":"ok","x":tru}"#,
            "status=200 level=info a_b=3", #"status="quoted" 1st=one st-atus=two"#, "nothing to see",
        ]
        let wants: [Set<String>] = [["status"], ["level_extracted"], ["a_status", "a_b"], ["_1st", "st_atus"], ["sta_tus", "Status"],
                                    ["_status"], ["__error__", "__error_details__"], ["status", "level"]]
        for parser in ["| json", "| logfmt"] {
            let q = try QueryParser.parse(#"{app="api"} "# + parser)
            var full = try Pipeline(q, skipPushedDown: false)
            for w in wants {
                var some = try Pipeline(q, skipPushedDown: false, using: w)
                for line in lines {
                    var all = LabelsBuilder(Self.stream), only = LabelsBuilder(Self.stream)
                    _ = full.process(Array(line.utf8), &all)
                    _ = some.process(Array(line.utf8), &only)
                    for name in w where name != LabelsBuilder.errorDetailsLabel {
                        let expected = name == LabelsBuilder.errorLabel ? all.error : all.get(name)
                        let got = name == LabelsBuilder.errorLabel ? only.error : only.get(name)
                        #expect(got == expected, "\(parser) \(name) in \(line)")
                    }
                }
            }
        }
    }

    /// `| parser | name="value"` drops lines without the value's bytes before parsing them; the
    /// answers stay those of a full run: escapes can spell the value, the stream's own label
    /// decides when it has one, errors and other stages in between are respected.
    @Test func equalityFiltersRuleOutLinesWithoutTheirValue() throws {
        func kept(_ query: String, _ line: String, stream: LabelSet = Self.stream) throws -> Bool {
            var p = try Pipeline(try QueryParser.parse(query), skipPushedDown: false)
            var b = LabelsBuilder(stream)
            return p.process(Array(line.utf8), &b) != nil
        }
        let logfmt = #"{app="api"} | logfmt | lvl="error""#
        #expect(try kept(logfmt, "lvl=error msg=x"))
        #expect(try !kept(logfmt, "lvl=info msg=error"))
        #expect(try !kept(logfmt, "lvl=info"))
        #expect(try kept(logfmt, #"lvl="\x65rror""#))
        #expect(try kept(logfmt, #"lvl="err\u006fr""#))
        let json = #"{app="api"} | json | lvl="error", status="500""#
        #expect(try kept(json, #"{"lvl":"error","status":500}"#))
        #expect(try kept(json, #"{"lvl":"\u0065rror","status":500}"#))
        #expect(try !kept(json, #"{"lvl":"info","status":500}"#))
        #expect(try !kept(json, "not json at all"))
        // The stream's label decides when it has one (the parser's goes to lvl_extracted).
        let errorStream = LabelSet([Label("app", "api"), Label("lvl", "error")])
        #expect(try kept(logfmt, "msg=hello", stream: errorStream))
        #expect(try kept(json, #"{"status":500}"#, stream: errorStream))
        #expect(try kept(#"{app="api"} | logfmt | lvl_extracted="error""#, "lvl=error", stream: errorStream))
        #expect(try !kept(#"{app="api"} | logfmt | lvl_extracted="error""#, "lvl=info", stream: errorStream))
        // A stage that changes labels in between: no shortcut (label_format makes the value).
        #expect(try kept(#"{app="api"} | logfmt | label_format lvl="error" | lvl="error""#, "lvl=info"))
        // An error line: the label before the fault still counts.
        #expect(try kept(#"{app="api"} | logfmt | lvl="error""#, #"lvl=error bad"key"#))
        #expect(try !kept(#"{app="api"} | logfmt | lvl="error" | __error__="""#, #"lvl=error bad"key"#))
    }

    @Test func pushedDownFiltersAreSkippedOnlyBeforeLineRewrites() throws {
        let q = try QueryParser.parse(#"{app="api"} |= "a" | json | decolorize |= "b""#)
        #expect(q.filters == [LineFilter(.contains, ["a"])])
        var p = try Pipeline(q, skipPushedDown: true)
        var b = LabelsBuilder(Self.stream)
        // "a" is not checked again (it was pushed down); "b" after decolorize is.
        #expect(p.process(Array("b".utf8), &b) != nil)
        #expect(p.process(Array("a".utf8), &b) == nil)
    }

    @Test func hostileLinesNeverTrap() throws {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["{", "}", "[", "]", "\"", "\\", ":", ",", "a", "=", " ", "1", "\u{1b}[", "\\u", "null", "true", "é", "\u{0}"]
        var p = try Pipeline(try QueryParser.parse(#"{app="api"} | json | logfmt | unpack | decolorize | json x="a.b[2]" | regexp "(?P<x>a+)" | x > 1"#),
                             skipPushedDown: false)
        for _ in 0..<5_000 {
            let line = (0..<Int.random(in: 0..<30, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            var b = LabelsBuilder(Self.stream)
            _ = p.process(Array(line.utf8), &b)
        }
        let deep = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(try run("| json", deep)?.labels.contains("JSONParserErr") == true)
    }
}

@Suite struct LiteralFormatTests {
    @Test func goFloatTexts() {
        #expect(GoFloat.format(1) == "1")
        #expect(GoFloat.format(0.1) == "0.1")
        #expect(GoFloat.format(1e21) == "1000000000000000000000")
        #expect(GoFloat.format(5e-05) == "0.00005")
        #expect(GoFloat.format(-2.5) == "-2.5")
        #expect(GoFloat.format(.nan) == "NaN")
        #expect(GoFloat.format(-.infinity) == "-Inf")
        #expect(GoFloat.formatShortest(1e21) == "1e+21")
        #expect(GoFloat.formatShortest(1e-05) == "1e-05")
        #expect(GoFloat.formatShortest(123.25) == "123.25")
        // encoding/json's float64 (Loki's `execTime`): 'f' form, 'e' with a bare exponent outside [1e-6, 1e21).
        #expect(GoFloat.formatJSON(0.093715) == "0.093715")
        #expect(GoFloat.formatJSON(0.00001) == "0.00001")
        #expect(GoFloat.formatJSON(1e-7) == "1e-7")
        #expect(GoFloat.formatJSON(2.5e-9) == "2.5e-9")
        #expect(GoFloat.formatJSON(1e21) == "1e+21")
        #expect(GoFloat.formatJSON(0) == "0")
        #expect(GoFloat.formatFixed6(1) == "1.000000")
        #expect(GoFloat.formatFixed6(-0.5) == "-0.500000")
    }

    @Test func durationsAndSizes() {
        #expect(GoDuration.parse("1.5s") == 1_500_000_000)
        #expect(GoDuration.parse("1h2m3s4ms5us6ns") == 3_723_004_005_006)
        #expect(GoDuration.parse("-250ms") == -250_000_000)
        #expect(GoDuration.parse("10µs") == 10_000)
        #expect(GoDuration.parse("0") == 0)
        for bad in ["", "5", "1d", "s", "1.s5", "--1s"] { #expect(GoDuration.parse(bad) == nil, "\(bad)") }
        #expect(ByteSize.parse("10KB") == 10_000)
        #expect(ByteSize.parse("2MiB") == 2_097_152)
        #expect(ByteSize.parse("1.5 gb") == 1_500_000_000)
        #expect(ByteSize.parse("42") == 42)
        for bad in ["", "KB", "1XB", "-1"] { #expect(ByteSize.parse(bad) == nil, "\(bad)") }
        #expect(ByteSize.format(9) == "9B")
        #expect(ByteSize.format(1000) == "1.0kB")
        #expect(ByteSize.format(20_000_000) == "20MB")
        #expect(PromDuration.format(300_000_000_000) == "5m")
        #expect(PromDuration.format(86_400_000_000_000) == "1d")
        #expect(PromDuration.format(14 * 86_400_000_000_000) == "2w")
        #expect(PromDuration.format(90_000_000_000) == "1m30s")
    }
}
