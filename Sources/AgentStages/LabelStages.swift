/// `labels`: sets labels from extracted values (`name: source`, an empty source meaning the name
/// itself). A missing or empty value sets nothing; a value that is not valid UTF-8 cannot occur
/// (extracted values are Swift strings).
struct LabelsStage: Stage {
    let pairs: [(name: String, source: String)]

    init(_ settings: StageSettings) throws(StageError) {
        let raw = try StageConfigReader.pairs(settings, what: "labels")
        guard !raw.isEmpty else { throw StageError("line \(settings.line): the labels stage needs at least one label") }
        for (n, _) in raw where !LabelNames.isValid(n) {
            throw StageError("line \(settings.line): labels stage: invalid label name \"\(n)\"")
        }
        pairs = raw.map { ($0.0, $0.1.isEmpty ? $0.0 : $0.1) }
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        for (name, source) in pairs {
            if let v = e.extracted[source], !v.isEmpty { e.labels[name] = v }
        }
        return .keep
    }
}

/// `static_labels`: sets fixed labels.
struct StaticLabelsStage: Stage {
    let pairs: [(String, String)]

    init(_ settings: StageSettings) throws(StageError) {
        pairs = try StageConfigReader.pairs(settings, what: "static_labels")
        for (n, _) in pairs where !LabelNames.isValid(n) {
            throw StageError("line \(settings.line): static_labels stage: invalid label name \"\(n)\"")
        }
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        for (n, v) in pairs { e.labels[n] = v.isEmpty ? nil : v }
        return .keep
    }
}

/// `labeldrop` (remove the listed labels) and `labelallow` (keep only the listed labels).
struct LabelListStage: Stage {
    let names: Set<String>
    let allow: Bool

    init(_ settings: StageSettings, allow: Bool) throws(StageError) {
        let stage = allow ? "labelallow" : "labeldrop"
        guard case .list(let items) = settings.value else {
            throw StageError("line \(settings.line): the \(stage) stage wants a list of label names")
        }
        var names = Set<String>()
        for i in items {
            guard let s = i.scalar else { throw StageError("line \(i.line): items of \(stage) must be label names") }
            names.insert(s)
        }
        self.names = names
        self.allow = allow
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        if allow {
            e.labels.removeAll { !names.contains($0.key) && !$0.key.hasPrefix("__") }
        } else {
            for k in names { e.labels[k] = nil }
        }
        return .keep
    }
}

/// `output`: the line becomes an extracted value.
struct OutputStage: Stage {
    let source: String

    init(_ settings: StageSettings) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "output")
        guard let s = try r.string("source"), !s.isEmpty else { throw StageError("line \(settings.line): the output stage needs a source") }
        source = s
        try r.finish()
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        if let v = e.extracted[source] { e.line = v }
        return .keep
    }
}

/// `tenant`: sends the entry as another tenant — from an extracted value (`source`), a label
/// (`label`) or a fixed `value`.
struct TenantStage: Stage {
    enum From { case source(String), label(String), value(String) }
    let from: From

    init(_ settings: StageSettings) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "tenant")
        let s = try r.string("source"), l = try r.string("label"), v = try r.string("value")
        try r.finish()
        switch (s, l, v) {
        case (let s?, nil, nil): from = .source(s)
        case (nil, let l?, nil): from = .label(l)
        case (nil, nil, let v?): from = .value(v)
        default: throw StageError("line \(settings.line): the tenant stage needs exactly one of source, label and value")
        }
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        let tenant: String?
        switch from {
        case .source(let s): tenant = e.extracted[s]
        case .label(let l): tenant = e.labels[l]
        case .value(let v): tenant = v
        }
        if let tenant, !tenant.isEmpty { e.labels[AgentEntry.tenantLabel] = tenant }
        return .keep
    }
}

/// Prometheus' label-name rule, for the stages that set labels.
public enum LabelNames {
    public static func isValid(_ s: String) -> Bool {
        guard let f = s.utf8.first, f == UInt8(ascii: "_") || (f | 0x20 >= 97 && f | 0x20 <= 122) else { return false }
        return s.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) || ($0 >= 48 && $0 <= 57) }
    }
}
