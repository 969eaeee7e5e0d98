/// A target's `relabel_configs`, applied in order: the labels that come out, or nil when a rule
/// dropped the target. Immutable and safe to share between discovery threads.
public struct Relabeling: Sendable {
    public let rules: [RelabelRule]

    public init(_ rules: [RelabelRule]) { self.rules = rules }

    /// Compiles every entry; the first that cannot work is reported with its position (1-based).
    public init(configurations: [RelabelRule.Configuration]) throws(RelabelError) {
        var rules: [RelabelRule] = []
        for (i, c) in configurations.enumerated() {
            do {
                rules.append(try RelabelRule(c))
            } catch {
                throw RelabelError("relabel_configs entry \(i + 1): \(error.message)")
            }
        }
        self.rules = rules
    }

    public func apply(_ labels: [String: String]) -> [String: String]? {
        var labels = labels
        for r in rules where !r.apply(to: &labels) { return nil }
        return labels
    }
}
