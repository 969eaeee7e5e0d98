public import LogModel

/// One line's labels as a pipeline works on them: the stream's labels, labels parsers added (the
/// newest value of a name wins), labels removed, and the pipeline error if any. Mirrors Loki's
/// builder so stages see exactly what Loki's see: an added label shadows a stream label of the same
/// name, a removed one is gone unless added again.
public struct LabelsBuilder: Sendable {
    public static let errorLabel = "__error__"
    public static let errorDetailsLabel = "__error_details__"

    public let base: LabelSet
    private(set) var added: [Label] = []
    private(set) var deleted: [String] = []
    public private(set) var error: String?
    public private(set) var errorDetails: String?
    /// Whether the pipeline dropped a line of this stream that `| json` could not open as an
    /// object, when the stream's labels alone decide that (see `Pipeline.Program.judgedByStream`);
    /// nil until such a line was judged. Kept by `reset()`: it belongs to the stream, not the
    /// line — so a builder serves one stream and one pipeline.
    var nonObjectDropped: Bool?

    public init(_ base: LabelSet) { self.base = base }

    /// Back to the stream's labels alone, keeping the storage for the next line.
    public mutating func reset() {
        if !added.isEmpty { added.removeAll(keepingCapacity: true) }
        if !deleted.isEmpty { deleted.removeAll(keepingCapacity: true) }
        if error != nil { error = nil }
        if errorDetails != nil { errorDetails = nil }
    }

    /// Whether the labels are still the stream's (nothing added, removed or marked).
    public var isUnchanged: Bool { added.isEmpty && deleted.isEmpty && error == nil && errorDetails == nil }

    public func baseHas(_ name: String) -> Bool { base[name] != nil }

    public func get(_ name: String) -> String? {
        if let a = added.first(where: { $0.name == name }) { return a.value }
        if deleted.contains(name) { return nil }
        return base[name]
    }

    public mutating func set(_ name: String, _ value: String) {
        if let i = added.firstIndex(where: { $0.name == name }) {
            added[i] = Label(name, value)
        } else {
            added.append(Label(name, value))
        }
    }

    public mutating func delete(_ name: String) {
        added.removeAll { $0.name == name }
        deleted.append(name)
    }

    public mutating func setError(_ error: String, details: String? = nil) {
        self.error = error
        if let details { errorDetails = details }
    }

    public mutating func clearError() {
        error = nil
        errorDetails = nil
    }

    /// Every visible label, errors included, sorted by name (Loki's result labels).
    public var labels: LabelSet {
        if isUnchanged { return base }
        return LabelSet(visible)
    }

    /// The visible labels, unsorted: stream labels not removed or shadowed, added ones, errors.
    var visible: [Label] {
        var out: [Label] = []
        out.reserveCapacity(base.count + added.count + 2)
        for l in base.labels where !deleted.contains(l.name) && !added.contains(where: { $0.name == l.name }) { out.append(l) }
        out += added
        if let error { out.append(Label(Self.errorLabel, error)) }
        if let errorDetails { out.append(Label(Self.errorDetailsLabel, errorDetails)) }
        return out
    }

    /// Drops every visible label for which `drop` is true (errors included, by their names).
    mutating func removeAll(where drop: (Label) -> Bool) {
        for l in visible where drop(l) {
            switch l.name {
            case Self.errorLabel: error = nil
            case Self.errorDetailsLabel: errorDetails = nil
            default: delete(l.name)
            }
        }
    }
}
