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
