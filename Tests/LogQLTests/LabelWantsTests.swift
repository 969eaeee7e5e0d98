import Testing
import LogModel
@testable import LogQL

/// Parsers building only the wanted labels (`LabelWants`) must give exactly what building every
/// label gives, restricted to those: the same values, the same `_extracted` renames, the same errors.
@Suite struct LabelWantsTests {
    static let lines = [
        #"{"level":"error","status":503,"msg":"a \"quoted\" word","path":"/x","latency_ms":12}"#,
        #"{"status":"500","status":"502"}"#,
        #"{"app":"shadow","status":200}"#,
        #"{"\u0073tatus":201,"level":"warn"}"#,
        #"{"1st":"y","status":7,"req":{"status":9,"path":"/p"}}"#,
        #"{"status":500,"level":tru}"#,
        #"{"level":"x","status":"é long value with \\ backslash and more than eight bytes"}"#,
        #"  {"status" : 404 , "ok" : true }  trailing"#,
        #"{"status":null,"level":"info"}"#,
        "level=info status=500",
        "",
        "[1,2]",
        #"{"status":"\ud800 lone"}"#,
    ]
    static let wantedSets: [Set<String>] = [
        ["status"], ["app_extracted"], ["level", "status"], ["req_status"], ["_1st"],
        ["status", "__error__"], ["status", "__error__", "__error_details__"], ["nothing_here"],
    ]

    func labels(_ line: String, wanted: Set<String>?) throws -> [Label] {
        let stream = LabelSet([Label("app", "api")])
        var p = try Pipeline(try QueryParser.parse(#"{app="api"} | json"#), skipPushedDown: false, using: wanted)
        var b = LabelsBuilder(stream)
        _ = p.process(Array(line.utf8), &b)
        return b.labels.labels
    }

    @Test(arguments: wantedSets)
    func wantedLabelsEqualTheFullParseRestricted(_ wanted: Set<String>) throws {
        for line in Self.lines {
            let all = try labels(line, wanted: nil)
            let some = try labels(line, wanted: wanted)
            func keep(_ l: Label) -> Bool {
                wanted.contains(l.name) || l.name == "app" || l.name == LabelsBuilder.errorLabel
                    || (l.name == LabelsBuilder.errorDetailsLabel && wanted.contains(LabelsBuilder.errorDetailsLabel))
            }
            #expect(some.filter(keep) == all.filter(keep), "\(line) wanting \(wanted)")
        }
    }

    @Test func aPlainKeyGivesItsReadyLabel() {
        let w = LabelWants(["status", "level_extracted"])
        func label(_ key: String, baseHas: Set<String> = []) -> String? {
            Array(key.utf8).withUnsafeBytes { w.label(plainKey: $0, baseHas: { baseHas.contains($0) }) }
        }
        #expect(label("status") == "status")
        #expect(label("status", baseHas: ["status"]) == nil) // would be status_extracted: not wanted
        #expect(label("level") == nil) // would be level: not wanted
        #expect(label("level", baseHas: ["level"]) == "level_extracted")
        #expect(label("statu") == nil)
        #expect(label("statuses") == nil)
        #expect(label("") == nil)
    }
}
