import Testing
import LogModel
@testable import LogQL

/// `line_format` and `label_format` with Loki's template functions. The worked examples (template,
/// labels, expected line) are the ones Loki 2.8's own formatter tests use.
@Suite struct LineFormatTests {
    /// Runs a `| line_format` template on a line with these labels at `ts`.
    func line(_ template: String, _ labels: [(String, String)], line: String = "1", ts: Int64 = 1_656_353_124_000_000_000) throws -> (line: String, labels: LabelSet) {
        let q = try QueryParser.parse(#"{app="x"} | line_format "# + GoQuoteForTests.quote(template))
        var p = try Pipeline(q, skipPushedDown: false)
        var b = LabelsBuilder(LabelSet(labels.map { Label($0.0, $0.1) }))
        let out = p.process(Array(line.utf8), &b, timestamp: ts)!
        return (String(decoding: out, as: UTF8.self), b.labels)
    }

    static let blip = [("foo", "blip"), ("bar", "blop")]
    static let upper = [("foo", "BLIp"), ("bar", "blop")]

    @Test(arguments: [
        ("foo{{.foo}}buzz{{  .bar  }}", blip, "fooblipbuzzblop"),
        (#"foo{{.foo}}buzz{{ Replace .bar "blop" "bar" -1 }}"#, blip, "fooblipbuzzbar"),
        (#"foo{{.foo}}buzz{{ .bar | replace "blop" "bar" }}"#, blip, "fooblipbuzzbar"),
        ("{{.foo | title }}", blip, "Blip"),
        ("{{.foo | lower }} {{ .bar  | upper }}", blip, "blip BLOP"),
        (#"{{ "foo" | repeat 3 }}"#, blip, "foofoofoo"),
        ("{{ \"foo\\n bar\" | indent 4 }}", blip, "    foo\n     bar"),
        (#"{{ "foo" | nindent 2 }}"#, blip, "\n  foo"),
        (#"{{ if  .foo | contains "p"}}yes{{end}}-{{ if  .foo | contains "z"}}no{{end}}"#, upper, "yes-"),
        (#"{{ if  .foo | hasPrefix "BL" }}yes{{end}}-{{ if  .foo | hasPrefix "p"}}no{{end}}"#, upper, "yes-"),
        (#"{{ if  .foo | hasSuffix "Ip" }}yes{{end}}-{{ if  .foo | hasSuffix "pw"}}no{{end}}"#, upper, "yes-"),
        (#"{{ regexReplaceAll "(p)" .foo "t" }}"#, upper, "BLIt"),
        (#"{{ regexReplaceAllLiteral "(p)" .foo "${1}" }}"#, upper, "BLI${1}"),
        ("foo {{.foo}}buzz{{  .bar  }}", [("bar", "blop")], "foo buzzblop"),
        ("foo {{.foo | ToUpper }} buzz{{  .bar  }}", blip, "foo BLIP buzzblop"),
        ("{{ add .foo 1 | sub .bar | mul .baz | div .bazz}}", [("foo", "1"), ("bar", "3"), ("baz", "10"), ("bazz", "20")], "2"),
        ("{{ addf .foo 1.5 | subf .bar 1.5 | mulf .baz | divf .bazz }}", [("foo", "1.5"), ("bar", "5"), ("baz", "10.5"), ("bazz", "20.2")], "3.8476190476190477"),
        ("{{ round (addf .foo 1.5 | subf .bar | mulf .baz | divf .bazz) 5 .2}}", [("foo", "1.5"), ("bar", "3.5"), ("baz", "10.5"), ("bazz", "20.4")], "3.88572"),
        ("min is {{ min .foo .bar .baz }} and max is {{ max .foo .bar .baz }}", [("foo", "5"), ("bar", "10"), ("baz", "15")], "min is 5 and max is 15"),
        ("minf is {{ minf .foo .bar .baz }} and maxf is {{maxf .foo .bar .baz}}", [("foo", "5.3"), ("bar", "10.5"), ("baz", "15.2")], "minf is 5.3 and maxf is 15.2"),
        ("ceil is {{ ceil .foo }} and floor is {{floor .foo }}", [("foo", "5.3")], "ceil is 6 and floor is 5"),
        ("mod is {{ mod .foo 3 }}", [("foo", "20")], "mod is 2"),
        ("{{ \"2.5\" | float64 | int | add 10}}", [("foo", "2.5")], "12"),
        ("{{ sub (unixEpoch (toDate \"2006-01-02\" \"2021-11-02\")) (unixEpoch (toDate \"2006-01-02\" \"2021-11-01\")) }}", [], "86400"),
        ("{{ date \"2006-01-02\" (toDate \"2006-01-02\" \"2021-11-02\") }}", [], "2021-11-02"),
        ("{{ div (unixEpoch now) (unixEpoch now) }}", [], "1"),
        ("{{ __line__ }} bar {{ .bar }}", [("bar", "2")], "1 bar 2"),
        (#"{{.foo | default "-" }}{{.bar | default "-"}}{{.unknown | default "-"}}"#, [("foo", "blip"), ("bar", "")], "blip--"),
        ("{{ __timestamp__ | date \"2006-01-02\" }} bar {{ .bar }}", [("bar", "2")], "2022-06-27 bar 2"),
        ("{{ __timestamp__ | unixEpoch }} bar {{ .bar }}", [("bar", "2")], "1656353124 bar 2"),
        ("{{ .foo | bytes }}", [("foo", "3 kB")], "3000"),
        ("{{ .foo | bytes }}", [("foo", "3MB")], "3e+06"),
        ("{{ .foo | duration }}", [("foo", "3ms")], "0.003"),
        ("{{ .foo | duration_seconds }}", [("foo", "3m10s")], "190"),
        ("{{ .foo | toDateInZone \"2006-01-02T15:04:05.999999999Z\" \"UTC\" | unixEpochMillis }}", [("foo", "2023-03-10T01:32:40.340485723Z")], "1678411960340"),
        ("{{ .foo | toDateInZone \"2006-01-02T15:04:05.999999999Z\" \"UTC\" | unixEpochNanos }}", [("foo", "2023-03-10T01:32:40.340485723Z")], "1678411960340485723"),
        ("{{ .foo | b64enc }}", [("foo", "i'm a string, encode me!")], "aSdtIGEgc3RyaW5nLCBlbmNvZGUgbWUh"),
        ("{{ .foo | b64dec }}", [("foo", "aSdtIGEgc3RyaW5nLCBlbmNvZGUgbWUh")], "i'm a string, encode me!"),
        ("{{ .foo | urlencode }} {{ urldecode \"a%2Fb+c\" }}", [("foo", "/a?b=c d")], "%2Fa%3Fb%3Dc+d a/b c"),
        ("{{ count \"a\" .foo }} {{ trunc 3 .foo }} {{ trunc -2 .foo }} {{ substr 1 3 .foo }}", [("foo", "banana")], "3 ban na an"),
        ("[{{ alignLeft 5 .foo }}][{{ alignRight 5 .foo }}][{{ alignLeft 2 .foo }}]", [("foo", "abc")], "[abc  ][  abc][ab]"),
        ("{{ trim \"  a \" }}|{{ trimAll \"x\" \"xxaxx\" }}|{{ trimPrefix \"a\" \"abc\" }}|{{ TrimSuffix \"abc\" \"c\" }}|{{ TrimSpace \" z \" }}", [], "a|a|bc|ab|z"),
        ("{{ (fromJson .foo).a.b }}|{{ index (fromJson .foo).c 1 }}|{{ fromJson \"nope\" }}", [("foo", #"{"a":{"b":"deep"},"c":[1,2.5]}"#)], "deep|2.5|<no value>"),
        ("{{ printf \"%-6s|%3d|%.1f\" .foo 7 2.25 }}", [("foo", "ab")], "ab    |  7|2.2"),
        ("{{ addf 0.1 0.2 }} {{ add \"0x10\" 1 }} {{ int \"abc\" }}", [], "0.3 17 0"),
        ("{{ regexReplaceAll \"a(?P<x>n)\" .foo \"<${x}>\" }} {{ regexReplaceAll \"x*\" \"abc\" \"-\" }}", [("foo", "banana")], "b<n><n>a -a-b-c-"),
    ] as [(String, [(String, String)], String)])
    func lokiExamples(_ c: (String, [(String, String)], String)) throws {
        #expect(try line(c.0, c.1).line == c.2, "\(c.0)")
    }

    @Test func aFailingTemplateMarksTheLineAndKeepsIt() throws {
        let r = try line("{{.foo | now}}", Self.blip)
        #expect(r.line == "1")
        #expect(r.labels["__error__"] == "TemplateFormatErr")
        #expect(r.labels["__error_details__"] == #"template: line:1:9: executing "line" at <now>: wrong number of args for now: want 0 got 1"#)
        let div = try line("{{ div 1 0 }}", [])
        #expect(div.labels["__error_details__"] == #"template: line:1:3: executing "line" at <div 1 0>: error calling div: runtime error: integer divide by zero"#)
    }

    @Test func labelFormatRenamesAndTemplates() throws {
        func run(_ stages: String) throws -> LabelSet {
            var p = try Pipeline(QueryParser.parse(#"{app="x"} "# + stages), skipPushedDown: false)
            var b = LabelsBuilder(LabelSet([Label("app", "x"), Label("foo", "blip"), Label("bar", "blop")]))
            _ = p.process(Array("level=warn n=3".utf8), &b, timestamp: 0)
            return b.labels
        }
        #expect(try run("| label_format baz=foo").canonical == #"{app="x", bar="blop", baz="blip"}"#)
        #expect(try run("| label_format foo=missing").canonical == #"{app="x", bar="blop", foo="blip"}"#)
        #expect(try run(#"| label_format foo="{{.foo}} and {{.bar}}""#).canonical == #"{app="x", bar="blop", foo="blip and blop"}"#)
        // Templates read the labels as they were before this stage's templates ran.
        #expect(try run(#"| label_format foo="new", bar="{{.foo}}""#).canonical == #"{app="x", bar="blip", foo="new"}"#)
        #expect(try run(#"| logfmt | label_format lvl="{{ .level | ToUpper }}", n2="{{ mul .n 2 }}" | lvl="WARN""#).canonical
            == #"{app="x", bar="blop", foo="blip", level="warn", lvl="WARN", n="3", n2="6"}"#)
        let failed = try run(#"| label_format foo="{{ div 1 0 }}""#)
        #expect(failed["foo"] == "blip")
        #expect(failed["__error__"] == "TemplateFormatErr")
    }

    @Test func lineFormatFeedsLaterStages() throws {
        var p = try Pipeline(QueryParser.parse(#"{app="x"} | logfmt | line_format "{{.msg}}" |= "keep" | json"#), skipPushedDown: true)
        var b = LabelsBuilder(LabelSet([Label("app", "x")]))
        let out = p.process(Array(#"msg="{\"keep\":1}""#.utf8), &b, timestamp: 0)
        #expect(out.map { String(decoding: $0, as: UTF8.self) } == #"{"keep":1}"#)
        #expect(b.labels["keep"] == "1")
        // The filter after line_format is not pushed down to the stored line.
        #expect(try QueryParser.parse(#"{app="x"} |= "a" | line_format "b" |= "b""#).filters.count == 1)
    }
}

/// Go-quotes a template for a query string.
enum GoQuoteForTests {
    static func quote(_ s: String) -> String { LogModel.GoQuote.quote(s) }
}
