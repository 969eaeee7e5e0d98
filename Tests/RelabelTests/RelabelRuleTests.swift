import Testing
@testable import Relabel

@Suite struct RelabelRuleTests {
    static let abc = ["a": "foo", "b": "bar", "c": "baz"]

    func rule(_ action: RelabelAction = .replace, source: [String] = [], separator: String? = nil, regex: String? = nil,
              modulus: UInt64? = nil, target: String? = nil, replacement: String? = nil) throws -> RelabelRule {
        var c = RelabelRule.Configuration()
        c.action = action
        c.sourceLabels = source
        c.separator = separator
        c.regex = regex
        c.modulus = modulus
        c.targetLabel = target
        c.replacement = replacement
        return try RelabelRule(c)
    }

    func run(_ labels: [String: String], _ rules: RelabelRule...) -> [String: String]? {
        Relabeling(rules).apply(labels)
    }

    @Test func replaceExpandsCapturesIntoTheTarget() throws {
        let r = try rule(source: ["a"], regex: "f(.*)", target: "d", replacement: "ch${1}-ch${1}")
        #expect(run(Self.abc, r) == ["a": "foo", "b": "bar", "c": "baz", "d": "choo-choo"])
    }

    @Test func replaceJoinsSourcesWithTheSeparator() throws {
        let r = try rule(source: ["a", "b"], regex: "f(.*);(.*)r", target: "a", replacement: "b${1}${2}m")
        #expect(run(Self.abc, r)?["a"] == "boobam")
        let slash = try rule(source: ["a", "b"], separator: "/", target: "job")
        #expect(run(Self.abc, slash)?["job"] == "foo/bar")
    }

    @Test func theRegexIsAnchoredAtBothEnds() throws {
        // "o" would match inside "foo" unanchored; anchored it does not, so nothing changes.
        let r = try rule(source: ["a"], regex: "o", target: "d", replacement: "x")
        #expect(run(Self.abc, r) == Self.abc)
        let alt = try rule(source: ["a"], regex: "x|fo+", target: "d", replacement: "y")
        #expect(run(Self.abc, alt)?["d"] == "y")
    }

    @Test func anEmptyResultRemovesTheTarget() throws {
        let r = try rule(source: ["a"], regex: "(f).*", target: "b", replacement: "${2}")
        #expect(run(Self.abc, r) == ["a": "foo", "c": "baz"])
    }

    @Test func aMissingSourceReadsAsEmpty() throws {
        // The seed's `action: drop, regex: ''` over a missing `__service__` drops the target.
        let drop = try rule(.drop, source: ["__service__"], regex: "")
        #expect(run(Self.abc, drop) == nil)
        #expect(run(["__service__": "web"], drop) == ["__service__": "web"])
    }

    @Test func templateReferences() throws {
        // $$ is a dollar; `$1x` names a group `1x` (empty); `${1}x` is group 1 then x; a lone $ stays.
        let cases: [(String, String)] = [("$$1", "$1"), ("$1x", ""), ("${1}x", "oox"), ("a$", "a$"), ("${1", "${1"), ("$0", "foo"), ("$01", ""), ("$name", "oo")]
        for (replacement, want) in cases {
            let r = try rule(source: ["a"], regex: "f(?P<name>.*)", target: "out", replacement: replacement)
            #expect(run(Self.abc, r)?["out"] == (want.isEmpty ? nil : want), "replacement \(replacement)")
        }
    }

    @Test func theTargetLabelCanBeATemplate() throws {
        let r = try rule(source: ["a"], regex: "(f)(.*)", target: "x_${2}", replacement: "$1")
        #expect(run(Self.abc, r)?["x_oo"] == "f")
        // A target that expands to an invalid name is skipped.
        let bad = try rule(source: ["b"], regex: "(.*)", target: "${1}", replacement: "v")
        #expect(run(["b": "1abc"], bad) == ["b": "1abc"])
    }

