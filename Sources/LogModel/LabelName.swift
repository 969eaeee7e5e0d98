/// Prometheus' (and Loki's) label-name rule, `[a-zA-Z_][a-zA-Z0-9_]*`: the one check every layer
/// that makes label names uses (LogQL's `label_replace`, the agent's relabeling and stages).
public enum LabelName {
    public static func isValid(_ s: String) -> Bool {
        guard let f = s.utf8.first, f == 0x5f || (f | 0x20 >= 0x61 && f | 0x20 <= 0x7a) else { return false }
        return s.utf8.allSatisfy { $0 == 0x5f || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}
