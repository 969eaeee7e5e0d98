import Foundation
import LogModel
import Yams

/// Reads one YAML mapping of Promtail's config strictly: each key is taken once by a typed getter,
/// and `finish()` refuses any key nobody took (naming it, its path and line, as Promtail's strict
/// unmarshal refuses it). Keys Skald accepts without acting on them are taken by `accept(_:why:)`,
/// which records one warning per key.
struct YAMLMapping {
    let path: String
    let line: Int
    private var entries: [(key: String, node: Node)] = []
    private var taken = Set<String>()
    /// Shared with nested readers: the warnings the whole load collected.
    let warnings: WarningSink

    final class WarningSink {
        var messages: [String] = []
    }

    init(_ node: Node, path: String, warnings: WarningSink) throws(AgentConfigError) {
        self.path = path
        self.line = Self.line(node)
        self.warnings = warnings
        if case .scalar(let s) = node, Self.isNull(s) { return }
        guard case .mapping(let m) = node else {
            throw AgentConfigError("line \(Self.line(node)): \(path.isEmpty ? "the config" : "\"\(path)\"") must be a mapping of keys")
        }
        for (k, v) in m {
            guard case .scalar(let ks) = k else { throw AgentConfigError("line \(Self.line(k)): config keys must be plain strings") }
            if entries.contains(where: { $0.key == ks.string }) {
                throw AgentConfigError("line \(Self.line(k)): key \"\(qualified(ks.string))\" is given twice")
            }
            entries.append((ks.string, v))
        }
    }

    static func line(_ n: Node) -> Int { (n.mark?.line) ?? 0 }
    /// A YAML null: an unquoted empty value, `~` or `null`. A quoted `''` is an empty string, not
    /// null — the seed's `regex: ''` (drop targets whose value is empty) depends on the difference.
    static func isNull(_ s: Node.Scalar) -> Bool {
        (s.style == .plain || s.style == .any) && (s.string.isEmpty || ["~", "null", "Null", "NULL"].contains(s.string))
    }

    func qualified(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    var keys: [String] { entries.map(\.key) }

    /// The node under `key` (marked as taken), nil when absent or null.
    mutating func node(_ key: String) -> Node? {
        guard let e = entries.first(where: { $0.key == key }) else { return nil }
        taken.insert(key)
        if case .scalar(let s) = e.node, Self.isNull(s) { return nil }
        return e.node
    }

    mutating func scalar(_ key: String) throws(AgentConfigError) -> (String, Int)? {
        guard let n = node(key) else { return nil }
        guard case .scalar(let s) = n else {
            throw AgentConfigError("line \(Self.line(n)): \"\(qualified(key))\" wants a single value, got a \(n.mapping != nil ? "mapping" : "list")")
        }
        return (s.string, Self.line(n))
    }

    mutating func string(_ key: String) throws(AgentConfigError) -> String? { try scalar(key)?.0 }

    mutating func int(_ key: String) throws(AgentConfigError) -> Int? {
        guard let (s, l) = try scalar(key) else { return nil }
        guard let v = Int(s.trimmingCharacters(in: .whitespaces)) else {
            throw AgentConfigError("line \(l): \"\(qualified(key))\" wants an integer, got \"\(s)\"")
        }
        return v
    }

    mutating func bool(_ key: String) throws(AgentConfigError) -> Bool? {
        guard let (s, l) = try scalar(key) else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw AgentConfigError("line \(l): \"\(qualified(key))\" wants true or false, got \"\(s)\"")
        }
    }

    /// A Go/Prometheus duration (`500ms`, `5m`, `1h30m`, `7d`), in nanoseconds.
    mutating func duration(_ key: String) throws(AgentConfigError) -> Int64? {
        guard let (s, l) = try scalar(key) else { return nil }
        let t = s.trimmingCharacters(in: .whitespaces)
        if t == "0" { return 0 }
        guard let v = TimeParser.configDuration(t) else {
            throw AgentConfigError("line \(l): \"\(qualified(key))\" wants a duration like 500ms, 10s or 5m, got \"\(s)\"")
        }
        return v
    }

    /// A byte size: a plain number or with a unit (`1MB`, `512KiB`; powers of 1024, as Promtail's flagext).
    mutating func bytes(_ key: String) throws(AgentConfigError) -> Int? {
        guard let (s, l) = try scalar(key) else { return nil }
        guard let v = ConfigBytes.parse(s) else {
            throw AgentConfigError("line \(l): \"\(qualified(key))\" wants a byte size like 1048576 or 1MB, got \"\(s)\"")
        }
        return v
    }

    /// A list of plain strings (`source_labels`, `targets`, `files`).
    mutating func strings(_ key: String) throws(AgentConfigError) -> [String]? {
        guard let n = node(key) else { return nil }
        if case .scalar(let s) = n { return [s.string] }  // Prometheus also takes a single value
        guard case .sequence(let seq) = n else {
            throw AgentConfigError("line \(Self.line(n)): \"\(qualified(key))\" wants a list of strings")
        }
        var out: [String] = []
        for item in seq {
            guard case .scalar(let s) = item else {
                throw AgentConfigError("line \(Self.line(item)): items of \"\(qualified(key))\" must be strings")
            }
            out.append(s.string)
        }
        return out
    }

    /// A mapping of strings to strings (`labels`, `external_labels`, `headers`).
    mutating func stringMap(_ key: String) throws(AgentConfigError) -> [String: String]? {
        guard let n = node(key) else { return nil }
        guard case .mapping(let m) = n else {
            throw AgentConfigError("line \(Self.line(n)): \"\(qualified(key))\" wants a mapping of names to values")
        }
        var out: [String: String] = [:]
        for (k, v) in m {
            guard case .scalar(let ks) = k else { throw AgentConfigError("line \(Self.line(k)): keys of \"\(qualified(key))\" must be strings") }
            switch v {
            case .scalar(let vs): out[ks.string] = Self.isNull(vs) ? "" : vs.string
            default: throw AgentConfigError("line \(Self.line(v)): \"\(qualified(key)).\(ks.string)\" wants a single value")
            }
        }
        return out
    }

    /// A nested mapping, read by its own strict reader.
    mutating func mapping(_ key: String) throws(AgentConfigError) -> YAMLMapping? {
        guard let n = node(key) else { return nil }
        return try YAMLMapping(n, path: qualified(key), warnings: warnings)
    }

    /// A list of mappings, each read by its own strict reader.
    mutating func mappings(_ key: String) throws(AgentConfigError) -> [YAMLMapping] {
        guard let n = node(key) else { return [] }
        guard case .sequence(let seq) = n else {
            throw AgentConfigError("line \(Self.line(n)): \"\(qualified(key))\" wants a list")
        }
        var out: [YAMLMapping] = []
        for item in seq { out.append(try YAMLMapping(item, path: qualified(key) + "[]", warnings: warnings)) }
        return out
    }

    /// Takes `key` without acting on it: one warning saying so, and why.
    mutating func accept(_ key: String, why: String) {
        guard let e = entries.first(where: { $0.key == key }) else { return }
        taken.insert(key)
        warnings.messages.append("config key \"\(qualified(key))\" (line \(Self.line(e.node))) is accepted but has no effect: \(why)")
    }

    /// Refuses the first key no getter took.
    func finish() throws(AgentConfigError) {
        for e in entries where !taken.contains(e.key) {
            throw AgentConfigError("line \(Self.line(e.node)): unknown config key \"\(qualified(e.key))\": not a Promtail setting skald-agent knows; check the spelling and indentation, or remove it")
        }
    }
}
