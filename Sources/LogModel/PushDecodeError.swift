/// A push body that could not be decoded: always a 400, with a message saying what was wrong.
public struct PushDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
