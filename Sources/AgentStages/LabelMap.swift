/// A small name → value map kept as an array sorted by name: what an entry's labels and
/// extracted values are. A log line has a handful of each, so a linear scan beats hashing, a copy
/// is one array, and two maps compare (and render) without sorting.
public struct LabelMap: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public typealias Element = (key: String, value: String)
    private var pairs: [Element] = []

    public init() {}

    public init(_ dict: [String: String]) {
        pairs = dict.map { (key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
    }

    /// A map of `pairs` already sorted by name, each name once (a stage that sets several values at once).
    init(sortedUnique pairs: [Element]) { self.pairs = pairs }

    public init(dictionaryLiteral elements: (String, String)...) {
        for (k, v) in elements { self[k] = v }
    }

    public subscript(name: String) -> String? {
        get {
            for p in pairs where p.key == name { return p.value }
            return nil
        }
        set {
            var i = 0
            while i < pairs.count, pairs[i].key < name { i += 1 }
            if i < pairs.count, pairs[i].key == name {
                if let newValue { pairs[i].value = newValue } else { pairs.remove(at: i) }
            } else if let newValue {
                // A copy made to add a pair gets room for a few more: stages add labels one by one.
                if pairs.count == pairs.capacity { pairs.reserveCapacity(pairs.count + 4) }
                pairs.insert((key: name, value: newValue), at: i)
            }
        }
    }

    @discardableResult
    public mutating func removeValue(forKey name: String) -> String? {
        let old = self[name]
        if old != nil { self[name] = nil }
        return old
    }

    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }
    public var keys: [String] { pairs.map(\.key) }

    public func makeIterator() -> IndexingIterator<[Element]> { pairs.makeIterator() }

    /// Keeps the pairs `keep` accepts.
    public mutating func removeAll(where remove: (Element) -> Bool) { pairs.removeAll(where: remove) }

    public var dictionary: [String: String] { Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.value) }) }

    public static func == (a: LabelMap, b: LabelMap) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into h: inout Hasher) {
        for p in pairs { h.combine(p.key); h.combine(p.value) }
    }

    public var description: String { "[" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "]" }
}
