/// A query LogQL cannot accept. `message` reads like Loki's (`parse error at line 1, col 14: syntax
/// error: unexpected IDENTIFIER, expecting STRING`), so clients that show Loki's errors show ours.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int, _ detail: String) {
        self.line = line
        self.column = column
        message = "parse error at line \(line), col \(column): \(detail)"
    }

    /// An error about the query as a whole (no position), in Loki's `parse error : …` form.
    public init(whole detail: String) {
        line = 0
        column = 0
        message = "parse error : \(detail)"
    }

    public var description: String { message }
}
