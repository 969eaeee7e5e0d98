public import LogModel
import Codecs

/// `label_replace(v, "dst", "replacement", "src", "regex")`, Prometheus's function as Loki runs
/// it: where the source label's value matches the (fully anchored) regex, the destination label
/// becomes the expanded replacement (`$1`, `${name}`), or is removed when that is empty; series
/// that do not match are unchanged.
public struct LabelReplace: Sendable, Equatable, CustomStringConvertible {
    public let inner: MetricExpr
    public let destination: String
    public let replacement: String
    public let source: String
    public let regex: String

    public init(inner: MetricExpr, destination: String, replacement: String, source: String, regex: String) {
        self.inner = inner
        self.destination = destination
        self.replacement = replacement
        self.source = source
        self.regex = regex
    }

    /// As Loki prints it: `label_replace(<expr>,"dst","repl","src","regex")`.
    public var description: String {
        "label_replace(" + inner.description + "," + [destination, replacement, source, regex].map(GoQuote.quote).joined(separator: ",") + ")"
    }

    static func anchored(_ regex: String) -> String { "^(?:" + regex + ")$" }

    /// Prometheus label names: `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isValidName(_ s: String) -> Bool { LabelName.isValid(s) }

    /// The regex compiled (it was checked at parse time) with a cache of label sets already seen.
    func compiled() -> Replacer { Replacer(self) }

    final class Replacer {
        let spec: LabelReplace
        let regex: GoRegexp?
        var cache: [LabelSet: LabelSet] = [:]

        init(_ spec: LabelReplace) {
            self.spec = spec
            regex = try? GoRegexp(LabelReplace.anchored(spec.regex))
        }

        func apply(_ labels: LabelSet) -> LabelSet {
            if let done = cache[labels] { return done }
            var out = labels
            let src = labels[spec.source] ?? ""
            if let regex, let m = regex.matches(src, limit: 1).first {
                let value = String(decoding: regex.expand(spec.replacement, m, in: Array(src.utf8)), as: UTF8.self)
                var list = labels.labels.filter { $0.name != spec.destination }
                if !value.isEmpty { list.append(Label(spec.destination, value)) }
                out = LabelSet(list)
            }
            cache[labels] = out
            return out
        }
    }
}
