public import Foundation
public import LogModel
import Yams

/// Loads a Loki-style YAML config: every key is checked against `ConfigSchema`; unknown keys and
/// wrong types are errors naming the key and its line; accepted-but-inert keys become warnings.
public enum ConfigLoader {
    public struct Loaded: Sendable {
        public var config: SkaldConfig
        public var warnings: [String]
    }

    public static func load(path: String?, expandEnv: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> Loaded {
        guard let path else { return try parse(SkaldConfig.embeddedDefaultYAML, expandEnv: false) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read config file \(path): check the path given to -config.file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("config file \(path) is not UTF-8 text")
        }
        return try parse(text, expandEnv: expandEnv, environment: environment)
    }

    public static func parse(_ text: String, expandEnv: Bool, environment: [String: String] = [:]) throws(ConfigError) -> Loaded {
        let source = expandEnv ? EnvExpansion.expand(text, environment: environment) : text
        let root: Node?
        do { root = try Yams.compose(yaml: source) } catch {
            throw ConfigError("the config is not valid YAML: \(error)")
        }
        var loaded = Loaded(config: SkaldConfig(), warnings: [])
        guard let root else { return loaded }
        guard case .mapping(let m) = root else {
            throw ConfigError("line \(line(root)): the config must be a mapping of keys at the top level")
        }
        try walk(m, path: "", into: &loaded)
        // Loki's older retention settings mean the same retention, unless the new ones are set.
        if loaded.config.tableManager.deletesEnabled {
            loaded.config.compactor.retentionEnabled = true
            if loaded.config.limits.retentionPeriod == 0 { loaded.config.limits.retentionPeriod = loaded.config.tableManager.retentionPeriod }
        }
        if loaded.config.runtimeConfig.file.isEmpty && !loaded.config.perTenantOverrideConfig.isEmpty {
            loaded.config.runtimeConfig.file = loaded.config.perTenantOverrideConfig
            loaded.config.runtimeConfig.period = loaded.config.perTenantOverridePeriod
        }
        return loaded
    }

    static func line(_ n: Node) -> Int { n.mark?.line ?? 0 }

    static func walk(_ m: Node.Mapping, path: String, into loaded: inout Loaded) throws(ConfigError) {
        for (k, v) in m {
            guard case .scalar(let ks) = k else { throw ConfigError("line \(line(k)): config keys must be plain strings") }
            let key = path.isEmpty ? ks.string : path + "." + ks.string
            try visit(v, key: key, into: &loaded)
        }
    }

    static func visit(_ v: Node, key: String, into loaded: inout Loaded) throws(ConfigError) {
        guard let rule = ConfigSchema.rules[key] else {
            if let (_, why) = ConfigSchema.ignoredTree(key) {
                warnLeaves(v, key: key, why: why, into: &loaded)
                return
            }
            throw ConfigError("line \(line(v)): unknown config key \"\(key)\": not a Loki setting Skald knows; check the spelling and indentation, or remove it")
        }
        switch rule.kind {
        case .section:
            if case .scalar(let s) = v, s.string.isEmpty || s.tag.description.hasSuffix("null") { return }
            guard case .mapping(let sub) = v else {
                throw ConfigError("line \(line(v)): \"\(key)\" must be a mapping of keys")
            }
            try walk(sub, path: key, into: &loaded)
        case .list:
            guard case .sequence(let seq) = v else { throw ConfigError("line \(line(v)): \"\(key)\" must be a list") }
            for item in seq {
                guard case .mapping(let sub) = item else { throw ConfigError("line \(line(item)): items of \"\(key)\" must be mappings") }
                ConfigSchema.listItemStart[key]?(&loaded.config)
                try walk(sub, path: key + "[]", into: &loaded)
                do throws(ConfigError) { try ConfigSchema.listItemEnd[key]?(&loaded.config) } catch {
                    throw ConfigError("line \(line(item)): \(error.message)")
                }
            }
        case .anything:
            if case .ignored(let why) = rule.effect { warnLeaves(v, key: key, why: why, into: &loaded) }
        default:
            guard case .scalar(let s) = v else {
                throw ConfigError("line \(line(v)): \"\(key)\" wants \(rule.kind.expectation), got a \(v.isMapping ? "mapping" : "list")")
            }
            guard let value = ConfigValue.parse(s.string, as: rule.kind) else {
                throw ConfigError("line \(line(v)): \"\(key)\" wants \(rule.kind.expectation), got \"\(s.string)\"")
            }
            switch rule.effect {
            case .apply(let f):
                do throws(ConfigError) { try f(&loaded.config, value) } catch {
                    throw ConfigError("line \(line(v)): \(error.message)")
                }
            case .ignored(let why):
                loaded.warnings.append("config key \"\(key)\" (line \(line(v))) is accepted but has no effect: \(why)")
            case .applyWarning(let why, let f):
                do throws(ConfigError) { try f(&loaded.config, value) } catch {
                    throw ConfigError("line \(line(v)): \(error.message)")
                }
                loaded.warnings.append("config key \"\(key)\" (line \(line(v))) is deprecated: \(why)")
            case .none: break
            }
        }
    }

    static func warnLeaves(_ v: Node, key: String, why: String, into loaded: inout Loaded) {
        switch v {
        case .mapping(let m) where !m.isEmpty:
            for (k, sub) in m { warnLeaves(sub, key: key + "." + (k.scalar?.string ?? "?"), why: why, into: &loaded) }
        case .sequence(let s) where !s.isEmpty:
            for item in s {
                if case .mapping = item { warnLeaves(item, key: key + "[]", why: why, into: &loaded) } else {
                    loaded.warnings.append("config key \"\(key)\" (line \(line(v))) is accepted but has no effect: \(why)")
                    return
                }
            }
        default:
            loaded.warnings.append("config key \"\(key)\" (line \(line(v))) is accepted but has no effect: \(why)")
        }
    }

    /// Per-tenant overrides (`runtime_config.file`): `overrides: {<tenant>: {<limits_config key>: value}}`.
    public static func parseOverrides(_ text: String, defaults: Limits) throws(ConfigError) -> [String: Limits] {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw ConfigError("the runtime config is not valid YAML: \(error)") }
        guard let root, case .mapping(let m) = root else { return [:] }
        var result: [String: Limits] = [:]
        for (k, v) in m {
            let key = k.scalar?.string ?? ""
            guard key == "overrides" else {
                if ["configs", "multi_kv_config"].contains(key) { continue }
                throw ConfigError("line \(line(k)): unknown runtime config key \"\(key)\"; per-tenant limits go under overrides:")
            }
            guard case .mapping(let tenants) = v else { continue }
            for (tk, tv) in tenants {
                let tenant = tk.scalar?.string ?? ""
                do { _ = try TenantID(tenant) } catch {
                    throw ConfigError("line \(line(tk)): overrides for an invalid tenant id \"\(tenant)\": \(error.message)")
                }
                var c = SkaldConfig()
                c.limits = defaults
                guard case .mapping(let lm) = tv else { throw ConfigError("line \(line(tv)): overrides for \"\(tenant)\" must be a mapping") }
                for (lk, lv) in lm {
                    let name = lk.scalar?.string ?? ""
                    if name == "retention_stream" {
                        // A tenant's list replaces the global one, as in Loki.
                        c.limits.retentionStreams = try retentionStreams(lv, tenant: tenant)
                        continue
                    }
                    guard let rule = ConfigSchema.limitRules[name] else {
                        throw ConfigError("line \(line(lk)): unknown limit \"\(name)\" in overrides for \"\(tenant)\"")
                    }
                    guard case .scalar(let s) = lv, let value = ConfigValue.parse(s.string, as: rule.kind) else {
                        throw ConfigError("line \(line(lv)): limit \"\(name)\" for \"\(tenant)\" wants \(rule.kind.expectation)")
                    }
                    switch rule.effect {
                    case .apply(let f), .applyWarning(_, let f): try f(&c, value)
                    case .ignored, .none: break
                    }
                }
                result[tenant] = c.limits
            }
        }
        return result
    }
}

