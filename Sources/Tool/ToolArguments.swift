/// A command line after the command words: positional operands and `--flag` / `--flag value`
/// options. Unknown flags are errors naming the flag, so a typo never runs a different command.
struct ToolArguments {
    var operands: [String] = []
    var flags: Set<String> = []
    var values: [String: String] = [:]

    /// Parses `args` allowing `booleans` (`--json`) and `valued` (`--into DIR`, `--into=DIR`).
    init(_ args: [String], booleans: Set<String>, valued: Set<String>) throws(ToolError) {
        var i = 0
        while i < args.count {
            let a = args[i]
            i += 1
            guard a.hasPrefix("-"), a.count > 1 else { operands.append(a); continue }
            let body = String(a.drop(while: { $0 == "-" }))
            let (name, inline) = body.firstIndex(of: "=").map { (String(body[..<$0]), String(body[body.index(after: $0)...])) } ?? (body, nil)
            if booleans.contains(name) {
                guard inline == nil else { throw .usage("--\(name) takes no value") }
                flags.insert(name)
            } else if valued.contains(name) {
                if let inline { values[name] = inline; continue }
                guard i < args.count else { throw .usage("--\(name) needs a value") }
                values[name] = args[i]
                i += 1
            } else {
                throw .usage("unknown flag \(a)")
            }
        }
    }

    var json: Bool { flags.contains("json") }
    var help: Bool { flags.contains("help") || flags.contains("h") }

    /// The single operand a command takes (a directory or file).
    func one(_ what: String) throws(ToolError) -> String {
        guard operands.count == 1 else {
            throw .usage(operands.isEmpty ? "missing \(what)" : "expected one \(what), got \(operands.count): \(operands.joined(separator: " "))")
        }
        return operands[0]
    }
}
