/// One log line on its way through a target's pipeline: Promtail's `Entry` — the stream's labels,
/// the values stages extracted (kept as text, as Promtail turns them into strings when used),
/// the timestamp (Unix nanoseconds; the time of reading until a `timestamp` stage sets it) and the line.
public struct AgentEntry: Sendable, Equatable {
    public var labels: LabelMap
    public var extracted: LabelMap
    public var timestamp: Int64
    public var line: String

    public init(labels: LabelMap, extracted: LabelMap = [:], timestamp: Int64, line: String) {
        self.labels = labels
        self.extracted = extracted
        self.timestamp = timestamp
        self.line = line
    }

    /// Promtail's reserved label naming the tenant an entry is sent as (set by the `tenant` stage).
    public static let tenantLabel = "__tenant_id__"

    /// The value a stage's `source` names: an extracted value, or the line when `source` is empty.
    func source(_ name: String?) -> String? {
        guard let name, !name.isEmpty else { return line }
        return extracted[name]
    }
}
