/// A configuration that cannot be used: the message names the key (and line) and what to write instead.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
