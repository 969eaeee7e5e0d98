/// A parsed template: text, actions and the control structures between them.
indirect enum TemplateNode: Sendable {
    case text(String)
    /// `{{ pipeline }}`: printed unless it declares or assigns a variable.
    case action(Pipeline)
    /// `if`, `with`: the body when the pipeline is true (`with` also sets dot), else the else-list
    /// (`else if` is an else-list holding one `if`).
    case branch(Branch, Pipeline, [TemplateNode], [TemplateNode]?)
    /// `range`: the body per element, the else-list when there are none.
    case range(Pipeline, [TemplateNode], [TemplateNode]?)
    case breakLoop, continueLoop

    enum Branch: Sendable { case ifTrue, with }
}

/// Commands joined by `|`, each one's result passed as the last argument of the next; optionally
/// declaring (`$x :=`) or assigning (`$x =`) variables.
struct Pipeline: Sendable {
    var variables: [String] = []
    var assigns = false
    var commands: [Command] = []
    var position: Int
}

/// One command: an operand, or a function and its arguments.
struct Command: Sendable {
    var arguments: [Operand]
    var position: Int
    /// The command's source, for `executing "line" at <…>`.
    var text: String
}

/// An operand inside a command.
indirect enum Operand: Sendable {
    /// `.a.b` (no names: dot itself).
    case field([String])
    /// `$x.a.b` (`$` is the data).
    case variable(String, [String])
    /// A function name (`printf`, `ToUpper`).
    case function(String, position: Int)
    case string(String)
    case number(NumberConstant)
    case bool(Bool)
    case null
    /// `(pipeline).a.b`.
    case pipeline(Pipeline, [String])
}

/// A number literal, typed by where it is used (an `int` or a `float64` parameter), as Go's
/// untyped constants are.
struct NumberConstant: Sendable {
    var text: String
    var int: Int64?
    var float: Double?

    /// What it is when nothing asks for a type: a float if written with `.`, `e` or `p`, else an int.
    var natural: TemplateValue {
        let isHex = text.hasPrefix("0x") || text.hasPrefix("0X") || text.hasPrefix("-0x") || text.hasPrefix("+0x")
        if let f = float, !text.hasPrefix("'"), !isHex, text.contains(where: { ".eEpP".contains($0) }) { return .float(f) }
        if let i = int { return .int(i) }
        return .float(float ?? 0)
    }

    init?(_ text: String) {
        self.text = text
        if text.hasPrefix("'") {
            let inner = String(text.dropFirst().dropLast())
            guard let scalar = GoStringLiteral.unquoteChar(inner) else { return nil }
            int = Int64(scalar.value)
            float = Double(scalar.value)
            return
        }
        let clean = text.replacingUnderscores()
        var body = Substring(clean)
        var negative = false
        if body.first == "-" || body.first == "+" { negative = body.first == "-"; body = body.dropFirst() }
        let lower = body.lowercased()
        var magnitude: UInt64?
        if lower.hasPrefix("0x") { magnitude = UInt64(lower.dropFirst(2), radix: 16) }
        else if lower.hasPrefix("0o") { magnitude = UInt64(lower.dropFirst(2), radix: 8) }
        else if lower.hasPrefix("0b") { magnitude = UInt64(lower.dropFirst(2), radix: 2) }
        else if lower.count > 1, lower.hasPrefix("0"), lower.allSatisfy(\.isNumber) { magnitude = UInt64(lower.dropFirst(), radix: 8) }
        else if lower.allSatisfy(\.isNumber) { magnitude = UInt64(lower) }
        if let m = magnitude {
            if negative { int = m <= UInt64(Int64.max) + 1 ? (m == UInt64(Int64.max) + 1 ? .min : -Int64(m)) : nil } else { int = m <= UInt64(Int64.max) ? Int64(m) : nil }
            float = negative ? -Double(m) : Double(m)
        } else if !lower.hasPrefix("0x"), let f = Double(lower), f.isFinite {
            float = negative ? -f : f
            if f == f.rounded(), abs(f) < 9.2e18 { int = Int64(negative ? -f : f) }
        } else {
            return nil
        }
    }
}

private extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
