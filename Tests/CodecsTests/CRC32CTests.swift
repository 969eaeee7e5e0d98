import Testing
@testable import Codecs

@Suite struct CRC32CTests {
    @Test func knownVectors() {
        // RFC 3720 / iSCSI check value for "123456789".
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func continuationEqualsWhole() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let whole = CRC32C.checksum(data)
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let a = CRC32C.checksum(data[0..<split])
            #expect(CRC32C.checksum(data[split...], continuing: a) == whole)
        }
    }
}

@Suite struct CompressionTests {
    let text = Array(String(repeating: "level=info msg=\"request served\" status=200 path=/api/v1/users\n", count: 200).utf8)

    @Test func snappyRoundTrip() throws {
        let c = Snappy.compress(text)
        #expect(c.count < text.count)
        #expect(try Snappy.decompress(c, maxOutput: text.count) == text)
    }

    /// A sender's reused buffer: whatever it held before (longer, shorter, empty), it comes back
    /// holding exactly what `compress(_:)` makes of the input.
    @Test func snappyIntoAReusedBuffer() throws {
        var out: [UInt8] = []
        let inputs: [[UInt8]] = [text, Array(text.prefix(10)), [], text + text + text, Array(repeating: 7, count: 100_000), Array(text.prefix(1))]
        for input in inputs {
            input.withUnsafeBufferPointer { Snappy.compress($0, into: &out) }
            #expect(out == Snappy.compress(input))
            #expect(try Snappy.decompress(out, maxOutput: input.count) == input)
        }
        #expect(out.capacity >= 100_000 / 20, "the buffer keeps its capacity")
    }

    @Test func snappyBombIsRefusedBeforeAllocating() {
        let c = Snappy.compress([UInt8](repeating: 0, count: 10 << 20))
        #expect(c.count < 600 << 10)
        #expect(throws: CodecError.self) { try Snappy.decompress(c, maxOutput: 1 << 20) }
        do { _ = try Snappy.decompress(c, maxOutput: 1 << 20) } catch { #expect(error.kind == .tooLarge) }
    }

    @Test func snappyGarbageAndTruncation() {
        for bad in [[UInt8](), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], Array("not snappy at all".utf8)] {
            #expect(throws: CodecError.self) { try Snappy.decompress(bad, maxOutput: 1 << 20) }
        }
        let c = Snappy.compress(text)
        for cut in stride(from: 1, to: c.count, by: 13) {
            #expect(throws: CodecError.self) { try Snappy.decompress(Array(c[0..<cut]), maxOutput: 1 << 20) }
        }
    }

    @Test func gzipRoundTripAndBomb() throws {
        let g = Deflate.gzip(text)
        #expect(try Deflate.decompress(g, format: .gzip, maxOutput: 1 << 20) == text)
        #expect(try Deflate.decompress(g, format: .auto, maxOutput: 1 << 20) == text)
        let bomb = Deflate.gzip([UInt8](repeating: 0, count: 64 << 20), level: 9)
        #expect(bomb.count < 200 << 10)
        do {
            _ = try Deflate.decompress(bomb, format: .gzip, maxOutput: 8 << 20)
            Issue.record("a 64 MiB bomb passed an 8 MiB cap")
        } catch {
            #expect(error.kind == .tooLarge)
        }
    }

    @Test func gzipTruncatedAndCorrupt() {
        let g = Deflate.gzip(text)
        do {
            _ = try Deflate.decompress(Array(g[0..<(g.count / 2)]), format: .gzip, maxOutput: 1 << 20)
            Issue.record("truncated gzip decoded")
        } catch {
            #expect(error.kind == .truncated)
        }
        var bad = g
        bad[12] ^= 0xFF
        bad[13] ^= 0xFF
        #expect(throws: CodecError.self) { try Deflate.decompress(bad, format: .gzip, maxOutput: 1 << 20) }
        #expect(throws: CodecError.self) { try Deflate.decompress(Array("plain text".utf8), format: .gzip, maxOutput: 1 << 20) }
    }

    @Test func lz4RoundTripAndCorruption() throws {
        let c = LZ4.compress(text)
        #expect(try LZ4.decompress(c, size: text.count, maxOutput: 1 << 20) == text)
        #expect(throws: CodecError.self) { try LZ4.decompress(c, size: text.count + 1, maxOutput: 1 << 20) }
        #expect(throws: CodecError.self) { try LZ4.decompress(Array(c[0..<(c.count / 2)]), size: text.count, maxOutput: 1 << 20) }
        #expect(throws: CodecError.self) { try LZ4.decompress(c, size: 2 << 20, maxOutput: 1 << 20) }
    }
}

@Suite struct ByteCursorTests {
    @Test func varintsPinnedBytes() throws {
        var out: [UInt8] = []
        out.appendUVarint(0)
        out.appendUVarint(127)
        out.appendUVarint(128)
        out.appendUVarint(300)
        out.appendUVarint(UInt64.max)
        #expect(out == [0x00, 0x7F, 0x80, 0x01, 0xAC, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        try out.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
            var c = ByteCursor(raw, codec: "t")
            #expect(try c.uvarint() == 0)
            #expect(try c.uvarint() == 127)
            #expect(try c.uvarint() == 128)
            #expect(try c.uvarint() == 300)
            #expect(try c.uvarint() == UInt64.max)
            #expect(c.isAtEnd)
        }
    }

    @Test func shortAndOverlongInputThrows() {
        let cases: [[UInt8]] = [[0x80], [0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
                                [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]]
        for bytes in cases {
            bytes.withUnsafeBytes { raw in
                var c = ByteCursor(raw, codec: "t")
                #expect(throws: CodecError.self) { try c.uvarint() }
            }
        }
        [UInt8]([5, 1, 2]).withUnsafeBytes { raw in
            var c = ByteCursor(raw, codec: "t")
            #expect(throws: CodecError.self) { try c.length(max: 100, "field") }
        }
        [UInt8]([1, 2, 3]).withUnsafeBytes { raw in
            var c = ByteCursor(raw, codec: "t")
            #expect(throws: CodecError.self) { try c.u32le() }
        }
    }
}
