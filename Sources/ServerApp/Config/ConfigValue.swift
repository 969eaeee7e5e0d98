import Foundation
import LogModel

/// The type a config key takes, with the parser that turns YAML scalar text into it.
enum ConfigKind: Sendable {
    case string, int, bool, duration, float, bytes
    /// A mapping whose keys are listed in the schema.
    case section
    /// A sequence of mappings whose keys are listed under `<path>[]`.
    case list
    /// Any value (mapping, sequence, scalar) accepted as a whole.
    case anything

    var expectation: String {
        switch self {
        case .string: "a string"
        case .int: "an integer"
        case .bool: "true or false"
        case .duration: "a duration like 30s, 5m or 168h"
        case .float: "a number"
        case .bytes: "a byte size like 262144, 64MB or 1GiB"
        case .section: "a mapping of keys"
        case .list: "a list"
        case .anything: "a value"
        }
    }
}

/// A parsed scalar.
enum ConfigValue {
    case string(String), int(Int), bool(Bool), duration(Int64), float(Double)

    static func parse(_ text: String, as kind: ConfigKind) -> ConfigValue? {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .string: return .string(text)
        case .int: return Int(t).map { .int($0) }
        case .bool:
            switch t.lowercased() {
            case "true", "yes", "on": return .bool(true)
            case "false", "no", "off": return .bool(false)
            default: return nil
            }
        case .duration:
            if t == "0" { return .duration(0) }
            return TimeParser.configDuration(t).map { .duration($0) }
        case .float: return Double(t).map { .float($0) }
        case .bytes: return parseBytes(t).map { .int($0) }
        case .section, .list, .anything: return nil
        }
    }

    /// `262144`, `64MB`, `64MiB`, `1GB`, `512KB` (units are powers of 1024, as Loki's flagext does).
    static func parseBytes(_ t: String) -> Int? { ConfigBytes.parse(t) }

    var string: String { if case .string(let s) = self { s } else { "" } }
    var int: Int { if case .int(let v) = self { v } else { 0 } }
    var bool: Bool { if case .bool(let v) = self { v } else { false } }
    var duration: Int64 { if case .duration(let v) = self { v } else { 0 } }
    var float: Double {
        switch self {
        case .float(let v): v
        case .int(let v): Double(v)
        default: 0
        }
    }
}

