import Foundation
public import LogModel

/// The stream selectors this build answers: `{name="value", …}` with equality matchers only.
/// (The full LogQL grammar — `!=`, `=~`, `!~`, pipelines, metrics — is its own issue.)
public enum StreamSelector {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func parse(_ query: String) throws(ParseError) -> [Label] {
        let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw ParseError(message: "parse error : syntax error: unexpected end of input, expected {") }
        for op in ["!=", "=~", "!~", "|"] where trimmed.contains(op) && !insideQuotes(trimmed, op) {
            throw ParseError(message: "unsupported query: only stream selectors with = matchers, like {app=\"api\"}, are answered by this build (LogQL pipelines and other matchers arrive with the LogQL issue)")
        }
        guard trimmed.hasPrefix("{") else {
            throw ParseError(message: "parse error at line 1, col 1: syntax error: unexpected \(trimmed.prefix(1)), expecting {")
        }
        do {
            let set = try LabelParser.parse(trimmed)
            if set.isEmpty {
                throw ParseError(message: "parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will")
            }
            return set.labels
        } catch let e as LabelParser.ParseError {
            throw ParseError(message: e.message)
        } catch let e as ParseError {
            throw e
        } catch {
            throw ParseError(message: "\(error)")
        }
    }

    /// True when every occurrence of `op` sits inside a quoted value.
    static func insideQuotes(_ s: String, _ op: String) -> Bool {
        var inQuote: Character?
        var escaped = false
        let chars = Array(s)
        let opChars = Array(op)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if let q = inQuote {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { inQuote = nil }
            } else if c == "\"" || c == "`" {
                inQuote = c
            } else if i + opChars.count <= chars.count && Array(chars[i..<(i + opChars.count)]) == opChars {
                return false
            }
            i += 1
        }
        return true
    }
}

