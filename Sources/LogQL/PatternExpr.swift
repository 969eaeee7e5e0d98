/// A pattern (`<ip> - - [<_>] "<method> <path> <_>"`): literal runs and captures `<name>`
/// (`<_>` captures nothing). Used by the `| pattern` parser and the `|>`/`!>` line filters, with
/// Loki's matching rules.
struct PatternExpr: Sendable, Equatable {
    enum Node: Sendable, Equatable {
        case literal([UInt8])
        /// nil: `<_>`.
        case capture(String?)
    }

    let nodes: [Node]

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Splits the text: `<` letter-or-underscore, then letters, digits, `_`, then `>` is a
    /// capture; everything else is literal.
    init(_ text: String) {
        let b = Array(text.utf8)
        var nodes: [Node] = []
        var lit: [UInt8] = []
        var i = 0
        func isStart(_ c: UInt8) -> Bool { (c | 0x20 >= 0x61 && c | 0x20 <= 0x7a) || c == 0x5f }
        while i < b.count {
            if b[i] == 0x3c, i + 1 < b.count, isStart(b[i + 1]) {
                var e = i + 2
                while e < b.count, isStart(b[e]) || (b[e] >= 0x30 && b[e] <= 0x39) { e += 1 }
                if e < b.count, b[e] == 0x3e {
                    if !lit.isEmpty { nodes.append(.literal(lit)); lit = [] }
                    let name = String(decoding: b[(i + 1)..<e], as: UTF8.self)
                    nodes.append(.capture(name == "_" ? nil : name))
                    i = e + 1
                    continue
                }
            }
            lit.append(b[i])
            i += 1
        }
        if !lit.isEmpty { nodes.append(.literal(lit)) }
        self.nodes = nodes
    }

    var names: [String] { nodes.compactMap { if case .capture(let n) = $0 { n } else { nil } } }

    /// Checks for the `| pattern` parser: a named capture at least, none twice, never two captures in a row.
    func validateForParser() throws(Invalid) {
        guard !names.isEmpty else { throw Invalid(description: "at least one capture is required") }
        try noConsecutiveCaptures()
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted {
            throw Invalid(description: "duplicate capture name (\(n)): invalid expression")
        }
    }

    /// Checks for `|>`/`!>`: only `<_>` captures, never two in a row.
    func validateForFilter() throws(Invalid) {
        try noConsecutiveCaptures()
        if let n = names.first { throw Invalid(description: "named captures are not allowed: found '<\(n)>'") }
    }

    private func noConsecutiveCaptures() throws(Invalid) {
        for (a, b) in zip(nodes, nodes.dropFirst()) {
            if case .capture(let x) = a, case .capture(let y) = b {
                throw Invalid(description: "found consecutive capture '<\(x ?? "_")><\(y ?? "_")>': invalid expression")
            }
        }
    }

    /// The parser's captures, in order: a leading literal must start the line; each capture runs
    /// to the next occurrence of the literal after it (or to the end of the line when that literal
    /// is missing, which ends the match).
    func captures(_ line: UnsafeRawBufferPointer) -> [(name: String, value: Range<Int>)] {
        guard !line.isEmpty, !nodes.isEmpty else { return [] }
        var out: [(String, Range<Int>)] = []
        var pos = 0
        var k = 0
        if case .literal(let l) = nodes[0] {
            guard Self.index(of: l, in: line, from: 0) == 0 else { return [] }
            pos = l.count
            k = 1
        }
        while k < nodes.count {
            guard case .capture(let name) = nodes[k] else { return out }
            if k + 1 == nodes.count {
                if let name { out.append((name, pos..<line.count)) }
                return out
            }
            guard case .literal(let l) = nodes[k + 1] else { return out }
            k += 2
            guard let i = Self.index(of: l, in: line, from: pos) else {
                if let name { out.append((name, pos..<line.count)) }
                return out
            }
            if let name { out.append((name, pos..<i)) }
            pos = i + l.count
        }
        return out
    }

    /// The `|>` test: literals appear in order with something (not nothing) captured between
    /// them, and a trailing capture must capture something while a trailing literal ends the line.
    func test(_ line: UnsafeRawBufferPointer) -> Bool {
        if line.isEmpty || nodes.isEmpty { return line.isEmpty && nodes.isEmpty }
        var off = 0
        for (i, n) in nodes.enumerated() {
            guard case .literal(let l) = n else { continue }
            guard let j = Self.index(of: l, in: line, from: off) else { return false }
            if i != 0 && j == off { return false }
            off = j + l.count
        }
        let endsOnCapture: Bool = if case .capture = nodes.last! { true } else { false }
        return endsOnCapture == (off != line.count)
    }

    static func index(of needle: [UInt8], in hay: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard needle.count <= hay.count - start else { return nil }
        if needle.isEmpty { return start }
        let first = needle[0]
        var i = start
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == first {
                var k = 1
                while k < needle.count, hay[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
