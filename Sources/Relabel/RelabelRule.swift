public import Codecs
import LogModel

/// One `relabel_configs` entry, checked and compiled: Prometheus' relabeling semantics exactly
/// (the regex is anchored at both ends, source values are joined with `separator`, a missing
/// label reads as empty, `replace` with an empty result removes the target).
public struct RelabelRule: Sendable {
    /// The entry as written; nil means "not set" (Prometheus' defaults apply, and some actions
    /// refuse fields that are set).
    public struct Configuration: Sendable, Equatable {
        public var sourceLabels: [String] = []
        public var separator: String?
        public var regex: String?
        public var modulus: UInt64?
        public var targetLabel: String?
        public var replacement: String?
        public var action: RelabelAction = .replace
        public init() {}
    }

    public static let defaultSeparator = ";"
    public static let defaultRegex = "(.*)"
    public static let defaultReplacement = "$1"

    public let configuration: Configuration
    let regex: RE2Regex
    let groupNames: [String]
    let separator: String
    let target: RegexTemplate
    let replacement: RegexTemplate
    let targetLabel: String
    let replacementText: String

    public init(_ c: Configuration) throws(RelabelError) {
        configuration = c
        separator = c.separator ?? Self.defaultSeparator
        targetLabel = c.targetLabel ?? ""
        replacementText = c.replacement ?? Self.defaultReplacement
        let pattern = c.regex ?? Self.defaultRegex
        do {
            regex = try RE2Regex("^(?:" + pattern + ")$")
        } catch {
            throw RelabelError("invalid regex \(GoQuote.quote(pattern)) in relabel config: \(error)")
        }
        groupNames = regex.captureNames
        target = RegexTemplate(targetLabel)
        replacement = RegexTemplate(replacementText)
        try validate()
    }

    private func validate() throws(RelabelError) {
        let c = configuration, a = c.action.rawValue
        let needsTarget: Set<RelabelAction> = [.replace, .hashmod, .lowercase, .uppercase, .keepequal, .dropequal]
        if c.action == .hashmod && (c.modulus ?? 0) == 0 {
            throw RelabelError("relabel configuration for hashmod requires non-zero modulus")
        }
        if needsTarget.contains(c.action) && targetLabel.isEmpty {
            throw RelabelError("relabel configuration for \(a) action requires 'target_label' value")
        }
        if c.action == .replace && !Self.isTargetTemplate(targetLabel) {
            throw RelabelError("\(GoQuote.quote(targetLabel)) is invalid 'target_label' for \(a) action")
        }
        if [.lowercase, .uppercase, .keepequal, .dropequal, .hashmod].contains(c.action) && !LabelName.isValid(targetLabel) {
            throw RelabelError("\(GoQuote.quote(targetLabel)) is invalid 'target_label' for \(a) action")
        }
        if [.keepequal, .dropequal].contains(c.action) && (c.regex != nil || c.modulus != nil || c.replacement != nil || c.separator != nil) {
            throw RelabelError("\(a) action requires only 'source_labels' and `target_label`, and no other fields")
        }
        if c.action == .labeldrop || c.action == .labelkeep {
            if !c.sourceLabels.isEmpty || c.separator != nil || c.targetLabel != nil || c.modulus != nil || c.replacement != nil {
                throw RelabelError("\(a) action requires only 'regex', and no other fields")
            }
        }
    }

    /// Applies the rule to `labels`; false when the target is dropped.
    public func apply(to labels: inout [String: String]) -> Bool {
        let c = configuration
        var value = ""
        for (i, name) in c.sourceLabels.enumerated() {
            if i > 0 { value += separator }
            value += labels[name] ?? ""
        }
        switch c.action {
        case .drop: return !matches(value)
        case .keep: return matches(value)
        case .dropequal: return (labels[targetLabel] ?? "") != value
        case .keepequal: return (labels[targetLabel] ?? "") == value
        case .replace:
            let bytes = Array(value.utf8)
            guard let groups = groups(bytes) else { return true }
            let name = target.expand(bytes, groups: groups, names: groupNames)
            guard LabelName.isValid(name) else { return true }
            let result = replacement.expand(bytes, groups: groups, names: groupNames)
            labels[name] = result.isEmpty ? nil : result
        case .lowercase: labels[targetLabel] = value.lowercased()
        case .uppercase: labels[targetLabel] = value.uppercased()
        case .hashmod:
            let digest = MD5.digest(Array(value.utf8))
            let low = digest[8...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            labels[targetLabel] = String(low % (c.modulus ?? 1))
        case .labelmap:
            for (name, v) in labels.sorted(by: { $0.key < $1.key }) {
                let bytes = Array(name.utf8)
                guard let groups = groups(bytes) else { continue }
                labels[replacement.expand(bytes, groups: groups, names: groupNames)] = v
            }
        case .labeldrop:
            for name in Array(labels.keys) where matches(name) { labels[name] = nil }
        case .labelkeep:
            for name in Array(labels.keys) where !matches(name) { labels[name] = nil }
        }
        return true
    }

    private func matches(_ s: String) -> Bool { regex.matchesWhole(s) }

    private func groups(_ bytes: [UInt8]) -> [Range<Int>?]? {
        bytes.withUnsafeBytes { regex.match($0, from: 0, groups: groupNames.count) }
    }

    /// What Prometheus allows as a `replace` target before expansion: label-name characters and
    /// `$name` / `${name}` references, not starting with a digit.
    static func isTargetTemplate(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard !b.isEmpty else { return false }
        func word(_ c: UInt8) -> Bool { c == UInt8(ascii: "_") || isLetter(c) || (c >= 48 && c <= 57) }
        var i = 0
        var sawStart = false
        while i < b.count {
            if b[i] == UInt8(ascii: "$") {
                var j = i + 1
                if j < b.count && b[j] == UInt8(ascii: "{") {
                    j += 1
                    let start = j
                    while j < b.count && word(b[j]) { j += 1 }
                    guard j > start, j < b.count, b[j] == UInt8(ascii: "}") else { return false }
                    i = j + 1
                } else {
                    let start = j
                    while j < b.count && word(b[j]) { j += 1 }
                    guard j > start else { return false }
                    i = j
                }
                sawStart = true
            } else if word(b[i]) {
                if !sawStart && b[i] >= 48 && b[i] <= 57 { return false }
                sawStart = true
                i += 1
            } else {
                return false
            }
        }
        return true
    }

    private static func isLetter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
}
