/// A config the agent cannot run: what is wrong, where (line), and what to do.
public struct AgentConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
