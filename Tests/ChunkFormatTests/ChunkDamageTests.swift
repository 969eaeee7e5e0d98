import Codecs
import Foundation
import LogModel
import Testing
import TestSupport
@testable import ChunkFormat

/// Damaged chunk files: the reader throws a typed error and never traps, and one bad block costs only itself.
@Suite struct ChunkDamageTests {
    /// Opening and reading everything; a thrown ChunkFormatError is the only acceptable failure.
    private func readEverything(_ bytes: [UInt8]) -> (opened: Bool, badBlocks: Int) {
        guard let r = try? ChunkReader(bytes) else { return (false, 0) }
        var bad = 0
        for i in r.blocks.indices {
            do { _ = try r.entries(ofBlock: i) } catch is ChunkFormatError { bad += 1 } catch { Issue.record("unexpected error \(error)") }
        }
        return (true, bad)
    }

    @Test(arguments: [ChunkEncoding.none, .lz4, .gzip, .snappy])
    func everyTruncationIsRejected(_ encoding: ChunkEncoding) {
        let file = Sample.chunk(Sample.entries(40), perBlock: 10, encoding: encoding)
        for cut in 0..<file.count {
            #expect(throws: ChunkFormatError.self) { try ChunkReader(Array(file[..<cut])) }
        }
    }

    @Test func everySingleByteFlipIsDetected() {
        let file = Sample.chunk(Sample.entries(30), perBlock: 10, encoding: .lz4)
        for i in 0..<file.count {
            var damaged = file
            damaged[i] ^= 0x5A
            let (opened, bad) = readEverything(damaged)
            var caughtByFileChecksum = false
            if let r = try? ChunkReader(damaged) {
                do { try r.verifyChecksum() } catch { caughtByFileChecksum = true }
            }
            #expect(!opened || bad > 0 || caughtByFileChecksum, "flip at \(i) went unnoticed")
        }
    }

    @Test func aCorruptBlockFailsAloneWithItsNumber() throws {
        let entries = Sample.entries(30)
        var file = Sample.chunk(entries, perBlock: 10, encoding: .lz4)
        let r0 = try ChunkReader(file)
        file[r0.blocks[1].offset + 3] ^= 0xFF
        let r = try ChunkReader(file)
        #expect(try r.entries(ofBlock: 0) == Array(entries[0..<10]))
        #expect(try r.entries(ofBlock: 2) == Array(entries[20..<30]))
        do {
            _ = try r.entries(ofBlock: 1)
            Issue.record("corrupt block decoded")
        } catch let e as ChunkFormatError {
            #expect(e.kind == .checksum && e.section == "block 1")
        }
        #expect(throws: ChunkFormatError.self) { try r.verifyChecksum() }
    }

    /// A block whose checksum is right but whose payload lies about its entries (a writer bug, or
    /// damage with a recomputed CRC) still fails cleanly.
    @Test func inconsistentPayloadsThrow() throws {
        for payload: [UInt8] in [[0, 200, 1], [0, 1, 0x61, 2], [0, 1, 0x61, 0, 9], [0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]] {
            let block = ChunkBlock(bytes: payload, rawLength: payload.count, entries: 1, minTime: 0, maxTime: 0, checksum: CRC32C.checksum(payload))
            let header = ChunkHeader(encoding: .none, tenant: "t", labels: "{}", minLSN: 0, maxLSN: 0, minTime: 0, maxTime: 0)
            let r = try ChunkReader(ChunkFile.encode(header: header, blocks: [block]))
            #expect(throws: ChunkFormatError.self) { try r.entries(ofBlock: 0) }
        }
    }

    @Test func wrongMagicAndVersionAreNamed() throws {
        var file = Sample.chunk(Sample.entries(3))
        file[0] = 0x58
        do { _ = try ChunkReader(file); Issue.record("opened") } catch { #expect(error.kind == .notAChunk) }
        file = Sample.chunk(Sample.entries(3))
        file[4] = 9
        do { _ = try ChunkReader(file); Issue.record("opened") } catch { #expect(error.kind == .notAChunk && error.detail.contains("version 9")) }
    }

    @Test func randomGarbageNeverTraps() {
        var rng = SplitMix(99)
        let valid = Sample.chunk(Sample.entries(20), perBlock: 5)
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(rng.next() % 400)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if bytes.count >= 5 { bytes.replaceSubrange(0..<5, with: Array("SKCK".utf8) + [1]) }
            } else {
                bytes = valid
                for _ in 0..<(1 + rng.next() % 4) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            _ = readEverything(bytes)
        }
    }
}
