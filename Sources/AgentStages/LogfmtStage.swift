/// `logfmt`: reads `key=value` pairs (values bare or double-quoted with Go escapes; a key alone
/// reads as "") from the line or an extracted value and extracts the mapped keys
/// (`mapping: {name: key}`, an empty key meaning the name itself).
struct LogfmtStage: Stage {
    /// key in the line → names to extract it as.
    let mapping: [String: [String]]
    let source: String?

    init(_ settings: StageSettings) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "logfmt")
        guard let pairs = try r.pairs("mapping"), !pairs.isEmpty else {
            throw StageError("line \(settings.line): the logfmt stage needs a mapping (name: key, or name: with an empty value for the key itself)")
        }
        var m: [String: [String]] = [:]
        for (name, key) in pairs { m[key.isEmpty ? name : key, default: []].append(name) }
        mapping = m
        source = try r.string("source")
        try r.finish()
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        guard let input = e.source(source) else { return .keep }
        var found = 0
        Logfmt.forEachPair(input) { key, value in
            guard let names = mapping[key] else { return true }
            for n in names { e.extracted[n] = value }
            found += 1
            return found < mapping.count
        }
        return .keep
    }
}

/// A logfmt reader in the manner of go-logfmt: pairs separated by spaces; a key runs to `=` or a
/// space; a value is bare (to the next space) or quoted (Go escapes). Never traps on odd input.
enum Logfmt {
    /// Calls `body(key, value)` for each pair until it returns false.
    static func forEachPair(_ text: String, _ body: (String, String) -> Bool) {
        var text = text
        text.withUTF8 { b in
            var i = 0
            let n = b.count
            while i < n {
                while i < n, b[i] <= 0x20 { i += 1 }
                guard i < n else { return }
                let ks = i
                while i < n, b[i] > 0x20, b[i] != UInt8(ascii: "="), b[i] != UInt8(ascii: "\"") { i += 1 }
                let key = String(decoding: UnsafeBufferPointer(rebasing: b[ks..<i]), as: UTF8.self)
                if i < n, b[i] == UInt8(ascii: "\"") {
                    // A quote in a key: go-logfmt reports an error; skip to the next space.
                    while i < n, b[i] > 0x20 { i += 1 }
                    continue
                }
                var value = ""
                if i < n, b[i] == UInt8(ascii: "=") {
                    i += 1
                    if i < n, b[i] == UInt8(ascii: "\"") {
                        i += 1
                        var out: [UInt8] = []
                        while i < n, b[i] != UInt8(ascii: "\"") {
                            if b[i] == UInt8(ascii: "\\"), i + 1 < n {
                                i += 1
                                switch b[i] {
                                case UInt8(ascii: "n"): out.append(0x0a)
                                case UInt8(ascii: "t"): out.append(0x09)
                                case UInt8(ascii: "r"): out.append(0x0d)
                                default: out.append(b[i])
                                }
                            } else {
                                out.append(b[i])
                            }
                            i += 1
                        }
                        i += 1
                        value = String(decoding: out, as: UTF8.self)
                    } else {
                        let vs = i
                        while i < n, b[i] > 0x20 { i += 1 }
                        value = String(decoding: UnsafeBufferPointer(rebasing: b[vs..<i]), as: UTF8.self)
                    }
                }
                if !key.isEmpty, !body(key, value) { return }
            }
        }
    }
}
