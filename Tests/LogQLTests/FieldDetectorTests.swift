import LogModel
@testable import LogQL
import Testing

/// `detected_fields`' reading of a line and its guess at a value's type (LogQL/FieldDetector.swift).
@Suite struct FieldDetectorTests {
    static let stream = LabelSet([Label("app", "api"), Label("level", "stream")])

    @Test func jsonFirstThenLogfmtElseNothing() {
        let j = FieldDetector.fields(Array(#"{"level":"error","req":{"ms":12},"ok":true}"#.utf8), streamLabels: Self.stream)
        #expect(j?.parser == "json")
        #expect(j?.fields.map(\.name).sorted() == ["level_extracted", "ok", "req_ms"])
        let l = FieldDetector.fields(Array(#"level=info took=1.5s size=10KB msg="hi there""#.utf8), streamLabels: Self.stream)
        #expect(l?.parser == "logfmt")
        #expect(l?.fields.map(\.name).sorted() == ["level_extracted", "msg", "size", "took"])
        #expect(FieldDetector.fields(Array("plain words here".utf8), streamLabels: Self.stream)?.fields.map(\.name) == ["plain", "words", "here"])
        #expect(FieldDetector.fields(Array(#"a="unterminated"#.utf8), streamLabels: Self.stream) == nil)
        #expect(FieldDetector.fields([], streamLabels: Self.stream) == nil)
    }

    @Test func typesInLokisOrder() {
        let cases: [(String, String)] = [
            ("42", "int"), ("-7", "int"), ("1", "int"), ("3.5", "float"), ("1e3", "float"), ("NaN", "float"), ("true", "boolean"),
            ("F", "boolean"), ("1h30m", "duration"), ("250ms", "duration"), ("10KB", "bytes"), ("1.5 GiB", "bytes"),
            ("error", "string"), ("", "string"), ("12abc", "string"), ("0x1F", "string"),
        ]
        for (v, t) in cases { #expect(FieldDetector.type(of: v) == t, "\(v)") }
    }
}
