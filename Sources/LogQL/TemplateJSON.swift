public import GoTemplate

/// JSON text to a template value, as Go's `encoding/json` decodes into `interface{}`: objects are
/// maps, arrays lists, numbers float64, null nil. Nil for anything that is not one JSON value.
/// Reads with the `json` stage's `JSONScanner`.
enum TemplateJSON {
    /// Nesting beyond this is refused (bounded recursion).
    static let maxDepth = 512

    static func parse(_ s: String) -> TemplateValue? {
        var text = s
        return text.withUTF8 { u -> TemplateValue? in
            var scanner = JSONScanner(UnsafeRawBufferPointer(u))
            guard let v = try? value(&scanner, depth: 0) else { return nil }
            scanner.skipSpace()
            return scanner.atEnd ? v : nil
        }
    }

    static func value(_ s: inout JSONScanner, depth: Int) throws(JSONScanner.Failure) -> TemplateValue {
        guard depth < maxDepth else { throw s.fail("nested too deeply") }
        switch try s.peekKind() {
        case .string: return .string(try s.readString())
        case .object:
            var m: [String: TemplateValue] = [:]
            try s.forEachMember { (s: inout JSONScanner, key: String) throws(JSONScanner.Failure) in m[key] = try value(&s, depth: depth + 1) }
            return .map(m)
        case .array:
            var l: [TemplateValue] = []
            try s.forEachElement { (s: inout JSONScanner) throws(JSONScanner.Failure) in l.append(try value(&s, depth: depth + 1)) }
            return .list(l)
        default:
            switch try s.readScalar() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .missing
            case let n: return .float(Double(n) ?? 0)
            }
        }
    }
}
