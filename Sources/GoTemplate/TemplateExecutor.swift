/// Walks a template's nodes, as Go's `text/template` executes them: dot and variables, pipelines
/// passing each command's result as the next one's last argument, typed function calls.
struct TemplateExecutor {
    let template: Template
    let record: TemplateRecord
    var variables: [(String, TemplateValue)]
    /// Guards against a template that would loop without end (`range` can only visit finite data,
    /// but nested ranges over big data multiply).
    var steps = 0
    static let maxSteps = 1_000_000

    enum Flow { case normal, breakLoop, continueLoop }

    func fail(_ position: Int, _ context: String, _ message: String) -> TemplateError {
        var c = context
        if c.count > 20 { c = String(c.prefix(20)) + "..." }
        return TemplateError(description: "template: \(template.name):\(TemplateError.lineAndColumn(of: position, in: template.src)): executing \"\(template.name)\" at <\(c)>: \(message)")
    }

    mutating func walk(_ nodes: [TemplateNode], dot: TemplateValue, into out: inout String) throws(TemplateError) -> Flow {
        for node in nodes {
            steps += 1
            if steps > Self.maxSteps { throw TemplateError(description: "template: \(template.name): execution stopped after \(Self.maxSteps) steps") }
            switch node {
            case .text(let s): out += s
            case .action(let p):
                let v = try pipeline(p, dot: dot)
                if p.variables.isEmpty { out += v.printed }
            case .branch(let kind, let p, let body, let elseList):
                let mark = variables.count
                defer { variables.removeLast(variables.count - mark) }
                let v = try pipeline(p, dot: dot)
                let flow: Flow
                if v.isTrue {
                    flow = try walk(body, dot: kind == .with ? v : dot, into: &out)
                } else if let e = elseList {
                    flow = try walk(e, dot: dot, into: &out)
                } else {
                    flow = .normal
                }
                if flow != .normal { return flow }
            case .range(let p, let body, let elseList):
                let mark = variables.count
                defer { variables.removeLast(variables.count - mark) }
                var decl = p
                decl.variables = []
                let v = try pipeline(decl, dot: dot)
                let items: [(TemplateValue, TemplateValue)]
                switch v {
                case .labels(let m): items = m.keys.sorted().map { (.string($0), .string(m[$0]!)) }
                case .map(let m): items = m.keys.sorted().map { (.string($0), m[$0]!) }
                case .list(let l): items = l.enumerated().map { (.int(Int64($0.offset)), $0.element) }
                case .missing: items = []
                default:
                    // Go's context is the command last evaluated (after any `$k, $v :=`).
                    let last = p.commands.last
                    throw fail(last?.position ?? p.position, last?.text ?? "", "range can't iterate over \(v.printed)")
                }
                if items.isEmpty {
                    if let e = elseList {
                        let flow = try walk(e, dot: dot, into: &out)
                        if flow != .normal { return flow }
                    }
                    continue
                }
                for (key, value) in items {
                    steps += 1
                    if steps > Self.maxSteps { throw TemplateError(description: "template: \(template.name): execution stopped after \(Self.maxSteps) steps") }
                    let inner = variables.count
                    if p.variables.count == 1 { variables.append((p.variables[0], value)) }
                    if p.variables.count == 2 { variables.append((p.variables[0], key)); variables.append((p.variables[1], value)) }
                    let flow = try walk(body, dot: value, into: &out)
                    variables.removeLast(variables.count - inner)
                    if flow == .breakLoop { break }
                }
            case .breakLoop: return .breakLoop
            case .continueLoop: return .continueLoop
            }
        }
        return .normal
    }

    mutating func pipeline(_ p: Pipeline, dot: TemplateValue) throws(TemplateError) -> TemplateValue {
        var value: TemplateValue?
        for c in p.commands { value = try command(c, dot: dot, final: value) }
        let v = value ?? .missing
        for name in p.variables {
            if p.assigns, let i = variables.lastIndex(where: { $0.0 == name }) {
                variables[i].1 = v
            } else {
                variables.append((name, v))
            }
        }
        return v
    }

    mutating func command(_ c: Command, dot: TemplateValue, final: TemplateValue?) throws(TemplateError) -> TemplateValue {
        let first = c.arguments[0]
        if case .function(let name, let at) = first {
            return try call(name, at: at, c, Array(c.arguments.dropFirst()), dot: dot, final: final)
        }
        if c.arguments.count > 1 || final != nil {
            throw fail(c.position, c.text, "can't give argument to non-function \(c.text.split(separator: " ").first.map(String.init) ?? c.text)")
        }
        return try operand(first, dot: dot, at: c)
    }