extension ConfigLoader {
    /// A tenant's `retention_stream` list in the runtime overrides.
    static func retentionStreams(_ v: Node, tenant: String) throws(ConfigError) -> [RetentionStream] {
        if case .scalar(let s) = v, s.string.isEmpty || s.tag.description.hasSuffix("null") { return [] }
        guard case .sequence(let items) = v else { throw ConfigError("line \(line(v)): retention_stream for \"\(tenant)\" must be a list") }
        var limits = Limits()
        for item in items {
            guard case .mapping(let m) = item else { throw ConfigError("line \(line(item)): retention_stream items for \"\(tenant)\" must be mappings") }
            limits.retentionStreams.append(RetentionStream(selector: "", matchers: [], priority: 0, period: -1))
            for (k, val) in m {
                let key = k.scalar?.string ?? ""
                let kind: ConfigKind = switch key {
                case "selector": .string
                case "priority": .int
                case "period": .duration
                default: throw ConfigError("line \(line(k)): unknown retention_stream key \"\(key)\" for \"\(tenant)\" (selector, priority, period)")
                }
                guard case .scalar(let s) = val, let value = ConfigValue.parse(s.string, as: kind) else {
                    throw ConfigError("line \(line(val)): retention_stream \(key) for \"\(tenant)\" wants \(kind.expectation)")
                }
                do throws(ConfigError) {
                    switch key {
                    case "selector": try ConfigSchema.setRetentionSelector(&limits, value.string)
                    case "priority": limits.retentionStreams[limits.retentionStreams.count - 1].priority = value.int
                    default: limits.retentionStreams[limits.retentionStreams.count - 1].period = value.duration
                    }
                } catch {
                    throw ConfigError("line \(line(val)): \(error.message)")
                }
            }
            do throws(ConfigError) { try ConfigSchema.checkRetentionStream(limits) } catch {
                throw ConfigError("line \(line(item)): \(error.message)")
            }
        }
        return limits.retentionStreams
    }
}

extension Node {
    var isMapping: Bool { if case .mapping = self { true } else { false } }
}
