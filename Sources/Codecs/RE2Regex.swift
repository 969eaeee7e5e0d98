import CCodecs

/// A regular expression in Go's RE2 syntax, matched in linear time by Debian's libre2 (a user's
/// pattern can never stall the server, unlike a backtracking engine). Immutable and safe to share.
public final class RE2Regex: @unchecked Sendable {
    /// A pattern RE2 refused: Go's wording of the reason, and the offending fragment.
    public struct CompileError: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public let fragment: String
        public var description: String { "error parsing regexp: \(reason): `\(fragment)`" }
    }

    /// Go's regexp/syntax messages, indexed by RE2's error code (the two libraries share the taxonomy).
    static let reasons = [
        "no error", "regexp/syntax: internal error", "invalid escape sequence", "invalid character class",
        "invalid character class range", "missing closing ]", "missing closing )", "unexpected )",
        "trailing backslash at end of expression", "missing argument to repetition operator",
        "invalid repeat count", "invalid nested repetition operator", "invalid or unsupported Perl syntax",
        "invalid UTF-8", "invalid named capture", "expression too large",
    ]

    public let pattern: String
    private let re: OpaquePointer

    public init(_ pattern: String) throws(CompileError) {
        var arg = [CChar](repeating: 0, count: 256)
        var code: Int32 = 0
        var utf8 = pattern.utf8CString
        let compiled = utf8.withUnsafeMutableBufferPointer { p in
            skald_re2_new(p.baseAddress, p.count - 1, &code, &arg, arg.count)
        }
        guard let compiled else {
            let fragment = arg.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let reason = Self.reasons.indices.contains(Int(code)) ? Self.reasons[Int(code)] : "error \(code)"
            throw CompileError(reason: reason, fragment: fragment)
        }
        self.pattern = pattern
        self.re = compiled
    }

    deinit { skald_re2_delete(re) }

    /// Whether the whole of `s` matches.
    public func matchesWhole(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { skald_re2_full_match(re, $0.baseAddress, $0.count) == 1 }
    }

    /// Whether some part of `bytes` matches.
    public func matchesPart(_ bytes: UnsafeRawBufferPointer) -> Bool {
        skald_re2_partial_match(re, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count) == 1
    }

    /// The names of the capturing groups in order ("" for an unnamed group).
    public var captureNames: [String] {
        let n = Int(skald_re2_group_count(re))
        guard n > 0 else { return [] }
        var buf = [CChar](repeating: 0, count: 256)
        return (1...n).map { i in
            let len = skald_re2_group_name(re, Int32(i), &buf, buf.count)
            return len == 0 ? "" : buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
    }

    /// The leftmost match in `bytes`: for each capturing group, the range it matched (nil when it
    /// took no part), or nil when nothing matched.
    public func captures(_ bytes: UnsafeRawBufferPointer, groups: Int) -> [Range<Int>?]? {
        guard groups >= 0, groups <= 1000 else { return nil }
        var offsets = [Int](repeating: -1, count: 2 * (groups + 1))
        let ok = offsets.withUnsafeMutableBufferPointer { o in
            skald_re2_match_groups(re, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, o.baseAddress, Int32(groups))
        }
        guard ok == 1 else { return nil }
        return (1..<(groups + 1)).map { i in offsets[2 * i] < 0 ? nil : offsets[2 * i]..<offsets[2 * i + 1] }
    }

    /// The leftmost match starting at or after byte `start` (what precedes it still counts for `^`
    /// and `\b`): element 0 is the whole match, then each capturing group (nil when it took no part).
    public func match(_ bytes: UnsafeRawBufferPointer, from start: Int, groups: Int) -> [Range<Int>?]? {
        guard groups >= 0, groups <= 1000, start >= 0, start <= bytes.count else { return nil }
        var offsets = [Int](repeating: -1, count: 2 * (groups + 1))
        let ok = offsets.withUnsafeMutableBufferPointer { o in
            skald_re2_match_groups_from(re, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, start, o.baseAddress, Int32(groups))
        }
        guard ok == 1 else { return nil }
        return (0..<(groups + 1)).map { i in offsets[2 * i] < 0 ? nil : offsets[2 * i]..<offsets[2 * i + 1] }
    }
}
