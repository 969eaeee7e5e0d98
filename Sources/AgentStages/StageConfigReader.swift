/// Reads one stage's settings strictly: each key taken once by a typed getter; `finish()` refuses
/// any key left, naming the stage, the key and its line.
struct StageConfigReader {
    let stage: String
    let line: Int
    private var entries: [(key: String, value: StageSettings)] = []
    private var taken = Set<String>()

    init(_ settings: StageSettings, stage: String) throws(StageError) {
        self.stage = stage
        self.line = settings.line
        switch settings.value {
        case .null: break
        case .map(let m): entries = m
        default: throw StageError("line \(settings.line): the \(stage) stage wants a mapping of settings")
        }
    }

    var isEmpty: Bool { entries.isEmpty }

    mutating func value(_ key: String) -> StageSettings? {
        guard let e = entries.first(where: { $0.key == key }) else { return nil }
        taken.insert(key)
        return e.value.isNull ? nil : e.value
    }

    mutating func string(_ key: String) throws(StageError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.scalar else { throw StageError("line \(v.line): \(stage).\(key) wants a single value") }
        return s
    }

    mutating func int(_ key: String) throws(StageError) -> Int? {
        guard let s = try string(key) else { return nil }
        guard let n = Int(s) else { throw StageError("line \(line): \(stage).\(key) wants an integer, got \"\(s)\"") }
        return n
    }

    mutating func bool(_ key: String) throws(StageError) -> Bool? {
        guard let s = try string(key) else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw StageError("line \(line): \(stage).\(key) wants true or false, got \"\(s)\"")
        }
    }

    mutating func strings(_ key: String) throws(StageError) -> [String]? {
        guard let v = value(key) else { return nil }
        if let s = v.scalar { return [s] }
        guard case .list(let items) = v.value else { throw StageError("line \(v.line): \(stage).\(key) wants a list of strings") }
        var out: [String] = []
        for i in items {
            guard let s = i.scalar else { throw StageError("line \(i.line): items of \(stage).\(key) must be strings") }
            out.append(s)
        }
        return out
    }

    /// A mapping of names to (possibly empty) values, in the order written.
    mutating func pairs(_ key: String) throws(StageError) -> [(String, String)]? {
        guard let v = value(key) else { return nil }
        return try Self.pairs(v, what: "\(stage).\(key)")
    }

    static func pairs(_ v: StageSettings, what: String) throws(StageError) -> [(String, String)] {
        switch v.value {
        case .null: return []
        case .map(let m):
            var out: [(String, String)] = []
            for (k, x) in m {
                switch x.value {
                case .null: out.append((k, ""))
                case .scalar(let s): out.append((k, s))
                default: throw StageError("line \(x.line): \(what).\(k) wants a single value")
                }
            }
            return out
        default: throw StageError("line \(v.line): \(what) wants a mapping of names to values")
        }
    }

    func finish() throws(StageError) {
        for e in entries where !taken.contains(e.key) {
            throw StageError("line \(e.value.line): unknown key \"\(e.key)\" in the \(stage) stage")
        }
    }
}
