import LogModel
import Testing

@Suite struct SelectorParserTests {
    func set(_ pairs: [(String, String)]) -> LabelSet { LabelSet(pairs.map { Label($0.0, $0.1) }) }

    @Test func parsesEveryMatcherKind() throws {
        let m = try SelectorParser.parse(#"{app="api", env!="dev", pod=~"api-.+", level!~`debug|trace`}"#)
        #expect(m.map(\.description) == [#"app="api""#, #"env!="dev""#, #"pod=~"api-.+""#, #"level!~"debug|trace""#])
        let labels = set([("app", "api"), ("env", "prod"), ("pod", "api-7"), ("level", "info")])
        #expect(m.matches(labels))
        #expect(!m.matches(set([("app", "api"), ("env", "dev"), ("pod", "api-7")])))
        #expect(!m.matches(set([("app", "api"), ("pod", "api-7"), ("level", "debug")])))
        // A missing label has the value "": env!="dev" and level!~… accept it; pod=~"api-.+" does not.
        #expect(m.matches(set([("app", "api"), ("pod", "api-1")])))
        #expect(!m.matches(set([("app", "api")])))
    }

    @Test func regexesAreFullyAnchored() throws {
        let m = try SelectorParser.parse(#"{pod=~"api"}"#)
        #expect(m.matches(set([("pod", "api")])))
        #expect(!m.matches(set([("pod", "api-1")])))
        #expect(!m.matches(set([("pod", "my-api")])))
        let alt = try SelectorParser.parse(#"{pod=~"a|b"}"#)
        #expect(alt.matches(set([("pod", "b")])))
        #expect(!alt.matches(set([("pod", "ab")])))
    }

    @Test func spacesNewlinesAndEscapes() throws {
        let m = try SelectorParser.parse("  {\n app = \"a\\\"b\" ,\tx=~\"\\\\d+\" }  ")
        #expect(m == [.equal("app", "a\"b"), try LabelMatcher("x", .regex, "\\d+")])
        #expect(m[1].matches(value: "42"))
    }

    @Test func badSelectorsNameThePlace() {
        let cases: [(String, String)] = [
            ("", "parse error : syntax error: unexpected end of input, expected {"),
            ("app", "parse error at line 1, col 1: syntax error: unexpected app, expecting {"),
            ("{}", "parse error at line 1, col 2: syntax error: unexpected }, expecting IDENTIFIER"),
            (#"{app=}"#, "parse error at line 1, col 6: syntax error: unexpected }, expecting STRING"),
            (#"{app~"x"}"#, "parse error at line 1, col 5: syntax error: unexpected ~, expecting = or != or =~ or !~"),
            (#"{app="x" env="y"}"#, "parse error at line 1, col 10: syntax error: unexpected env, expecting , or }"),
            (#"{app="x"} extra"#, "parse error at line 1, col 11: syntax error: unexpected extra"),
            ("{app", "parse error at line 1, col 5: syntax error: unexpected end of input, expecting = or != or =~ or !~"),
            ("{app=\"x", "parse error at line 1, col 6: syntax error: unterminated quoted string"),
            ("{a=\"x\",\nb=~\"(\"}", "parse error at line 2, col 4: error parsing regexp: missing closing ): `(`"),
            (#"{app=~".*"}"#, #"parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will"#),
            (#"{app!="x"}"#, #"parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will"#),
            (#"{app=""}"#, #"parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will"#),
        ]
        for (input, message) in cases {
            do { _ = try SelectorParser.parse(input); Issue.record("accepted \(input)") } catch { #expect(error.message == message, "\(input)") }
        }
    }

    @Test func garbageNeverTraps() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}=!~"`,\ ab|.*()[]"#.utf8) + [0x0a, 0xC3, 0xA9]
        for _ in 0..<3000 {
            let n = Int.random(in: 0..<24, using: &rng)
            let bytes = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
            _ = try? SelectorParser.parse(String(decoding: bytes, as: UTF8.self))
        }
    }
}
