import ChunkFormat
import CheckpointFormat
import Codecs
import Testing

/// A checkpoint reader never traps: whatever the bytes, it returns what it could read and says
/// what it could not, or throws a `CheckpointFormatError` for an unusable prefix.
@Suite struct CheckpointDamageTests {
    @Test func everyTruncationIsReportedNeverTrapped() throws {
        let bytes = CheckpointSample.file(2)
        for cut in 0..<bytes.count {
            let part = Array(bytes[0..<cut])
            if cut < CheckpointLayout.prefixSize {
                #expect(throws: CheckpointFormatError.self) { try CheckpointReader.read(part) { _ in } }
                continue
            }
            var n = 0
            let scan = try CheckpointReader.read(part) { _ in n += 1 }
            #expect(!scan.isComplete, "cut at \(cut)")
            #expect(!scan.damage.isEmpty, "cut at \(cut)")
            #expect(n <= 4)
        }
    }

    @Test func everyFlippedByteIsCaught() throws {
        let bytes = CheckpointSample.file(2)
        for i in 0..<bytes.count {
            var bad = bytes
            bad[i] ^= 0x20
            var n = 0
            do {
                let scan = try CheckpointReader.read(bad) { _ in n += 1 }
                #expect(!scan.isComplete, "flip at \(i) went unnoticed")
            } catch is CheckpointFormatError {
                #expect(i < CheckpointLayout.prefixSize, "only the prefix may make the whole file unreadable, flip at \(i)")
            }
        }
    }

    /// A chunk frame whose CRC is right but whose chunk is not (a writer bug, not disk damage) is
    /// skipped and reported; the frames after it still read.
    @Test func aBadChunkInASoundFrameIsSkipped() throws {
        let chunks = CheckpointSample.chunks(2)
        var out = CheckpointCodec.encodePrefix(CheckpointPrefix(lsn: 5, createdUnixNano: 0))
        var (h, p) = CheckpointCodec.encodeChunk(chunks[0])
        p[0] ^= 0xFF // break the chunk's magic, then make the frame's CRC agree
        let crc = CRC32C.checksum(p, continuing: CRC32C.checksum([h[4]]))
        h[5] = UInt8(crc & 0xFF); h[6] = UInt8(crc >> 8 & 0xFF); h[7] = UInt8(crc >> 16 & 0xFF); h[8] = UInt8(crc >> 24)
        out += h + p
        for c in chunks.dropFirst() {
            let (h2, p2) = CheckpointCodec.encodeChunk(c)
            out += h2 + p2
        }
        out += CheckpointCodec.encodeEnd(CheckpointEnd(chunks: UInt64(chunks.count), lowestLSN: 1))
        var got = 0
        let scan = try CheckpointReader.read(out) { _ in got += 1 }
        #expect(got == chunks.count - 1)
        #expect(scan.damage.count == 1)
        #expect(!scan.isComplete)
    }

    @Test func garbageNeverTraps() throws {
        var seed: UInt64 = 0x5EED
        func next() -> UInt64 { seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return seed >> 33 }
        let valid = CheckpointSample.file(1)
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(next() % 400)).map { _ in UInt8(truncatingIfNeeded: next()) }
                if round % 4 == 0 && bytes.count > 8 { bytes.replaceSubrange(0..<5, with: Array("SKCP".utf8) + [1]) }
            } else {
                bytes = valid
                for _ in 0..<(1 + Int(next() % 6)) { bytes[Int(next()) % bytes.count] = UInt8(truncatingIfNeeded: next()) }
            }
            _ = try? CheckpointReader.read(bytes) { _ in }
            _ = try? CheckpointReader.end(fromTail: Array(bytes.suffix(CheckpointLayout.endFrameSize)))
        }
    }

    @Test func refusesOtherVersionsByName() {
        var bytes = CheckpointSample.file(1)
        bytes[4] = 9
        #expect {
            try CheckpointReader.read(bytes) { _ in }
        } throws: { error in
            guard let e = error as? CheckpointFormatError else { return false }
            return e.kind == .notACheckpoint && e.detail.contains("version 9")
        }
    }
}
