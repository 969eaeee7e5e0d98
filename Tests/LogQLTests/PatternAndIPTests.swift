import Testing
import LogModel
@testable import LogQL

/// `| pattern`, the `|>`/`!>` filters, and `ip()` in line and label filters, with the examples of
/// Loki's documentation.
@Suite struct PatternAndIPTests {
    func run(_ stages: String, _ line: String, stream: LabelSet = LabelSet([Label("app", "web")])) throws -> LabelSet? {
        var p = try Pipeline(try QueryParser.parse(#"{app="web"} "# + stages), skipPushedDown: false)
        var b = LabelsBuilder(stream)
        guard p.process(Array(line.utf8), &b) != nil else { return nil }
        return b.labels
    }

    static let nginx = #"0.191.12.2 - - [10/Jun/2021:09:14:29 +0000] "GET /api/plugins/versioncheck HTTP/1.1" 200 2 "-" "Go-http-client/2.0" "13.76.247.102, 34.120.177.193" "TLSv1.2" "US" """#

    @Test func patternParserExtractsTheDocumentationExample() throws {
        let l = try run(#"| pattern `<ip> - - <_> "<method> <uri> <_>" <status> <size> <_> "<agent>" <_>`"#, Self.nginx)
        #expect(l?.canonical == #"{agent="Go-http-client/2.0", app="web", ip="0.191.12.2", method="GET", size="2", status="200", uri="/api/plugins/versioncheck"}"#)
    }

    @Test func patternParserEdgeRules() throws {
        // A leading literal must start the line; else nothing is extracted (and no error).
        #expect(try run(#"| pattern "GET <path>""#, "POST /x")?.canonical == #"{app="web"}"#)
        // A missing literal ends the match: the capture takes the rest of the line.
        #expect(try run(#"| pattern "<a> | <b> ;""#, "x | y")?.canonical == #"{a="x", app="web", b="y"}"#)
        // A name the stream has gets `_extracted`.
        #expect(try run(#"| pattern "<app> <_>""#, "api rest")?.canonical == #"{app="web", app_extracted="api"}"#)
        #expect(try run(#"| pattern "<a> <b>" | b="2""#, "1 2") != nil)
    }

    @Test(arguments: [
        ("<_> bar", "foo bar baz", false), ("<_> baz", "foo bar baz", true), ("foo <_>", "foo bar baz", true),
        ("<_> bar <_>", " bar ", false), ("<_>bar<_>", " bar ", true), ("", "", true), ("<_>", "", false),
        ("<_> error <_>", "level=error msg=x", false), ("<_> error <_>", "an error happened", true),
    ])
    func patternFilterTestsLikeLoki(_ c: (String, String, Bool)) throws {
        #expect((try run("|> " + GoQuote.quote(c.0), c.1) != nil) == c.2, "\(c.0) on \(c.1)")
        #expect((try run("!> " + GoQuote.quote(c.0), c.1) != nil) == !c.2, "\(c.0) on \(c.1)")
    }

    @Test func patternFilterAlternatives() throws {
        #expect(try run(#"|> "<_> a" or "<_> b""#, "x b") != nil)
        #expect(try run(#"|> "<_> a" or "<_> b""#, "x c") == nil)
    }

    @Test(arguments: [
        (#"|= ip("192.168.4.5-192.168.4.20")"#, "from 192.168.4.7 ok", true),
        (#"|= ip("192.168.4.5-192.168.4.20")"#, "from 192.168.4.21 ok", false),
        (#"|= ip("10.0.0.0/8")"#, "a=10.1.2.3:8080", true),
        (#"|= ip("10.0.0.0/8")"#, "a=11.1.2.3", false),
        (#"!= ip("10.0.0.0/8")"#, "a=11.1.2.3", true),
        (#"|= ip("::1")"#, "peer [::1]:443", true),
        (#"|= ip("2001:db8::/32")"#, "c=2001:db8:85a3::8a2e:370:7334 d", true),
        (#"|= ip("2001:db8::/32")"#, "c=2001:db9::1", false),
        (#"|= ip("192.168.0.1")"#, "version 1.2.3.4.5 then 192.168.0.1", true),
        (#"|= ip("192.168.0.1")"#, "192.168.0.10", false),
    ])
    func ipLineFilter(_ c: (String, String, Bool)) throws {
        #expect((try run(c.0, c.1) != nil) == c.2, "\(c.0) on \(c.1)")
    }

    @Test func ipLabelFilter() throws {
        #expect(try run(#"| logfmt | remote_addr = ip("2001:db8::1-2001:db8::8")"#, "remote_addr=2001:db8::5") != nil)
        #expect(try run(#"| logfmt | remote_addr = ip("2001:db8::1-2001:db8::8")"#, "remote_addr=2001:db8::9") == nil)
        #expect(try run(#"| logfmt | addr != ip("10.0.0.0/24")"#, "addr=10.0.1.1") != nil)
        #expect(try run(#"| logfmt | missing = ip("10.0.0.0/24")"#, "addr=10.0.0.1") == nil)
    }

    @Test(arguments: [
        (#"{a="b"} | pattern "<x><y>""#, "parse error : invalid pattern parser: found consecutive capture '<x><y>': invalid expression"),
        (#"{a="b"} | pattern "plain""#, "parse error : invalid pattern parser: at least one capture is required"),
        (#"{a="b"} | pattern "<x> <x>""#, "parse error : invalid pattern parser: duplicate capture name (x): invalid expression"),
        (#"{a="b"} |> "<x> y""#, "parse error at line 1, col 12: named captures are not allowed: found '<x>'"),
        (#"{a="b"} |= ip("300.1.1.1")"#, #"parse error at line 1, col 15: ip: invalid pattern: "300.1.1.1""#),
        (#"{a="b"} |~ ip("1.1.1.1")"#, "parse error at line 1, col 12: ip: invalid operation"),
        (#"{a="b"} | x = ip("1.1.1.1/33")"#, #"parse error at line 1, col 18: ip: invalid pattern: "1.1.1.1/33""#),
        (#"{a="b"} |= ip("1.1.1.1") or "x""#, "parse error at line 1, col 29: syntax error: unexpected"),
    ])
    func badPatternsAndAddresses(_ c: (String, String)) {
        do {
            _ = try QueryParser.parseQuery(c.0)
            Issue.record("\(c.0) parsed")
        } catch {
            #expect(error.description.hasPrefix(c.1), "\(error.description)")
        }
    }

    @Test func printsCanonically() throws {
        for (q, want) in [
            (#"{a="b"} | pattern `<x> - <_>`"#, #"{a="b"} | pattern "<x> - <_>""#),
            (#"{a="b"} |> "<_> x" or "y <_>" !> "z <_>""#, #"{a="b"} |> "<_> x" or "y <_>" !> "z <_>""#),
            (#"{a="b"} |= ip("10.0.0.0/8") != ip("10.1.0.0/16")"#, #"{a="b"} |= ip("10.0.0.0/8") != ip("10.1.0.0/16")"#),
            (#"{a="b"} | logfmt | addr=ip("::1") | x!=ip("1.2.3.4")"#, #"{a="b"} | logfmt | addr=ip("::1") | x!=ip("1.2.3.4")"#),
        ] {
            let parsed = try QueryParser.parseQuery(q)
            #expect(parsed.description == want)
            #expect(try QueryParser.parseQuery(parsed.description) == parsed)
        }
    }
}
