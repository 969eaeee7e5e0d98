public import Codecs

/// A query's line filters compiled for the read path: `matches(line)` runs on raw line bytes as
/// blocks are decoded, so a line that fails is never materialised. Literal filters search with
/// `memmem` (no regex engine); regex filters use RE2 (linear time), unanchored, as in Loki.
public struct LineFilterMatcher: Sendable {
    enum Test: Sendable {
        case contains([UInt8])
        case regex(RE2Regex)
        case pattern(PatternExpr)
        case ip(IPFilter)
        /// `|= ""`: every line.
        case always

        func matches(_ line: UnsafeRawBufferPointer) -> Bool {
            switch self {
            case .always: return true
            case .pattern(let p): return p.test(line)
            case .ip(let f): return f.matches(line)
            case .regex(let re): return re.matchesPart(line)
            case .contains(let needle):
                return needle.withUnsafeBytes { ByteSearch.contains(line, $0) }
            }
        }
    }

    /// One filter stage: positive keeps a line matching any test, negative a line matching none.
    struct Stage: Sendable {
        let tests: [Test]
        let negative: Bool

        var usesRegex: Bool { tests.contains { if case .regex = $0 { true } else { false } } }

        func keeps(_ line: UnsafeRawBufferPointer) -> Bool {
            var any = false
            for t in tests where t.matches(line) {
                any = true
                break
            }
            return any != negative
        }
    }

    let stages: [Stage]

    /// Compiles `filters` (regexes were checked by the parser; one that fails here throws).
    public init(_ filters: [LineFilter]) throws(RE2Regex.CompileError) {
        var stages: [Stage] = []
        for f in filters {
            var tests: [Test] = []
            for v in f.values {
                if f.ip, let ipf = try? IPFilter(v) {
                    tests.append(.ip(ipf))
                } else if f.op.isPattern {
                    tests.append(.pattern(PatternExpr(v)))
                } else if f.op.isRegex {
                    tests.append(.regex(try RE2Regex(v)))
                } else {
                    tests.append(v.isEmpty ? .always : .contains(Array(v.utf8)))
                }
            }
            // Loki drops `|= ""` (and a filter any of whose alternatives is empty): it keeps every line.
            if !f.op.isNegative, tests.contains(where: { if case .always = $0 { true } else { false } }) { continue }
            stages.append(Stage(tests: tests, negative: f.op.isNegative))
        }
        // Literal stages first: they are cheaper than regexes and usually more selective.
        self.stages = stages.filter { !$0.usesRegex } + stages.filter(\.usesRegex)
    }

    /// Whether the filters keep nothing out (no stage left).
    public var keepsEverything: Bool { stages.isEmpty }

    /// Byte strings one of which every kept line contains: the alternatives of the first positive
    /// stage made only of literals (`|= "a" or "b"`); nil when there is none.
    var requiredLiterals: [[UInt8]]? {
        for s in stages where !s.negative {
            var literals: [[UInt8]] = []
            for t in s.tests {
                guard case .contains(let needle) = t else { literals = []; break }
                literals.append(needle)
            }
            if !literals.isEmpty { return literals }
        }
        return nil
    }

    /// Whether a decompressed block may hold a line the filters keep: false only when it contains
    /// none of the required literals (one search over the block instead of one per line; a literal
    /// found in the block's framing or in another line only means the lines are tested one by one).
    public func mayMatch(block: UnsafeRawBufferPointer) -> Bool {
        guard let literals = requiredLiterals else { return true }
        return literals.contains { needle in needle.withUnsafeBytes { ByteSearch.contains(block, $0) } }
    }

    public func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        for s in stages where !s.keeps(line) { return false }
        return true
    }

    public func matches(_ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { matches($0) }
    }
}
