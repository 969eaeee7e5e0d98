public import LogModel

/// Postings over the streams in memory (label name → value → stream keys), so a query's matchers
/// select streams by intersecting sets instead of testing every stream. Owned by `TenantHeads` and
/// guarded by its lock.
struct HeadIndex {
    private var postings: [String: [String: Set<String>]] = [:]

    mutating func insert(_ key: String, _ labels: LabelSet) {
        for l in labels.labels { postings[l.name, default: [:]][l.value, default: []].insert(key) }
    }

    mutating func remove(_ key: String, _ labels: LabelSet) {
        for l in labels.labels {
            postings[l.name]?[l.value]?.remove(key)
            if postings[l.name]?[l.value]?.isEmpty == true { postings[l.name]?[l.value] = nil }
            if postings[l.name]?.isEmpty == true { postings[l.name] = nil }
        }
    }

    /// Keys of the streams matching every matcher. Matchers that reject the empty value select
    /// through the postings; with none of those, `all` is the candidate set. The remaining matchers
    /// are checked against each candidate's labels by the caller-supplied `labels`.
    func select(_ matchers: [LabelMatcher], all: () -> [String], labels: (String) -> LabelSet?) -> [String] {
        var candidates: Set<String>?
        for m in matchers where !m.matchesEmpty {
            var union = Set<String>()
            for (value, keys) in postings[m.name] ?? [:] where m.matches(value: value) { union.formUnion(keys) }
            candidates = candidates.map { $0.intersection(union) } ?? union
            if candidates!.isEmpty { return [] }
        }
        let rest = matchers.filter(\.matchesEmpty)
        let keys = candidates.map(Array.init) ?? all()
        if rest.isEmpty { return keys }
        return keys.filter { k in labels(k).map { rest.matches($0) } ?? false }
    }
}
