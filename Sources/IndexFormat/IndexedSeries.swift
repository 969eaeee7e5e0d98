public import LogModel

/// One stream in an index table: its labels and its chunks, ordered by min time.
public struct IndexedSeries: Sendable, Equatable {
    public var labels: LabelSet
    public var chunks: [IndexedChunk]

    public init(labels: LabelSet, chunks: [IndexedChunk]) {
        self.labels = labels
        self.chunks = chunks
    }

    /// Label sets sort pair by pair (name, then value, bytewise), a shorter prefix first.
    static func ordered(_ a: LabelSet, _ b: LabelSet) -> Bool {
        for (x, y) in zip(a.labels, b.labels) {
            if x.name != y.name { return x.name.utf8.lexicographicallyPrecedes(y.name.utf8) }
            if x.value != y.value { return x.value.utf8.lexicographicallyPrecedes(y.value.utf8) }
        }
        return a.labels.count < b.labels.count
    }
}
