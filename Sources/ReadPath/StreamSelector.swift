import Foundation
public import LogModel

/// The queries this build answers: a stream selector with any of Loki's four matchers,
/// `{app="api", env!="dev", pod=~"api-.+", level!~"debug|trace"}`. (Pipelines and metric queries
/// arrive with the LogQL issue; they are refused here with a message saying so.)
public enum StreamSelector {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func parse(_ query: String) throws(ParseError) -> [LabelMatcher] {
        let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty && !insideQuotes(trimmed, "|") || trimmed.hasSuffix(")") {
            throw ParseError(message: "unsupported query: only stream selectors like {app=\"api\", pod=~\"api-.+\"} are answered by this build (LogQL pipelines and metric queries arrive with the LogQL issue)")
        }
        do {
            return try SelectorParser.parse(query)
        } catch {
            throw ParseError(message: error.message)
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

