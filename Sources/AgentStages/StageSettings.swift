/// A `pipeline_stages` entry's settings as written: a small YAML tree with line numbers, so each
/// stage reads (and strictly checks) its own keys, and `match` can hold nested stages.
public struct StageSettings: Sendable {
    public indirect enum Value: Sendable {
        case null
        case scalar(String)
        case list([StageSettings])
        case map([(key: String, value: StageSettings)])
    }

    public var value: Value
    public var line: Int

    public init(_ value: Value, line: Int) {
        self.value = value
        self.line = line
    }

    public var scalar: String? { if case .scalar(let s) = value { s } else { nil } }
    public var isNull: Bool { if case .null = value { true } else { false } }
}
