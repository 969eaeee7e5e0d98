/// Builds the node tree from the lexer's tokens, checking what Go checks at parse time: every
/// function is defined, every variable declared before use, `break`/`continue` only inside `range`,
/// every `if`/`range`/`with` closed by `end`.
struct TemplateParser {
    let name: String
    let src: [UInt8]
    let tokens: [TemplateLexer.Token]
    let functions: Set<String>
    var k = 0
    var scopes: [[String]] = [["$"]]
    var loopDepth = 0
    var used: Set<String> = []
    /// Nesting of parentheses and control structures: bounded, so parsing and executing cannot
    /// exhaust the stack (Go has no limit; its stacks grow).
    var depth = 0
    static let maxDepth = 256

    mutating func enter(_ position: Int) throws(TemplateError) {
        depth += 1
        if depth > Self.maxDepth { throw error(position, "template nested deeper than \(Self.maxDepth) levels") }
    }

    init(name: String, text: String, functions: Set<String>) throws(TemplateError) {
        self.name = name
        self.src = Array(text.utf8)
        self.functions = functions
        self.tokens = try TemplateLexer(name: name, src: src).tokens()
    }

    func error(_ position: Int, _ message: String) -> TemplateError {
        TemplateError(description: "template: \(name):\(TemplateError.line(of: position, in: src)): \(message)")
    }

    var peek: TemplateLexer.Token { tokens[k] }
    mutating func next() -> TemplateLexer.Token {
        defer { if k < tokens.count - 1 { k += 1 } }
        return tokens[k]
    }

    enum Terminator { case end, elseBranch, eof }

    /// The whole template.
    mutating func parse() throws(TemplateError) -> [TemplateNode] {
        let (nodes, term) = try list()
        switch term {
        case .eof: return nodes
        case .end: throw error(tokens[k].position, "unexpected {{end}}")
        case .elseBranch: throw error(tokens[k].position, "unexpected {{else}}")
        }
    }

    /// Nodes up to `{{end}}`, `{{else…}}` or the end of the text. At `else`, the cursor is left
    /// after the `else` keyword (so `else if` can be read).
    mutating func list() throws(TemplateError) -> ([TemplateNode], Terminator) {
        var nodes: [TemplateNode] = []
        while true {
            let t = next()
            switch t.kind {
            case .end: return (nodes, .eof)
            case .text(let s): nodes.append(.text(s))
            case .leftDelim:
                if case .identifier(let word) = peek.kind {
                    switch word {
                    case "end":
                        _ = next()
                        try closeAction("end")
                        return (nodes, .end)
                    case "else":
                        _ = next()
                        return (nodes, .elseBranch)
                    case "if", "with", "range":
                        _ = next()
                        nodes.append(try control(word, at: t.position))
                        continue
                    case "break", "continue":
                        let w = next()
                        guard loopDepth > 0 else { throw error(w.position, "{{\(word)}} outside {{range}}") }
                        try closeAction(word)
                        nodes.append(word == "break" ? .breakLoop : .continueLoop)
                        continue
                    case "define", "template", "block":
                        throw error(t.position, "{{\(word)}} is not supported in Loki templates")
                    default: break
                    }
                }
                let p = try pipeline(context: "command", allowDeclare: true, allowTwo: false)
                nodes.append(.action(p))
            default:
                throw error(t.position, "unexpected token in template")
            }
        }
    }

    mutating func closeAction(_ word: String) throws(TemplateError) {
        guard case .rightDelim = next().kind else { throw error(tokens[k].position, "unexpected token in {{\(word)}}") }
    }

    /// `if`/`with`/`range` after its keyword, through its `end`.
    mutating func control(_ word: String, at position: Int) throws(TemplateError) -> TemplateNode {
        try enter(position)
        defer { depth -= 1 }
        scopes.append(scopes.last!)
        defer { scopes.removeLast() }
        let pipe = try pipeline(context: word, allowDeclare: true, allowTwo: word == "range")
        if word == "range" { loopDepth += 1 }
        let (body, term) = try list()
        if word == "range" { loopDepth -= 1 }
        var elseList: [TemplateNode]?
        switch term {
        case .eof: throw error(src.count, "unexpected EOF")
        case .end: break
        case .elseBranch:
            // `{{else if …}}` / `{{else with …}}`: a nested branch that shares this `end`.
            if case .identifier(let w) = peek.kind, (w == "if" && word == "if") || (w == "with" && word == "with") {
                let at = next().position
                elseList = [try control(w, at: at)]
            } else {
                try closeAction("else")
                let (e, t2) = try list()
                switch t2 {
                case .end: elseList = e
                case .eof: throw error(src.count, "unexpected EOF")
                case .elseBranch: throw error(tokens[k].position, "expected end; found {{else}}")
                }
            }
        }
        switch word {
        case "if": return .branch(.ifTrue, pipe, body, elseList)
        case "with": return .branch(.with, pipe, body, elseList)
        default: return .range(pipe, body, elseList)
        }
    }

