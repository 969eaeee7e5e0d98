public import LogModel
public import LogQL
public import WritePath

extension Querier {
    /// One label as `detected_labels` reports it.
    public struct DetectedLabel: Sendable, Equatable {
        public var label: String
        public var cardinality: Int
    }

    /// Labels Loki keeps even when every value looks like an id.
    static let staticLabels: Set<String> = ["cluster", "namespace", "instance", "pod"]

    /// `/loki/api/v1/detected_labels`: the label names of the streams matching `matchers` (all
    /// streams when empty) with data in [start, end), and how many values each has — leaving out,
    /// as Loki does, labels whose values are all ids (numbers or UUIDs; `0`/`1` flags stay) unless
    /// they are `cluster`, `namespace`, `instance` or `pod`. Sorted by name.
    public func detectedLabels(tenant: TenantID, matchers: [LabelMatcher], start: Int64, end: Int64) -> [DetectedLabel] {
        var values: [String: Set<String>] = [:]
        for ls in labelSets(tenant: tenant, matchers: matchers, start: start, end: end) {
            for l in ls.labels { values[l.name, default: []].insert(l.value) }
        }
        return values.compactMap { name, set -> DetectedLabel? in
            if !Self.staticLabels.contains(name) && Self.allIDs(Array(set)) { return nil }
            return DetectedLabel(label: name, cardinality: set.count)
        }.sorted { $0.label < $1.label }
    }

    /// Loki's id test: more than two values (or any but `0`/`1`), each a number or a UUID.
    static func allIDs(_ values: [String]) -> Bool {
        if values.count <= 2 && values.allSatisfy({ $0 == "0" || $0 == "1" }) { return false }
        return values.allSatisfy { Double($0) != nil || isUUID($0) }
    }

    static func isUUID(_ s: String) -> Bool {
        var t = Substring(s)
        if t.hasPrefix("urn:uuid:") { t = t.dropFirst(9) }
        if t.hasPrefix("{") && t.hasSuffix("}") { t = t.dropFirst().dropLast() }
        let u = Array(t.utf8)
        let hex: (UInt8) -> Bool = { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
        if u.count == 32 { return u.allSatisfy(hex) }
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if [8, 13, 18, 23].contains(i) { if c != 0x2d { return false } } else if !hex(c) { return false }
        }
        return true
    }

    /// One field as `detected_fields` reports it, with the values seen.
    public struct DetectedField: Sendable {
        public var label: String
        public var type: String
        public var parsers: [String]
        public var values: Set<String>
    }

    /// `/loki/api/v1/detected_fields` and `detected_field/<name>/values`: the fields of the newest
    /// `lineLimit` lines the query selects in [start, end) — structured metadata, then what `json`
    /// (or, for lines that are not JSON, `logfmt`) extracts — each with the parsers that found it,
    /// the type its newest value looks like, and its values; at most `fieldLimit` fields, sorted.
    public func detectedFields(tenant: TenantID, query: LogQuery, start: Int64, end: Int64, lineLimit: Int, fieldLimit: Int,
                               deadline: QueryDeadline? = nil) throws(ParseError) -> [DetectedField] {
        let selection = try logQuery(tenant: tenant, query, start: start, end: end, limit: lineLimit, direction: .backward, deadline: deadline)
        var lines: [(LabelSet, LogEntry)] = []
        for s in selection.streams { for e in s.entries { lines.append((s.labels, e)) } }
        lines.sort { $0.1.timestamp > $1.1.timestamp }
        var fields: [String: DetectedField] = [:]
        func record(_ name: String, _ value: String, parser: String?) {
            if fields[name] == nil {
                guard fields.count < fieldLimit else { return }
                fields[name] = DetectedField(label: name, type: FieldDetector.type(of: value), parsers: [], values: [])
            }
            if let parser, !fields[name]!.parsers.contains(parser) { fields[name]!.parsers.append(parser) }
            fields[name]!.values.insert(value)
        }
        for (labels, e) in lines {
            for m in e.metadata { record(m.name, m.value, parser: nil) }
            guard let found = FieldDetector.fields(e.line, streamLabels: labels) else { continue }
            for f in found.fields { record(f.name, f.value, parser: found.parser) }
        }
        return fields.values.sorted { $0.label < $1.label }
    }
}
