import Testing
import LogModel
@testable import LogQL

@Suite struct QueryParserTests {
    /// Each query and its canonical form (what `format_query` prints, as Loki does).
    static let table: [(String, String)] = [
        (#"{app="api"}"#, #"{app="api"}"#),
        (#"{ app = "api" , env != "dev",pod=~"api-.+", level!~"debug|trace" }"#, #"{app="api", env!="dev", pod=~"api-.+", level!~"debug|trace"}"#),
        ("{app=`api`}", #"{app="api"}"#),
        (#"{app="api"} |= "error""#, #"{app="api"} |= "error""#),
        (#"{app="api"} |= "error" != "timeout" |~ "5\\d\\d" !~ "GET /health""#, #"{app="api"} |= "error" != "timeout" |~ "5\\d\\d" !~ "GET /health""#),
        ("{app=\"api\"} |~ `(?i)err(or)?\\s`", #"{app="api"} |~ "(?i)err(or)?\\s""#),
        (#"{app="api"} |= "a" or "b" or `c`"#, #"{app="api"} |= "a" or "b" or "c""#),
        (#"{app="api"} != "a" or "b""#, #"{app="api"} != "a" or "b""#),
        (#"{app="api"} |= "quote \" tab \t nl \n é \u00a0""#, #"{app="api"} |= "quote \" tab \t nl \n é \u00a0""#),
        ("{app=\"api\"}\n  # a comment\n  |= \"x\"", #"{app="api"} |= "x""#),
        (#"({app="api"} |= "x")"#, #"{app="api"} |= "x""#),
        (#"{app="api"} |= """#, #"{app="api"} |= """#),
        ("{app=\"api\"} |= `multi\nline`", #"{app="api"} |= "multi\nline""#),
        ("{app=\"api\"} | line_format `{{.a | ToUpper}} \"q\"`", #"{app="api"} | line_format "{{.a | ToUpper}} \"q\"""#),
        (#"{app="api"} | logfmt | label_format dst=src, msg="{{.a}}-{{.b}}" |= "x""#, #"{app="api"} | logfmt | label_format dst=src,msg="{{.a}}-{{.b}}" |= "x""#),
    ]

    /// Pipelines and metric queries, printed as Loki 2.8's `String()` prints them.
    static let full: [(String, String)] = [
        (#"label_replace(sum by (app) (rate({a="b"}[5m])), "dst", "$1-x", "app", "(.*)")"#, #"label_replace(sum by (app)(rate({a="b"}[5m])),"dst","$1-x","app","(.*)")"#),
        (#"{app="api"} | json"#, #"{app="api"} | json"#),
        (#"{app="api"} | json first="a.b", x = "c[0]""#, #"{app="api"} | json first="a.b",x="c[0]""#),
        (#"{app="api"} | logfmt | level="error""#, #"{app="api"} | logfmt | level="error""#),
        (#"{app="api"} | logfmt --strict --keep-empty"#, #"{app="api"} | logfmt --strict --keep-empty"#),
        (#"{app="api"} | regexp "(?P<code>\\d+)""#, #"{app="api"} | regexp "(?P<code>\\d+)""#),
        (#"{app="api"} | json | status >= 500"#, #"{app="api"} | json | status>=500"#),
        (#"{app="api"} | json | status = 500"#, #"{app="api"} | json | status==500"#),
        (#"{app="api"} | logfmt | latency > 250ms"#, #"{app="api"} | logfmt | latency>250ms"#),
        (#"{app="api"} | logfmt | latency <= 1m30s"#, #"{app="api"} | logfmt | latency<=1m30s"#),
        (#"{app="api"} | logfmt | size > 1KB"#, #"{app="api"} | logfmt | size>1.0kB"#),
        (#"{app="api"} | logfmt | size < 20MB"#, #"{app="api"} | logfmt | size<20MB"#),
        (#"{app="api"} | logfmt | x > -1.5"#, #"{app="api"} | logfmt | x>-1.5"#),
        (#"{app="api"} | logfmt | a="x" and b="y""#, #"{app="api"} | logfmt | ( a="x" , b="y" )"#),
        (#"{app="api"} | logfmt | a="x" b!="y""#, #"{app="api"} | logfmt | ( a="x" , b!="y" )"#),
        (#"{app="api"} | logfmt | a="x" or b=~"y" , c > 2"#, #"{app="api"} | logfmt | ( a="x" or ( b=~"y" , c>2 ) )"#),
        (#"{app="api"} | logfmt | (a="x" or b="y") and c="z""#, #"{app="api"} | logfmt | ( ( a="x" or b="y" ) , c="z" )"#),
        (#"{app="api"} | json | __error__ = """#, #"{app="api"} | json | __error__="""#),
        (#"{app="api"} | logfmt | drop a, b="x", __error__"#, #"{app="api"} | logfmt | drop a,b="x",__error__"#),
        (#"{app="api"} | logfmt | keep a, b=~"x.*""#, #"{app="api"} | logfmt | keep a,b=~"x.*""#),
        (#"{app="api"} | decolorize | unpack | distinct a, b"#, #"{app="api"} | decolorize | unpack | distinct a,b"#),
        (#"{app="api"} |= "x" | json |~ "y""#, #"{app="api"} |= "x" | json |~ "y""#),
        (#"count_over_time({app="api"}[5m])"#, #"count_over_time({app="api"}[5m])"#),
        (#"rate({app="api"} |= "x" [1h])"#, #"rate({app="api"} |= "x"[1h])"#),
        (#"rate({app="api"}[1d])"#, #"rate({app="api"}[1d])"#),
        (#"bytes_over_time({app="api"}[90s])"#, #"bytes_over_time({app="api"}[1m30s])"#),
        (#"count_over_time({app="api"}[5m] offset 1h)"#, #"count_over_time({app="api"}[5m] offset 1h0m0s)"#),
        (#"count_over_time({app="api"}[5m] | json)"#, #"count_over_time({app="api"} | json[5m])"#),
        (#"sum by (app) (rate({app="api"}[5m]))"#, #"sum by (app)(rate({app="api"}[5m]))"#),
        (#"sum(rate({app="api"}[5m])) by (app, env)"#, #"sum by (app,env)(rate({app="api"}[5m]))"#),
        (#"sum without (pod) (rate({app="api"}[5m]))"#, #"sum without (pod)(rate({app="api"}[5m]))"#),
        (#"topk(3, sum by (app) (count_over_time({app="api"}[5m])))"#, #"topk(3,sum by (app)(count_over_time({app="api"}[5m])))"#),
        (#"sort_desc(count_over_time({app="api"}[5m]))"#, #"sort_desc(count_over_time({app="api"}[5m]))"#),
        (#"quantile_over_time(0.99, {app="api"} | json | unwrap latency [5m]) by (path)"#,
         #"quantile_over_time(0.99,{app="api"} | json | unwrap latency[5m]) by (path)"#),
        (#"sum_over_time({app="api"} | logfmt | unwrap duration(d) | __error__="" [5m])"#,
         #"sum_over_time({app="api"} | logfmt | unwrap duration(d) | __error__=""[5m])"#),
        (#"avg_over_time({app="api"} | logfmt | unwrap bytes(size) [5m])"#, #"avg_over_time({app="api"} | logfmt | unwrap bytes(size)[5m])"#),
        ("1 + 1", "2"),
        ("2 ^ 3 ^ 2", "512"),
        ("-2 * 3", "-6"),
        ("1 > 2", "0"),
        ("10 / 0 > 1", "0"),
        ("vector(1) + vector(1)", "(vector(1.000000) + vector(1.000000))"),
        (#"count_over_time({a="b"}[5m]) + count_over_time({a="c"}[5m]) * 2"#,
         #"(count_over_time({a="b"}[5m]) + (count_over_time({a="c"}[5m]) * 2))"#),
        (#"(count_over_time({a="b"}[5m]) + count_over_time({a="c"}[5m])) * 2"#,
         #"((count_over_time({a="b"}[5m]) + count_over_time({a="c"}[5m])) * 2)"#),
        (#"count_over_time({a="b"}[5m]) > bool 2"#, #"(count_over_time({a="b"}[5m]) > bool 2)"#),
        (#"rate({a="b"}[5m]) / on (x) group_left (y) rate({a="c"}[5m])"#, #"(rate({a="b"}[5m]) / on (x) group_left (y) rate({a="c"}[5m]))"#),
        (#"rate({a="b"}[5m]) or ignoring (x) rate({a="c"}[5m])"#, #"(rate({a="b"}[5m]) or ignoring (x)  rate({a="c"}[5m]))"#),
        (#"rate({a="b"}[5m]) and rate({a="c"}[5m]) unless rate({a="d"}[5m])"#,
         #"((rate({a="b"}[5m]) and rate({a="c"}[5m])) unless rate({a="d"}[5m]))"#),
    ]

    @Test(arguments: full) func parsesEveryConstruct(_ query: String, _ canonical: String) throws {
        let q = try QueryParser.parseQuery(query)
        #expect(q.description == canonical)
        #expect(try QueryParser.parseQuery(q.description) == q, "the canonical form parses back to the same query")
    }

    @Test(arguments: table) func parsesAndPrintsCanonically(_ query: String, _ canonical: String) throws {
        let q = try QueryParser.parse(query)
        #expect(q.description == canonical)
        // The canonical form parses back to the same query.
        #expect(try QueryParser.parse(q.description) == q)
    }

    @Test func filtersKeepTheirOrderAndValues() throws {
        let q = try QueryParser.parse(#"{app="api"} |= "a" != "b" or "c" |~ "d""#)
        #expect(q.filters == [LineFilter(.contains, ["a"]), LineFilter(.notContains, ["b", "c"]), LineFilter(.matches, ["d"])])
        #expect(q.matchers.map(\.description) == [#"app="api""#])
    }

    /// Errors name the line and column of the offending token, in Loki's words.
    static let errors: [(String, String)] = [
        ("", "parse error : syntax error: unexpected $end"),
        ("app", "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER"),
        (#"rate({app="x"}[5m])"#, "parse error : only log queries are accepted here"),
        ("{}", "parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value"),
        (#"{app}"#, "parse error at line 1, col 5: syntax error: unexpected }, expecting = or != or =~ or !~"),
        (#"{app=api}"#, "parse error at line 1, col 6: syntax error: unexpected IDENTIFIER, expecting STRING"),
        (#"{app="api""#, "parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,"),
        (#"{app="api"} |= 5"#, "parse error at line 1, col 16: syntax error: unexpected 5, expecting STRING"),
        (#"{app="api"} |= "a" or"#, "parse error at line 1, col 22: syntax error: unexpected $end, expecting STRING"),
        ("{app=\"api\"}\n|~ \"(\"", "parse error at line 2, col 4: error parsing regexp: missing closing ): `(`"),
        (#"{app=~"("}"#, "parse error : error parsing regexp: missing closing ): `^(?:()$`"),
        (#"{app="api"} | line_format "{{.a | nope}}""#, #"parse error at line 1, col 27: invalid line template: template: line:1: function "nope" not defined"#),
        (#"{app="api"} | line_format "{{ if .a }}""#, "parse error at line 1, col 27: invalid line template: template: line:1: unexpected EOF"),
        (#"{app="api"} | line_format a"#, "parse error at line 1, col 27: syntax error: unexpected IDENTIFIER, expecting STRING"),
        (#"{app="api"} | label_format a="{{.b""#, "parse error at line 1, col 30: invalid template for label 'a': template: label:1: unclosed action"),
        (#"{app="api"} | label_format a=b, a="c""#, "parse error at line 1, col 33: multiple label name 'a' not allowed in a single format operation"),
        (#"{app="api"} | label_format __error__=b"#, "parse error at line 1, col 28: __error__ cannot be formatted"),
        (#"{app="api"} | label_format a=1"#, "parse error at line 1, col 30: syntax error: unexpected 1, expecting IDENTIFIER or STRING"),
        (#"{app="api"} {b="c"}"#, "parse error at line 1, col 13: syntax error: unexpected {"),
        (#"{app=~".*"}"#, "parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value"),
        (#"{app="unterminated}"#, "parse error at line 1, col 6: literal not terminated"),
        (#"{app="a\qb"}"#, "parse error at line 1, col 6: syntax error: unknown escape sequence in quoted string"),
        (#"({app="api"}"#, "parse error at line 1, col 13: syntax error: unexpected $end"),
        ("{é=\"x\"}", "parse error at line 1, col 2: syntax error: unexpected é, expecting IDENTIFIER"),
    ]

    /// Metric and pipeline errors (through `parseQuery`).
    static let metricErrors: [(String, String)] = [
        (#"label_replace({a="b"}, "x", "y", "a", "(.*)")"#, "parse error at line 1, col 15: syntax error: label_replace needs a metric expression"),
        (#"label_replace(rate({a="b"}[1m]), "x", "y", "a", "(")"#, "parse error at line 1, col 49: error parsing regexp: missing closing )"),
        (#"label_replace(rate({a="b"}[1m]), "x", "y", "a")"#, "parse error at line 1, col 47: syntax error: unexpected ), expecting ,"),
        (#"sum_over_time({a="b"}[5m])"#, "parse error : invalid aggregation sum_over_time without unwrap"),
        (#"count_over_time({a="b"} | logfmt | unwrap x [5m])"#, "parse error : invalid aggregation count_over_time with unwrap"),
        (#"count_over_time({a="b"}[5m]) by (x)"#, "parse error : grouping not allowed for count_over_time aggregation"),
        (#"quantile_over_time({a="b"} | logfmt | unwrap x [5m])"#, "parse error at line 1, col 1: syntax error: quantile_over_time needs a parameter"),
        (#"count_over_time({a="b"})"#, "parse error at line 1, col 24: syntax error: unexpected )"),
        (#"count_over_time({a="b"}[x])"#, "parse error at line 1, col 25: syntax error: unexpected IDENTIFIER, expecting a duration"),
        (#"{a="b"}[5m]"#, "parse error at line 1, col 8: syntax error: unexpected ["),
        (#"{a="b"} | unwrap x"#, "parse error at line 1, col 11: syntax error: unexpected unwrap"),
        (#"sum({a="b"})"#, "parse error at line 1, col 5: syntax error: sum aggregates a metric expression, not a log query"),
        (#"{a="b"} + 1"#, "parse error at line 1, col 9: syntax error: unexpected +"),
        (#"topk(x, count_over_time({a="b"}[5m]))"#, "parse error at line 1, col 6: syntax error: unexpected IDENTIFIER"),
        (#"topk(1.5, count_over_time({a="b"}[5m]))"#, "parse error at line 1, col 6: syntax error: invalid parameter topk(1.5,"),
        (#"count_over_time({a="b"}[5m]) and 1"#, "parse error : unexpected literal for right leg of logical/set binary operation (and): 1.000000"),
        (#"count_over_time({a="b"}[5m]) + bool 1"#, "parse error at line 1, col 32: bool modifier can only be used on comparison operators"),
        (#"{a="b"} | regexp "(\\d+)""#, "parse error : invalid regexp parser: at least one named capture must be supplied"),
        (#"{a="b"} | regexp "(?P<x>a)(?P<x>b)""#, "parse error : invalid regexp parser: duplicate extracted label name 'x'"),
        (#"{a="b"} | logfmt | x > abc"#, "parse error at line 1, col 24: syntax error: unexpected IDENTIFIER, expecting BYTES or NUMBER or DURATION"),
        (#"{a="b"} | logfmt | x > 5xyz"#, "parse error at line 1, col 24: syntax error: unexpected 5xyz"),
        (#"{a="b"} | logfmt --loose"#, "parse error at line 1, col 20: syntax error: unexpected IDENTIFIER, expecting strict or keep-empty"),
    ]

    @Test(arguments: metricErrors) func metricErrorsSayWhereAndWhat(_ query: String, _ prefix: String) {
        do {
            let q = try QueryParser.parseQuery(query)
            Issue.record("accepted \(query) as \(q)")
        } catch {
            #expect(error.message.hasPrefix(prefix), "\(query) → \(error.message)")
        }
    }

    @Test(arguments: errors) func errorsSayWhereAndWhat(_ query: String, _ prefix: String) {
        do {
            let q = try QueryParser.parse(query)
            Issue.record("accepted \(query) as \(q)")
        } catch {
            #expect(error.message.hasPrefix(prefix), "\(query) → \(error.message)")
        }
    }

    /// Random and mangled queries never crash or hang the parser; every outcome is a query or an error.
    @Test func fuzzedQueriesNeverTrap() {
        let pieces = ["{", "}", "(", ")", ",", "app", "=", "!=", "=~", "!~", "|=", "|~", "|", "\"x\"", "`y`", "\"", "`",
                      "or", " ", "\n", "#", "\\", "é", "[5m]", "rate", "json", "\"(\"", "0", "\u{0}", "sum", "by", "+", "-",
                      "^", ">", "bool", "on", "group_left", "unwrap", "offset", "1h", "1e3", "[", "]", "and", "logfmt", "--"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let n = Int.random(in: 0..<14, using: &rng)
            let q = (0..<n).map { _ in pieces.randomElement(using: &rng)! }.joined()
            _ = try? QueryParser.parseQuery(q)
        }
        // A prefix that parses, then noise: still only results or errors, and some still parse.
        var parsed = 0
        for _ in 0..<5_000 {
            let q = #"{app="a"} |= "b""# + (0..<Int.random(in: 0..<4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            if (try? QueryParser.parse(q)) != nil { parsed += 1 }
        }
        #expect(parsed > 0)
    }

    @Test func deepNestingAndHugeQueriesAreBounded() throws {
        let deep = String(repeating: "(", count: 50_000) + #"{app="a"}"# + String(repeating: ")", count: 50_000)
        #expect(throws: ParseError.self) { try QueryParser.parse(deep) }
        let nested = String(repeating: "(", count: 100) + #"{app="a"}"# + String(repeating: ")", count: 100)
        #expect(throws: Never.self) { try QueryParser.parse(nested) }
        let manyOr = #"{app="a"} |= "x0""# + (1..<5_000).map { " or \"x\($0)\"" }.joined()
        #expect(throws: Never.self) { try QueryParser.parse(manyOr) }
        let deepMetric = String(repeating: "sum(", count: 10_000) + #"count_over_time({a="b"}[1m])"# + String(repeating: ")", count: 10_000)
        #expect(throws: ParseError.self) { try QueryParser.parseQuery(deepMetric) }
        let longSum = (0..<1_000).map { _ in #"count_over_time({a="b"}[1m])"# }.joined(separator: " + ")
        #expect(throws: Never.self) { try QueryParser.parseQuery(longSum) }
        let tooLong = (0..<5_000).map { _ in "vector(1)" }.joined(separator: "+")
        #expect(throws: ParseError.self) { try QueryParser.parseQuery(tooLong) }
        let deepFilter = #"{a="b"} | logfmt | "# + String(repeating: "(", count: 10_000) + #"x="y""# + String(repeating: ")", count: 10_000)
        #expect(throws: ParseError.self) { try QueryParser.parseQuery(deepFilter) }
        // 10,000-way `or` in line and label filters: parsed and run in linear time.
        let wideLine = #"{a="b"} |= "#  + (0..<10_000).map { "\"v\($0)\"" }.joined(separator: " or ")
        #expect(try QueryParser.parse(wideLine).stages.count == 1)
        let wideLabel = #"{a="b"} | logfmt | "# + (0..<10_000).map { "x=\"\($0)\"" }.joined(separator: " or ")
        #expect(throws: ParseError.self) { try QueryParser.parse(wideLabel) }
        let allowed = #"{a="b"} | logfmt | "# + (0..<QueryParser.maxLabelFilterTerms).map { "x=\"\($0 + 9_000)\"" }.joined(separator: " or ")
        var p = try Pipeline(QueryParser.parse(allowed), skipPushedDown: false)
        var lb = LabelsBuilder(LabelSet([Label("a", "b")]))
        #expect(p.process(Array("x=9511".utf8), &lb) != nil)
        let minus = String(repeating: "-", count: 10_000) + "1"
        #expect(throws: ParseError.self) { try QueryParser.parseQuery(minus) }
    }
}
