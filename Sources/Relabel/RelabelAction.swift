/// What a relabel rule does, under Prometheus' names (`action:` in a `relabel_configs` entry).
public enum RelabelAction: String, Sendable, CaseIterable {
    /// Sets `target_label` to `replacement` (captures expanded) when `regex` matches the joined source values.
    case replace
    /// Drops the target unless `regex` matches the joined source values.
    case keep
    /// Drops the target when `regex` matches the joined source values.
    case drop
    /// Drops the target unless the joined source values equal the value of `target_label`.
    case keepequal = "keepequal"
    /// Drops the target when the joined source values equal the value of `target_label`.
    case dropequal = "dropequal"
    /// Sets `target_label` to the MD5 of the joined source values modulo `modulus` (sharding).
    case hashmod
    /// Copies every label whose name matches `regex` to the name `replacement` makes of it.
    case labelmap
    /// Removes every label whose name matches `regex`.
    case labeldrop
    /// Removes every label whose name does not match `regex`.
    case labelkeep
    /// Sets `target_label` to the joined source values in lower case.
    case lowercase
    /// Sets `target_label` to the joined source values in upper case.
    case uppercase

    /// Parses an `action:` value; Prometheus accepts any letter case.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }
}
