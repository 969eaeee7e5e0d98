/// One log line on its way through a target's pipeline: Promtail's `Entry` — the stream's labels,
/// the values stages extracted (kept as text, as Promtail turns them into strings when used),
/// the timestamp (Unix nanoseconds; the time of reading until a `timestamp` stage sets it) and the line.
public struct AgentEntry: Sendable, Equatable {
    public var labels: LabelMap
    public var extracted: LabelMap
    public var timestamp: Int64
    public var line: String
    /// Where the entry's (first) line starts in its file: what a stage holding it reports as `heldFrom`.
    public var offset: Int64

    public init(labels: LabelMap, extracted: LabelMap = [:], timestamp: Int64, line: String, offset: Int64 = 0) {
        self.labels = labels
        self.extracted = extracted
        self.timestamp = timestamp
        self.line = line
        self.offset = offset
    }

    /// Promtail's reserved label naming the tenant an entry is sent as (set by the `tenant` stage).
    public static let tenantLabel = "__tenant_id__"

    /// The value a stage's `source` names: an extracted value, or the line when `source` is empty.
    func source(_ name: String?) -> String? {
        guard let name, !name.isEmpty else { return line }
        return extracted[name]
    }
}
