import Codecs
import Testing
@testable import IndexFormat

/// A damaged table or manifest is reported, never trapped on, never half-read.
@Suite struct IndexDamageTests {
    @Test func everyTruncationIsRefused() {
        let bytes = IndexSample.table(5)
        for n in 0..<bytes.count {
            #expect(throws: IndexFormatError.self) { try IndexTable(Array(bytes[..<n])) }
        }
    }

    @Test func everyFlippedByteIsCaught() {
        let bytes = IndexSample.table(5)
        for i in bytes.indices {
            var b = bytes
            b[i] ^= 0x41
            #expect(throws: IndexFormatError.self) { try IndexTable(b) }
        }
    }

    /// Damage with a fixed-up checksum (a writer bug, or deliberate) is still refused by the structural
    /// checks, or read as a table that is internally consistent — never a trap.
    @Test func structuralChecksSurviveRecomputedChecksums() {
        let bytes = IndexSample.table(5)
        var refused = 0
        for i in IndexLayout.prefixSize..<(bytes.count - IndexLayout.trailerSize) {
            for x: UInt8 in [0x01, 0x80, 0xFF] {
                var b = bytes
                b[i] ^= x
                let crc = CRC32C.checksum(Array(b.dropLast(4)))
                b.replaceSubrange((b.count - 4)..., with: withUnsafeBytes(of: crc.littleEndian, Array.init))
                if let t = try? IndexTable(b) {
                    for id in 0..<UInt32(t.seriesCount) { _ = try? t.series(id) }
                    _ = t.seriesIDs(matching: [.equal("app", "a1")])
                } else {
                    refused += 1
                }
            }
        }
        #expect(refused > 0)
    }

    @Test func garbageIsRefused() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var b = (0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng), b.count > 8 { b.replaceSubrange(0..<5, with: IndexLayout.tableMagic + [1]) }
            #expect(throws: IndexFormatError.self) { try IndexTable(b) }
            #expect(throws: IndexFormatError.self) { try IndexManifest.decode(b) }
        }
    }

    @Test func unknownVersionIsNamed() throws {
        var b = IndexSample.table(1)
        b[4] = 9
        do {
            _ = try IndexTable(b)
            Issue.record("version 9 accepted")
        } catch {
            #expect(error.kind == .notAnIndex)
            #expect(error.description.contains("version 9"))
        }
    }

    @Test func damagedManifestsAreRefused() {
        let m = IndexManifestTests.sample().encode()
        for n in 0..<m.count {
            #expect(throws: IndexFormatError.self) { try IndexManifest.decode(Array(m[..<n])) }
        }
        for i in m.indices {
            var b = m
            b[i] ^= 0x10
            #expect(throws: IndexFormatError.self) { try IndexManifest.decode(b) }
        }
    }
}
