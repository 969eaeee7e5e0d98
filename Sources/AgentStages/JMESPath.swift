/// The part of JMESPath that Promtail's `json` stage is used with: identifiers (`level`), quoted
/// identifiers (`"app.kubernetes.io/name"`), sub-expressions (`a.b.c`) and indexes (`items[0]`,
/// `items[-1]`). Anything else is refused when the config is read, not mis-evaluated.
struct JMESPath: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        case field(String)
        case index(Int)
    }

    let steps: [Step]

    init(_ text: String) throws(StageError) {
        let s = Array(text.unicodeScalars)
        var steps: [Step] = []
        var i = 0
        func fail(_ why: String) -> StageError {
            StageError("JMESPath expression \"\(text)\": \(why) (skald-agent supports fields, \"quoted\" fields, a.b and [n])")
        }
        var expectField = true
        while i < s.count {
            let c = s[i]
            if c == "[" {
                var j = i + 1
                var digits = ""
                if j < s.count, s[j] == "-" { digits = "-"; j += 1 }
                while j < s.count, s[j].properties.numericType == .decimal, s[j].isASCII { digits.unicodeScalars.append(s[j]); j += 1 }
                guard j < s.count, s[j] == "]", let n = Int(digits) else { throw fail("unsupported bracket expression") }
                steps.append(.index(n))
                i = j + 1
                expectField = false
                continue
            }
            if c == "." {
                guard !steps.isEmpty, !expectField else { throw fail("unexpected '.'") }
                expectField = true
                i += 1
                continue
            }
            guard expectField else { throw fail("expected '.' or '['") }
            if c == "\"" {
                var j = i + 1
                var name = ""
                while j < s.count, s[j] != "\"" {
                    if s[j] == "\\", j + 1 < s.count { j += 1 }
                    name.unicodeScalars.append(s[j])
                    j += 1
                }
                guard j < s.count else { throw fail("unterminated quoted identifier") }
                steps.append(.field(name))
                i = j + 1
            } else if c == "_" || (c.isASCII && c.properties.isAlphabetic) {
                var j = i
                var name = ""
                while j < s.count, s[j] == "_" || (s[j].isASCII && (s[j].properties.isAlphabetic || s[j].properties.numericType == .decimal)) {
                    name.unicodeScalars.append(s[j])
                    j += 1
                }
                steps.append(.field(name))
                i = j
            } else {
                throw fail("unsupported character '\(c)'")
            }
            expectField = false
        }
        guard !steps.isEmpty, !expectField else { throw fail("empty or unfinished expression") }
        self.steps = steps
    }

    /// The value at the path, nil when some step finds nothing (JMESPath's null).
    func search(_ v: JSONValue) -> JSONValue? {
        var cur = v
        for step in steps {
            switch step {
            case .field(let name):
                guard let next = cur[name] else { return nil }
                cur = next
            case .index(let n):
                guard case .array(let items) = cur else { return nil }
                let k = n < 0 ? items.count + n : n
                guard k >= 0, k < items.count else { return nil }
                cur = items[k]
            }
        }
        return cur
    }
}
