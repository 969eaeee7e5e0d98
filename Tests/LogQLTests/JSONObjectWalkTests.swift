import Testing
import TestSupport
@testable import LogQL

/// The `| json` walk's scanning shortcuts against the plain reading they replace.
@Suite struct JSONObjectWalkTests {
    /// The byte-by-byte reading `stringEnd` had before it stepped 8 bytes at a time.
    static func referenceStringEnd(_ u: [UInt8], _ i: Int, _ to: Int) -> (Int, Bool)? {
        var escaped = false
        var j = i
        while j < to {
            if u[j] == 0x22 {
                if !escaped { return (j - i + 1, false) }
                var k = j - 1, run = 0
                while k >= i, u[k] == 0x5c { run += 1; k -= 1 }
                if run % 2 == 0 { return (j - i + 1, true) }
            } else if u[j] == 0x5c {
                escaped = true
            }
            j += 1
        }
        return nil
    }

    @Test func stringEndsAreFoundAsByteByByte() {
        // Quotes, backslashes, bytes next to them in value (0x21, 0x23, 0x5b, 0x5d), UTF-8, control
        // and high bytes, at every offset of strings long enough to take the 8-byte steps.
        let alphabet: [UInt8] = [0x61, 0x62, 0x22, 0x5c, 0x21, 0x23, 0x5b, 0x5d, 0xc3, 0xa9, 0x01, 0x20, 0x80, 0xff, 0x7f]
        var rng = SplitMix(0x51A1D)
        var checked = 0
        for _ in 0..<4_000 {
            let n = Int.random(in: 0...48, using: &rng)
            // Mostly plain bytes, so the 8-byte steps run before a special one turns up.
            let bytes: [UInt8] = (0..<n).map { _ in
                Int.random(in: 0..<4, using: &rng) == 0 ? alphabet.randomElement(using: &rng)! : 0x61 + UInt8.random(in: 0..<26, using: &rng)
            }
            bytes.withUnsafeBytes { u in
                let walk = JSONObjectWalk(u: u)
                for start in 0...n {
                    let got = walk.stringEnd(start, n), want = Self.referenceStringEnd(bytes, start, n)
                    #expect(got?.0 == want?.0 && got?.1 == want?.1, "\(bytes) from \(start)")
                    checked += 1
                }
            }
        }
        #expect(checked > 50_000)
    }

    @Test func theQuoteOrBackslashMaskPointsAtTheFirstOne() {
        var rng = SplitMix(7)
        for _ in 0..<20_000 {
            var bytes = (0..<8).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) { bytes[Int.random(in: 0..<8, using: &rng)] = Bool.random(using: &rng) ? 0x22 : 0x5c }
            let w = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            let m = JSONObjectWalk.quoteOrBackslash(w)
            let first = bytes.firstIndex { $0 == 0x22 || $0 == 0x5c }
            #expect((m == 0 ? nil : m.trailingZeroBitCount >> 3) == first, "\(bytes)")
        }
    }

    /// Top-level members whose key cannot start a wanted label are checked but not handed out.
    @Test func topLevelKeysRuledOutByFirstByteAreStillChecked() {
        let wants = LabelWants(["status"])
        func visited(_ line: String) -> (keys: [String], failure: JSONObjectWalk.Failure?) {
            let bytes = Array(line.utf8)
            return bytes.withUnsafeBytes { u in
                let walk = JSONObjectWalk(u: u)
                var keys: [String] = []
                do throws(JSONObjectWalk.Failure) {
                    try walk.object(0, u.count, path: "", depth: 0, topLevel: wants.firstBytes,
                                    visit: { p, k, _, _, _ in keys.append(p + walk.text(k)) },
                                    enter: { p, k in p + walk.text(k) + "_" })
                    return (keys, nil)
                } catch {
                    return (keys, error)
                }
            }
        }
        let ok = visited(#"{"level":"x","status":500,"sub":{"a":1},"req":{"s":2},"1st":3,"_x":4,"Stat":5}"#)
        // `status`, `sub_a` (nested members are handed out), and `1st` (a digit may become `_1st`).
        #expect(ok.keys == ["status", "sub_a", "1st"])
        #expect(ok.failure == nil)
        // A fault after the wanted key, or inside a member that was stepped over, is still found.
        #expect(visited(#"{"status":500,"level":tru}"#).failure == .unknownValueType)
        #expect(visited(#"{"status":500,"level":"x}"#).failure == .malformedString)
        // A nested object no wanted label can come from is matched brace for brace and not read
        // (as Loki's parser hints skip it), so a fault inside it goes unseen, as it did when the
        // walk asked `enter` about it.
        let skipped = visited(#"{"req":{"a":[1,2},"status":1}"#)
        #expect(skipped.failure == nil)
        #expect(skipped.keys == ["status"])
        #expect(visited(#"{"req":{"a":1,"status":1}"#).failure != nil) // never closed
    }
}