    /// A pipeline up to `}}` (or `)` inside parentheses).
    mutating func pipeline(context: String, allowDeclare: Bool, allowTwo: Bool, inParens: Bool = false) throws(TemplateError) -> Pipeline {
        var p = Pipeline(position: peek.position)
        // Declarations: `$x :=`, `$x =`, `$i, $e :=` (range).
        if allowDeclare, case .variable(let v) = peek.kind {
            let save = k
            _ = next()
            var names = [v]
            if allowTwo, case .comma = peek.kind {
                _ = next()
                if case .variable(let v2) = peek.kind { _ = next(); names.append(v2) } else { k = save }
            }
            if k != save, case .declare = peek.kind {
                _ = next()
                p.variables = names
                scopes[scopes.count - 1].append(contentsOf: names)
            } else if k != save, names.count == 1, case .assign = peek.kind {
                _ = next()
                guard scopes.last!.contains(v) else { throw error(p.position, "undefined variable \"\(v)\"") }
                p.variables = names
                p.assigns = true
            } else {
                k = save
            }
        }
        let start = peek.position
        var commandStart = start
        var args: [Operand] = []
        func finish(_ end: Int, into p: inout Pipeline) throws(TemplateError) {
            guard !args.isEmpty else { throw error(end, "missing value for \(context)") }
            let text = String(decoding: src[commandStart..<max(commandStart, end)], as: UTF8.self).trimmingSpaces()
            p.commands.append(Command(arguments: args, position: commandStart, text: text))
            args = []
        }
        while true {
            let t = peek
            switch t.kind {
            case .rightDelim:
                if inParens { throw error(t.position, "unclosed left paren") }
                _ = next()
                try finish(t.position, into: &p)
                return p
            case .rightParen:
                guard inParens else { throw error(t.position, "unexpected right paren") }
                _ = next()
                try finish(t.position, into: &p)
                return p
            case .pipe:
                _ = next()
                try finish(t.position, into: &p)
                commandStart = peek.position
            case .end:
                throw error(t.position, "unclosed action")
            default:
                if !args.isEmpty && !t.spaced && t.kind != .leftParen { throw error(t.position, "missing space?") }
                args.append(try operand())
            }
        }
    }

    /// One operand, with any `.field` chain written right after it.
    mutating func operand() throws(TemplateError) -> Operand {
        let t = next()
        var op: Operand
        switch t.kind {
        case .dot: op = .field([])
        case .field(let f): op = .field([f])
        case .variable(let v):
            guard scopes.last!.contains(v) else { throw error(t.position, "undefined variable \"\(v)\"") }
            op = .variable(v, [])
        case .string(let s): op = .string(s)
        case .number(let n):
            guard let c = NumberConstant(n) else { throw error(t.position, "bad number syntax: \"\(n)\"") }
            op = .number(c)
        case .identifier(let id):
            switch id {
            case "true": op = .bool(true)
            case "false": op = .bool(false)
            case "nil": op = .null
            default:
                guard functions.contains(id) || TemplateBuiltins.names.contains(id) else {
                    throw error(t.position, "function \"\(id)\" not defined")
                }
                used.insert(id)
                op = .function(id, position: t.position)
            }
        case .leftParen:
            try enter(t.position)
            defer { depth -= 1 }
            let inner = try pipeline(context: "parenthesized pipeline", allowDeclare: true, allowTwo: false, inParens: true)
            op = .pipeline(inner, [])
        default:
            throw error(t.position, "unexpected \(describe(t.kind)) in operand")
        }
        // `.a.b` after `$x`, `.x` or `(…)`: unspaced field tokens extend the chain.
        while case .field(let f) = peek.kind, !peek.spaced {
            _ = next()
            switch op {
            case .field(let chain): op = .field(chain + [f])
            case .variable(let v, let chain): op = .variable(v, chain + [f])
            case .pipeline(let p, let chain): op = .pipeline(p, chain + [f])
            default: throw error(peek.position, "unexpected . after term")
            }
        }
        return op
    }

    func describe(_ k: TemplateLexer.Kind) -> String {
        switch k {
        case .rightDelim: "\"}}\""
        case .pipe: "\"|\""
        case .rightParen: "\")\""
        case .comma: "\",\""
        case .declare: "\":=\""
        case .assign: "\"=\""
        default: "token"
        }
    }
}

private extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
