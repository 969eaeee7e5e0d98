import Testing
@testable import LogModel

@Suite struct LabelParserTests {
    @Test func parsesSortsAndCanonicalises() throws {
        let l = try LabelParser.parse(#"{job="api", app="x\"y", env=`raw\n`}"#)
        #expect(l.labels.map(\.name) == ["app", "env", "job"])
        #expect(l["app"] == "x\"y")
        #expect(l["env"] == "raw\\n")
        #expect(l.canonical == #"{app="x\"y", env="raw\\n", job="api"}"#)
        #expect(try LabelParser.parse(#"{b="2",a="1",}"#).canonical == #"{a="1", b="2"}"#)
        #expect(try LabelParser.parse("  {  }  ").isEmpty)
        #expect(try LabelParser.parse(#"metric{a="1"}"#).canonical == #"{a="1"}"#)
        #expect(try LabelParser.parse(#"{a="\u00e9\x41\n"}"#)["a"] == "éA\n")
    }

    @Test func rejectsMalformedWithPositions() {
        let cases: [(String, String)] = [
            (#"{foo}"#, #"1:5: parse error: unexpected "}" in label matching, expected label matching operator "=""#),
            (#"foo"#, #"1:4: parse error: unexpected end of input, expected "{""#),
            (#"{a="b""#, "1:7: parse error: unexpected end of input in label set, expected \",\" or \"}\""),
            (#"{a="b"} x"#, #"1:9: parse error: unexpected "x" after the label set"#),
            (#"{1a="b"}"#, #"1:2: parse error: unexpected "1" in label set, expected identifier"#),
            (#"{a=~"b"}"#, #"1:4: parse error: unexpected character after "=": stream labels take only "=""#),
            ("{a=\"b\nc\"}", "1:6: parse error: unterminated quoted string"),
            (#"{a="\q"}"#, "1:6: parse error: unknown escape sequence in quoted string"),
            (#"{a=b}"#, "1:4: parse error: unexpected character, expected a quoted label value"),
        ]
        for (input, message) in cases {
            do {
                let l = try LabelParser.parse(input)
                Issue.record("\(input) parsed as \(l)")
            } catch {
                #expect(error.message == message, "input \(input)")
            }
        }
    }

    @Test func hugeInputFailsFast() {
        let big = "{a=\"" + String(repeating: "x", count: 300_000) + "\"}"
        #expect(throws: LabelParser.ParseError.self) { try LabelParser.parse(big) }
    }

    @Test func duplicateNamesAreFound() throws {
        #expect(try LabelParser.parse(#"{a="1", b="2", a="3"}"#).duplicateName == "a")
        #expect(try LabelParser.parse(#"{a="1", b="2"}"#).duplicateName == nil)
    }
}

@Suite struct TenantIDTests {
    @Test func acceptsLokiAlphabet() throws {
        for ok in ["fake", "team-a_b.c", "A1!*'()", String(repeating: "x", count: 150)] {
            #expect(try TenantID(ok).value == ok)
        }
    }

    @Test func rejectsPathsAndBadCharacters() {
        let cases: [(String, String)] = [
            ("", "no org id"),
            (".", "tenant ID is '.' or '..'"),
            ("..", "tenant ID is '.' or '..'"),
            ("../x", "tenant ID '../x' contains unsupported character '/'"),
            ("a/b", "tenant ID 'a/b' contains unsupported character '/'"),
            ("a|b", "tenant ID 'a|b' contains unsupported character '|'"),
            ("a b", "tenant ID 'a b' contains unsupported character ' '"),
            ("é", "tenant ID 'é' contains unsupported character 'é'"),
            ("a\0", "tenant ID 'a\0' contains unsupported character '\0'"),
            (String(repeating: "x", count: 151), "tenant ID is too long: max 150 characters"),
        ]
        for (input, message) in cases {
            do {
                _ = try TenantID(input)
                Issue.record("\(input) accepted")
            } catch {
                #expect(error.message == message)
            }
        }
    }
}

@Suite struct TimeTests {
    @Test func goFormats() {
        #expect(GoTime.string(1_000_000_000) == "1970-01-01 00:00:01 +0000 UTC")
        #expect(GoTime.string(1_700_000_000_123_000_000) == "2023-11-14 22:13:20.123 +0000 UTC")
        #expect(GoTime.rfc3339(1_700_000_000_123_000_000) == "2023-11-14T22:13:20Z")
        #expect(GoTime.rfc3339Nano(1_700_000_000_000_000_001) == "2023-11-14T22:13:20.000000001Z")
        #expect(GoTime.rfc3339(-1_000_000_000) == "1969-12-31T23:59:59Z")
        #expect(GoTime.rfc3339(951_782_400 * 1_000_000_000) == "2000-02-29T00:00:00Z")
    }

    @Test func lokiTimeParameters() {
        #expect(TimeParser.parse("1700000000") == 1_700_000_000_000_000_000)
        #expect(TimeParser.parse("1700000000000000001") == 1_700_000_000_000_000_001)
        #expect(TimeParser.parse("1700000000.5") == 1_700_000_000_500_000_000)
        #expect(TimeParser.parse("2023-11-14T22:13:20Z") == 1_700_000_000_000_000_000)
        #expect(TimeParser.parse("2023-11-14T23:13:20.25+01:00") == 1_700_000_000_250_000_000)
        #expect(TimeParser.parse("4000000000") == 4_000_000_000_000_000_000)
        for bad in ["", "abc", "2023-13-01T00:00:00Z", "2023-11-14T22:13:20", "1e400", "99999999999999999999"] {
            #expect(TimeParser.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func durations() {
        #expect(TimeParser.duration("5m") == 300_000_000_000)
        #expect(TimeParser.duration("1h30m") == 5_400_000_000_000)
        #expect(TimeParser.duration("500ms") == 500_000_000)
        #expect(TimeParser.duration("168h") == 604_800_000_000_000)
        #expect(TimeParser.duration("1.5") == 1_500_000_000)
        // Query parameters keep Prometheus's forms; a config file also takes Go's.
        #expect(TimeParser.duration("1.5h") == nil)
        #expect(TimeParser.duration("-30s") == nil)
        #expect(TimeParser.configDuration("1.5h") == 5_400_000_000_000)
        #expect(TimeParser.configDuration("-1ns") == -1)
        #expect(TimeParser.configDuration("1h0m0.5s") == 3_600_500_000_000)
        #expect(TimeParser.configDuration("2562047h47m16.854775807s") == Int64.max)
        #expect(TimeParser.configDuration("2562047h47m16.854775808s") == nil)
        #expect(TimeParser.configDuration("1d") == 86_400_000_000_000)
        #expect(TimeParser.configDuration(".5s") == 500_000_000)
        for bad in ["-", "1.h2", ".s", "5", "h", "1.5x", "--1s"] where bad != "5" {
            #expect(TimeParser.configDuration(bad) == nil, "\(bad)")
        }
        #expect(TimeParser.duration("5x") == nil)
        #expect(TimeParser.duration("m") == nil)
        #expect(TimeParser.formatDuration(604_800_000_000_000) == "168h0m0s")
        #expect(TimeParser.formatDuration(100_000_000) == "100ms")
        #expect(TimeParser.formatDuration(90_000_000_000) == "1m30s")
    }
}
