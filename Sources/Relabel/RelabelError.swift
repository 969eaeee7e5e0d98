/// A `relabel_configs` entry that cannot work, with Prometheus' wording of why (so a config that
/// fails in Promtail fails here with the same message).
public struct RelabelError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
