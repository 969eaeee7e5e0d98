/// A template that does not parse, or an execution that failed; worded like Go's
/// (`template: line:1:9: executing "line" at <now>: wrong number of args for now: want 0 got 1`).
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }

    /// A function's own failure (`error calling div: …` is added by the executor).
    public init(_ message: String) { self.description = message }

    /// 1-based line of a byte offset.
    static func line(of position: Int, in src: [UInt8]) -> Int {
        1 + src[..<min(position, src.count)].lazy.filter { $0 == 0x0a }.count
    }

    /// `line:col` as Go's `ErrorContext` gives it (col: bytes after the line's start).
    static func lineAndColumn(of position: Int, in src: [UInt8]) -> String {
        let p = min(position, src.count)
        let lastNewline = src[..<p].lastIndex(of: 0x0a)
        let column = lastNewline.map { p - $0 - 1 } ?? p
        return "\(line(of: p, in: src)):\(column)"
    }
}
