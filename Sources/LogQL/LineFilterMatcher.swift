public import Codecs

/// A query's line filters compiled for the read path: `matches(line)` runs on raw line bytes as
/// blocks are decoded, so a line that fails is never materialised. Literal filters search with
/// `ByteSearch` (no regex engine); regex filters use RE2 (linear time), unanchored, as in Loki.
public struct LineFilterMatcher: Sendable {
    enum Test: Sendable {
        /// A literal: an unmanaged reference (reading it costs no reference counting per line),
        /// owned by the matcher's `needles`.
        case contains(Unmanaged<ByteSearch.Needle>)
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
                return needle._withUnsafeGuaranteedRef { $0.found(in: line) }
            }
        }
    }

    /// One filter stage: positive keeps a line matching any test, negative a line matching none.
    struct Stage: Sendable {
        let tests: [Test]
        let negative: Bool

        var usesRegex: Bool { tests.contains { if case .regex = $0 { true } else { false } } }

        func keeps(_ line: UnsafeRawBufferPointer) -> Bool {
            // (Tests are read in place: copying one out retains what it holds.)
            let any = tests.withUnsafeBufferPointer { t in t.indices.contains { t[$0].matches(line) } }
            return any != negative
        }
    }

    let stages: [Stage]
    /// The literals the tests search for (owning them).
    let needles: [ByteSearch.Needle]
    /// Byte strings one of which every kept line contains: the alternatives of the first positive
    /// stage made only of literals (`|= "a" or "b"`); nil when there is none.
    let requiredLiterals: [ByteSearch.Needle]?

    /// Compiles `filters` (regexes were checked by the parser; one that fails here throws).
    public init(_ filters: [LineFilter]) throws(RE2Regex.CompileError) {
        var stages: [Stage] = []
        var needles: [ByteSearch.Needle] = []
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
                    if v.isEmpty {
                        tests.append(.always)
                    } else {
                        let needle = ByteSearch.Needle(Array(v.utf8))
                        needles.append(needle)
                        tests.append(.contains(.passUnretained(needle)))
                    }
                }
            }
            // Loki drops `|= ""` (and a filter any of whose alternatives is empty): it keeps every line.
            if !f.op.isNegative, tests.contains(where: { if case .always = $0 { true } else { false } }) { continue }
            stages.append(Stage(tests: tests, negative: f.op.isNegative))
        }
        // Literal stages first: they are cheaper than regexes and usually more selective.
        self.stages = stages.filter { !$0.usesRegex } + stages.filter(\.usesRegex)
        self.needles = needles
        requiredLiterals = Self.required(in: self.stages)
    }

    /// Whether the filters keep nothing out (no stage left).
    public var keepsEverything: Bool { stages.isEmpty }

    /// See `requiredLiterals` (worked out once, not for every block).
    private static func required(in stages: [Stage]) -> [ByteSearch.Needle]? {
        for s in stages where !s.negative {
            var literals: [ByteSearch.Needle] = []
            for t in s.tests {
                guard case .contains(let needle) = t else { literals = []; break }
                literals.append(needle.takeUnretainedValue())
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
        return literals.contains { $0.found(in: block) }
    }

    public func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        for s in stages where !s.keeps(line) { return false }
        return true
    }

    public func matches(_ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { matches($0) }
    }
}
