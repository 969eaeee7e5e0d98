import Codecs
import Testing

/// `ByteSearch.contains` against a plain search: needles at the edges, rare bytes that turn out
/// common (the fallback), needles longer than the haystack.
@Suite struct ByteSearchTests {
    static func naive(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        guard needle.count <= hay.count else { return false }
        return (0...(hay.count - needle.count)).contains { Array(hay[$0..<($0 + needle.count)]) == needle }
    }

    /// The one-off search; the prepared needle must agree with it.
    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        let once = hay.withUnsafeBytes { h in needle.withUnsafeBytes { ByteSearch.contains(h, $0) } }
        let prepared = hay.withUnsafeBytes { ByteSearch.Needle(needle).found(in: $0) }
        #expect(once == prepared)
        return once
    }

    @Test func agreesWithAPlainSearch() {
        var rng = SystemRandomNumberGenerator()
        let alphabets: [[UInt8]] = [Array("ab".utf8), Array("azq ".utf8), Array("qzqzqzx".utf8), Array("the quick brown fox=1".utf8)]
        for round in 0..<3_000 {
            let alphabet = alphabets[round % alphabets.count]
            let hay = (0..<Int.random(in: 0...300, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let needle: [UInt8]
            if !hay.isEmpty, Bool.random(using: &rng) {
                let a = Int.random(in: 0..<hay.count, using: &rng)
                needle = Array(hay[a..<min(hay.count, a + Int.random(in: 1...12, using: &rng))])
            } else {
                needle = (0..<Int.random(in: 0...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            }
            #expect(Self.contains(hay, needle) == Self.naive(hay, needle), "\(String(decoding: needle, as: UTF8.self)) in \(String(decoding: hay, as: UTF8.self))")
        }
    }

    @Test func edgesAndDenseRareBytes() {
        let needle = Array("zq-absent-7x".utf8)
        #expect(Self.contains(needle, needle))
        #expect(Self.contains(needle + Array(" tail".utf8), needle))
        #expect(Self.contains(Array("head ".utf8) + needle, needle))
        #expect(!Self.contains(Array(needle.dropLast()), needle))
        #expect(!Self.contains([], needle))
        #expect(Self.contains([], []))
        // The rarest-looking byte everywhere: the search falls back and still finds the needle.
        let dense = [UInt8](repeating: UInt8(ascii: "q"), count: 100_000)
        #expect(!Self.contains(dense, needle))
        #expect(Self.contains(dense + needle + dense, needle))
        #expect(Self.contains(Array(repeating: UInt8(ascii: "z"), count: 5_000) + Array("zq".utf8), Array("zq".utf8)))
        // Common bytes only (searched by first and last byte): dense candidates fall back too.
        let error = Array("error".utf8)
        let pairs = Array(String(repeating: "errxr", count: 40_000).utf8)
        #expect(!Self.contains(pairs, error))
        #expect(Self.contains(pairs + error, error))
        #expect(Self.contains(error + pairs, error))
        for cut in 0..<40 { // every tail length after the 16-byte blocks
            let hay = Array(String(repeating: "e", count: cut).utf8) + error
            #expect(Self.contains(hay, error), "\(cut)")
            #expect(!Self.contains(Array(hay.dropLast()), error), "\(cut)")
        }
    }
}
