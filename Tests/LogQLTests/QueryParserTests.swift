import Testing
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
    ]

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
        ("", "parse error : syntax error: unexpected end of input"),
        ("app", "parse error at line 1, col 1: `app` (metric queries) is not supported by this build yet"),
        (#"rate({app="x"}[5m])"#, "parse error at line 1, col 1: `rate` (metric queries) is not supported"),
        ("{}", "parse error at line 1, col 2: syntax error: unexpected }, expecting IDENTIFIER"),
        (#"{app}"#, "parse error at line 1, col 5: syntax error: unexpected }, expecting = or != or =~ or !~"),
        (#"{app=api}"#, "parse error at line 1, col 6: syntax error: unexpected IDENTIFIER, expecting STRING"),
        (#"{app="api""#, "parse error at line 1, col 11: syntax error: unexpected end of input, expecting , or }"),
        (#"{app="api"} |= 5"#, "parse error at line 1, col 16: syntax error: unexpected 5, expecting STRING"),
        (#"{app="api"} |= "a" or"#, "parse error at line 1, col 22: syntax error: unexpected end of input, expecting STRING"),
        ("{app=\"api\"}\n|~ \"(\"", "parse error at line 2, col 4: error parsing regexp: missing closing ): `(`"),
        (#"{app=~"("}"#, "parse error at line 1, col 7: error parsing regexp: missing closing ): `(`"),
        (#"{app="api"} | json"#, "parse error at line 1, col 13: the `| json` stage is not supported by this build yet"),
        (#"{app="api"} |= ip("10.0.0.0/8")"#, "parse error at line 1, col 16: `ip(…)` in a line filter is not supported"),
        (#"{app="api"} {b="c"}"#, "parse error at line 1, col 13: syntax error: unexpected {"),
        (#"{app=~".*"}"#, "parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value"),
        (#"{app="unterminated}"#, "parse error at line 1, col 6: syntax error: unterminated quoted string"),
        (#"{app="a\qb"}"#, "parse error at line 1, col 6: syntax error: unknown escape sequence in quoted string"),
        (#"({app="api"}"#, "parse error at line 1, col 13: syntax error: unexpected end of input, expecting )"),
        ("{é=\"x\"}", "parse error at line 1, col 2: syntax error: unexpected é, expecting IDENTIFIER"),
    ]

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
                      "or", " ", "\n", "#", "\\", "é", "[5m]", "rate", "json", "\"(\"", "0", "\u{0}"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let n = Int.random(in: 0..<14, using: &rng)
            let q = (0..<n).map { _ in pieces.randomElement(using: &rng)! }.joined()
            _ = try? QueryParser.parse(q)
        }
        // A prefix that parses, then noise: still only results or errors, and some still parse.
        var parsed = 0
        for _ in 0..<5_000 {
            let q = #"{app="a"} |= "b""# + (0..<Int.random(in: 0..<4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            if (try? QueryParser.parse(q)) != nil { parsed += 1 }
        }
        #expect(parsed > 0)
    }

    @Test func deepNestingAndHugeQueriesAreBounded() {
        let deep = String(repeating: "(", count: 50_000) + #"{app="a"}"# + String(repeating: ")", count: 50_000)
        #expect(throws: ParseError.self) { try QueryParser.parse(deep) }
        let nested = String(repeating: "(", count: 100) + #"{app="a"}"# + String(repeating: ")", count: 100)
        #expect(throws: Never.self) { try QueryParser.parse(nested) }
        let manyOr = #"{app="a"} |= "x0""# + (1..<5_000).map { " or \"x\($0)\"" }.joined()
        #expect(throws: Never.self) { try QueryParser.parse(manyOr) }
    }
}