    @Test func keepAndDrop() throws {
        let keep = try rule(.keep, source: ["a"], regex: "f.*")
        #expect(run(Self.abc, keep) == Self.abc)
        #expect(run(["a": "bar"], keep) == nil)
        let drop = try rule(.drop, source: ["a"], regex: "f.*")
        #expect(run(Self.abc, drop) == nil)
        // The seed's controller-name rule: a ReplicaSet's pods end in a hash.
        let rs = try rule(.keep, source: ["ctl"], regex: "[0-9a-z-.]+-[0-9a-f]{8,10}")
        #expect(run(["ctl": "web-7d4b9c8f5d"], rs) != nil)
        #expect(run(["ctl": "web"], rs) == nil)
    }

    @Test func keepEqualAndDropEqual() throws {
        let keq = try rule(.keepequal, source: ["a"], target: "b")
        #expect(run(["a": "x", "b": "x"], keq) != nil)
        #expect(run(["a": "x", "b": "y"], keq) == nil)
        let deq = try rule(.dropequal, source: ["a"], target: "b")
        #expect(run(["a": "x", "b": "x"], deq) == nil)
        #expect(run(["a": "x"], deq) != nil)
    }

    @Test func hashmodUsesTheLow64BitsOfMD5() throws {
        // Values from Prometheus' own relabel tests and Python's hashlib.
        #expect(run(Self.abc, try rule(.hashmod, source: ["c"], modulus: 1000, target: "d"))?["d"] == "976")
        #expect(run(Self.abc, try rule(.hashmod, source: ["a"], modulus: 1000, target: "d"))?["d"] == "696")
        #expect(run(["x": "a", "y": "b"], try rule(.hashmod, source: ["x", "y"], modulus: 7, target: "d"))?["d"] == "2")
    }

    @Test func labelmapCopiesMatchingNames() throws {
        let r = try rule(.labelmap, regex: "__meta_kubernetes_pod_label_(.+)")
        let out = run(["__meta_kubernetes_pod_label_app": "web", "__meta_kubernetes_pod_label_tier": "fe", "x": "1"], r)
        #expect(out == ["__meta_kubernetes_pod_label_app": "web", "__meta_kubernetes_pod_label_tier": "fe", "x": "1", "app": "web", "tier": "fe"])
        let prefixed = try rule(.labelmap, regex: "(b.*)", replacement: "bar_${1}")
        #expect(run(Self.abc, prefixed) == ["a": "foo", "b": "bar", "c": "baz", "bar_b": "bar"])
    }

    @Test func labeldropAndLabelkeep() throws {
        #expect(run(Self.abc, try rule(.labeldrop, regex: "[ab]")) == ["c": "baz"])
        #expect(run(Self.abc, try rule(.labelkeep, regex: "[ab]")) == ["a": "foo", "b": "bar"])
    }

    @Test func caseActions() throws {
        #expect(run(["a": "MiXeD"], try rule(.lowercase, source: ["a"], target: "l"))?["l"] == "mixed")
        #expect(run(["a": "MiXeD"], try rule(.uppercase, source: ["a"], target: "u"))?["u"] == "MIXED")
    }

    @Test func badConfigurationsAreRefusedWithPrometheusWording() {
        #expect(throws: RelabelError("relabel configuration for hashmod requires non-zero modulus")) { try rule(.hashmod, source: ["a"], target: "d") }
        #expect(throws: RelabelError("relabel configuration for replace action requires 'target_label' value")) { try rule(source: ["a"]) }
        #expect(throws: RelabelError("\"1abc\" is invalid 'target_label' for replace action")) { try rule(source: ["a"], target: "1abc") }
        #expect(throws: RelabelError("\"a-b\" is invalid 'target_label' for lowercase action")) { try rule(.lowercase, source: ["a"], target: "a-b") }
        #expect(throws: RelabelError("labeldrop action requires only 'regex', and no other fields")) { try rule(.labeldrop, source: ["a"], regex: "x") }
        #expect(throws: RelabelError.self) { try rule(.keep, source: ["a"], regex: "(unclosed") }
        #expect(throws: RelabelError.self) { try Relabeling(configurations: [RelabelRule.Configuration(), RelabelRule.Configuration()]) }
        #expect(RelabelAction(name: "LabelMap") == .labelmap)
        #expect(RelabelAction(name: "rename") == nil)
    }
}