    mutating func operand(_ o: Operand, dot: TemplateValue, at c: Command) throws(TemplateError) -> TemplateValue {
        switch o {
        case .field(let chain): return try fields(chain, of: dot, at: c)
        case .variable(let name, let chain):
            guard let v = variables.last(where: { $0.0 == name })?.1 else { throw fail(c.position, c.text, "undefined variable: \(name)") }
            return try fields(chain, of: v, at: c)
        case .pipeline(let p, let chain): return try fields(chain, of: pipeline(p, dot: dot), at: c)
        case .string(let s): return .string(s)
        case .number(let n): return n.natural
        case .bool(let b): return .bool(b)
        case .null: throw fail(c.position, c.text, "nil is not a command")
        case .function(let name, let at): return try call(name, at: at, c, [], dot: dot, final: nil)
        }
    }

    func fields(_ chain: [String], of value: TemplateValue, at c: Command) throws(TemplateError) -> TemplateValue {
        var v = value
        for f in chain {
            switch v {
            case .labels(let m): v = .string(m[f] ?? "")
            case .map(let m): v = m[f] ?? .missing
            case .missing: throw fail(c.position, c.text, "nil pointer evaluating interface {}.\(f)")
            default: throw fail(c.position, c.text, "can't evaluate field \(f) in type \(v.typeName)")
            }
        }
        return v
    }

    mutating func call(_ name: String, at: Int, _ c: Command, _ args: [Operand], dot: TemplateValue, final: TemplateValue?) throws(TemplateError) -> TemplateValue {
        if name == "and" || name == "or" {
            guard !args.isEmpty || final != nil else { throw fail(at, name, "wrong number of args for \(name): want at least 1 got 0") }
            var v: TemplateValue = .missing
            for a in args {
                v = try operand(a, dot: dot, at: c)
                if v.isTrue == (name == "or") { return v }
            }
            return final ?? v
        }
        guard let f = template.functions[name] ?? TemplateBuiltins.table[name] else { throw fail(at, name, "\"\(name)\" is not a defined function") }
        let given = args.count + (final == nil ? 0 : 1)
        if let _ = f.variadic {
            if given < f.parameters.count { throw fail(at, name, "wrong number of args for \(name): want at least \(f.parameters.count) got \(given)") }
        } else if given != f.parameters.count {
            throw fail(at, name, "wrong number of args for \(name): want \(f.parameters.count) got \(given)")
        }
        var values: [TemplateValue] = []
        values.reserveCapacity(given)
        for (i, a) in args.enumerated() {
            let p = i < f.parameters.count ? f.parameters[i] : f.variadic!
            values.append(try argument(a, as: p, dot: dot, at: c))
        }
        if let final {
            let p = args.count < f.parameters.count ? f.parameters[args.count] : f.variadic!
            values.append(try check(final, as: p, at: c))
        }
        do {
            return try f.body(values, record)
        } catch {
            throw fail(c.position, c.text, "error calling \(name): \(error.description)")
        }
    }

    mutating func argument(_ o: Operand, as p: TemplateFunction.Parameter, dot: TemplateValue, at c: Command) throws(TemplateError) -> TemplateValue {
        switch (o, p) {
        case (.number(let n), .any): return n.natural
        case (.number(let n), .int):
            guard let i = n.int else { throw fail(c.position, c.text, "expected integer; found \(n.text)") }
            return .int(i)
        case (.number(let n), .float):
            guard let f = n.float else { throw fail(c.position, c.text, "expected float; found \(n.text)") }
            return .float(f)
        case (.number(let n), _): throw fail(c.position, c.text, "expected \(Self.goName(p)); found \(n.text)")
        case (.null, .any): return .missing
        case (.null, _): throw fail(c.position, c.text, "cannot assign nil to \(Self.goName(p))")
        default: return try check(operand(o, dot: dot, at: c), as: p, at: c)
        }
    }

    func check(_ v: TemplateValue, as p: TemplateFunction.Parameter, at c: Command) throws(TemplateError) -> TemplateValue {
        let ok: Bool = switch (p, v) {
        case (.any, _), (.string, .string), (.int, .int), (.float, .float), (.time, .time): true
        default: false
        }
        if ok { return v }
        if case .missing = v { throw fail(c.position, c.text, "invalid value; expected \(Self.goName(p))") }
        throw fail(c.position, c.text, "wrong type for value; expected \(Self.goName(p)); got \(v.typeName)")
    }

    static func goName(_ p: TemplateFunction.Parameter) -> String {
        switch p {
        case .any: "interface {}"
        case .string: "string"
        case .int: "int"
        case .float: "float64"
        case .time: "time.Time"
        }
    }
}
