import Testing
@testable import GoTemplate

/// The engine against Go's `text/template` behaviour, with a few functions of our own.
struct TemplateTests {
    static let functions: [String: TemplateFunction] = [
        "upper": TemplateFunction([.string]) { a, _ in
            guard case .string(let s) = a[0] else { return .missing }
            return .string(s.uppercased())
        },
        "repeat": TemplateFunction([.int, .string]) { a, _ in
            guard case .int(let n) = a[0], case .string(let s) = a[1] else { return .missing }
            return .string(String(repeating: s, count: Int(n)))
        },
        "fail": TemplateFunction([]) { _, _ throws(TemplateError) in throw TemplateError("boom") },
        "pair": TemplateFunction([.any, .any]) { a, _ in .list(a) },
    ]

    func run(_ text: String, _ data: [String: String] = ["a": "x", "b": "y", "n": "3"]) throws -> String {
        try Template(name: "line", text: text, functions: Self.functions).execute(.labels(data))
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("{{.a}}-{{ .b }}", "x-y"),
        ("{{.missing}}|", "|"),
        ("{{ .a | upper }}", "X"),
        ("{{ upper .a }}{{ \"q\" | repeat 3 }}", "Xqqq"),
        ("{{ if .a }}yes{{ else }}no{{ end }}", "yes"),
        ("{{ if .missing }}yes{{ else if .b }}elif{{ else }}no{{ end }}", "elif"),
        ("{{ with .a }}[{{ . }}]{{ end }}{{ with .zz }}no{{ else }}none{{ end }}", "[x]none"),
        ("{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}", "a=x;b=y;n=3;"),
        ("{{ range . }}{{ . }}{{ if eq . \"y\" }}{{ break }}{{ end }}{{ end }}", "xy"),
        ("{{ $x := .a }}{{ $x = \"z\" }}{{ $x }}", "z"),
        ("a  {{- .a -}}  b", "axb"),
        ("{{/* a comment */}}c", "c"),
        ("{{- /* trimmed */ -}}  d", "d"),
        ("{{ printf \"%s=%05.2f|%-4d|%x|%q\" .a 3.14159 42 255 \"hi\" }}", "x=03.14|42  |ff|\"hi\""),
        ("{{ printf \"%d\" .a }}", "%!d(string=x)"),
        ("{{ printf \"%s %s\" .a }}", "x %!s(MISSING)"),
        ("{{ len .a }} {{ index . \"b\" }} {{ slice .a 0 1 }}", "1 y x"),
        ("{{ and .a .missing \"z\" }}|{{ or .missing .b }}|{{ not .a }}", "|y|false"),
        ("{{ eq .a \"q\" \"x\" }} {{ ne 1 2 }} {{ lt 1.5 2.5 }} {{ ge \"b\" \"a\" }}", "true true true true"),
        ("{{ print 1 2 \"a\" 3 }}{{ println \"z\" }}", "1 2a3z\n"),
        ("{{ html \"<a href='x'>&\" }} {{ urlquery \"a b&c\" }} {{ js \"it's\" }}", "&lt;a href=&#39;x&#39;&gt;&amp; a+b%26c it\\'s"),
        ("{{ 1.5 }} {{ 3 }} {{ 0x10 }} {{ 'a' }} {{ true }} {{ 1e6 }}", "1.5 3 16 97 true 1e+06"),
        ("{{ (pair .a .b) }}", "[x y]"),
        ("{{ `raw\\n` }}", "raw\\n"),
    ])
    func renders(_ c: (String, String)) throws {
        #expect(try run(c.0) == c.1, "\(c.0)")
    }

    @Test(arguments: [
        ("{{ nope }}", "template: line:1: function \"nope\" not defined"),
        ("{{ .a ", "template: line:1: unclosed action"),
        ("{{ if .a }}x", "template: line:1: unexpected EOF"),
        ("{{ end }}", "template: line:1: unexpected {{end}}"),
        ("{{ $y }}", "template: line:1: undefined variable \"$y\""),
        ("{{ break }}", "template: line:1: {{break}} outside {{range}}"),
        ("{{ \"x }}", "template: line:1: unterminated quoted string"),
        ("a\n{{ define \"x\" }}{{ end }}", "template: line:2: {{define}} is not supported in Loki templates"),
        ("{{ ) }}", "template: line:1: unexpected right paren"),
    ])
    func parseErrors(_ c: (String, String)) {
        #expect(throws: TemplateError.self) { try run(c.0) }
        do { _ = try run(c.0) } catch let e as TemplateError { #expect(e.description == c.1, "\(c.0)") } catch {}
    }

    @Test(arguments: [
        ("{{ upper }}", "template: line:1:3: executing \"line\" at <upper>: wrong number of args for upper: want 1 got 0"),
        ("{{ .a | upper 1 }}", "template: line:1:8: executing \"line\" at <upper>: wrong number of args for upper: want 1 got 2"),
        ("{{ repeat .n \"x\" }}", "template: line:1:3: executing \"line\" at <repeat .n \"x\">: wrong type for value; expected int; got string"),
        ("{{ fail }}", "template: line:1:3: executing \"line\" at <fail>: error calling fail: boom"),
        ("{{ .a.b }}", "template: line:1:3: executing \"line\" at <.a.b>: can't evaluate field b in type string"),
        ("{{ .a 1 }}", "template: line:1:3: executing \"line\" at <.a 1>: can't give argument to non-function .a"),
        ("{{ lt .a 1 }}", "template: line:1:3: executing \"line\" at <lt .a 1>: error calling lt: incompatible types for comparison"),
        ("{{ range .a }}{{ end }}", "template: line:1:9: executing \"line\" at <.a>: range can't iterate over x"),
    ])
    func executionErrors(_ c: (String, String)) {
        do {
            _ = try run(c.0)
            Issue.record("\(c.0) ran")
        } catch let e as TemplateError {
            #expect(e.description == c.1, "\(c.0)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func fieldsAndFunctionsUsedAreKnownAfterParse() throws {
        let t = try Template(name: "line", text: "{{ .a | upper }} {{ if .b }}{{ .c.d }}{{ end }}", functions: Self.functions)
        #expect(t.fieldsUsed == ["a", "b", "c", "d"])
        #expect(t.functionsUsed == ["upper"])
        #expect(!t.readsWholeData)
        #expect(try Template(name: "l", text: "{{ range . }}{{ end }}", functions: [:]).readsWholeData)
    }

    @Test func genericMapsReadMissingKeysAsNil() throws {
        let t = try Template(name: "line", text: "{{ .m.k }}|{{ .m.zz }}|{{ index .l 1 }}", functions: [:])
        let data = TemplateValue.map(["m": .map(["k": .float(2)]), "l": .list([.string("p"), .string("q")])])
        #expect(try t.execute(data) == "2|<no value>|q")
    }

    /// Arbitrary bytes never trap the lexer, parser or executor.
    @Test func hostileTemplatesNeverTrap() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["{{", "}}", "{{-", "-}}", " ", ".a", "$x", ":=", "=", "|", "(", ")", "\"", "`", "'", "if", "else", "end", "range", "with",
                      "upper", "printf", "\"%d\"", "1", "1.5e3", "0x", "nil", "true", "/*", "*/", "break", ",", "$", "\\", "é", "\n"]
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 1...14, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            if let t = try? Template(name: "f", text: text, functions: Self.functions) { _ = try? t.execute(.labels(["a": "1"])) }
        }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        for text in [String(repeating: "{{ (", count: 1) + String(repeating: "(", count: 5000) + ".a" + String(repeating: ")", count: 5001) + " }}",
                     String(repeating: "{{ if .a }}", count: 5000) + String(repeating: "{{ end }}", count: 5000)] {
            do {
                _ = try Template(name: "line", text: text, functions: [:])
                Issue.record("parsed")
            } catch {
                #expect(error.description.contains("nested deeper than 256 levels"))
            }
        }
        #expect(throws: Never.self) { try Template(name: "l", text: String(repeating: "(", count: 200).wrapped(")"), functions: [:]) }
    }

    @Test func runawayTemplatesStop() throws {
        let big = TemplateValue.list(Array(repeating: .string("x"), count: 2000))
        let t = try Template(name: "l", text: "{{ range . }}{{ range $ }}{{ end }}{{ end }}", functions: [:])
        #expect(throws: TemplateError.self) { try t.execute(big) }
    }
}

private extension String {
    /// `{{ ((…(.a)…)) }}` with this string's parentheses.
    func wrapped(_ close: String) -> String { "{{ " + self + ".a" + String(repeating: close, count: count) + " }}" }
}
