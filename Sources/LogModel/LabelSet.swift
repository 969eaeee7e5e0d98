/// One label: a name and its value.
public struct Label: Hashable, Sendable, Comparable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public static func < (a: Label, b: Label) -> Bool {
        a.name == b.name ? a.value < b.value : a.name < b.name
    }
}

/// A stream's identity: labels sorted by name. `canonical` is the one string form used as the
/// stream's key everywhere (maps, the WAL, query answers): `{a="1", b="2"}` with Go-style escapes.
public struct LabelSet: Hashable, Sendable, CustomStringConvertible {
    public let labels: [Label]
    public let canonical: String

    /// Sorts `labels` by name; duplicate names are the caller's to reject (see `duplicateName`).
    public init(_ labels: [Label]) {
        let sorted = labels.sorted()
        self.labels = sorted
        self.canonical = LabelSet.render(sorted)
    }

    public var description: String { canonical }
    public var isEmpty: Bool { labels.isEmpty }
    public var count: Int { labels.count }

    public subscript(name: String) -> String? {
        labels.first(where: { $0.name == name })?.value
    }

    /// The first name that appears twice, if any (labels are sorted, so duplicates are adjacent).
    public var duplicateName: String? {
        var previous: String?
        for l in labels {
            if l.name == previous { return l.name }
            previous = l.name
        }
        return nil
    }

    public static func == (a: LabelSet, b: LabelSet) -> Bool { a.canonical == b.canonical }
    public func hash(into h: inout Hasher) { h.combine(canonical) }

    static func render(_ labels: [Label]) -> String {
        var s = "{"
        for (i, l) in labels.enumerated() {
            if i > 0 { s += ", " }
            s += l.name
            s += "=\""
            appendEscaped(l.value, to: &s)
            s += "\""
        }
        s += "}"
        return s
    }

    /// Escapes a label value the way Prometheus/Loki print it (Go's strconv.Quote subset for labels).
    static func appendEscaped(_ v: String, to s: inout String) {
        var needs = false
        for b in v.utf8 where b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == UInt8(ascii: "\n") {
            needs = true
            break
        }
        if !needs {
            s += v
            return
        }
        for ch in v.unicodeScalars {
            switch ch {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            default: s.unicodeScalars.append(ch)
            }
        }
    }
}
