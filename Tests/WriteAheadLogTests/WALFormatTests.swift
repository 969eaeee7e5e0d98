import Codecs
import LogModel
import Testing
@testable import WriteAheadLog

@Suite struct WALFormatTests {
    @Test func segmentHeaderPinnedBytes() throws {
        let h = WALFormat.segmentHeader(index: 42)
        let body: [UInt8] = [0x53, 0x4B, 0x57, 0x4C, 0x02, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0]
        var expected = body
        expected.appendU32LE(CRC32C.checksum(body))
        #expect(h == expected)
        #expect(h.count == WALFormat.segmentHeaderSize)
        #expect(try h.withUnsafeBytes { try WALFormat.readSegmentHeader($0) } == 42)
        // Version 1 segments (written before `pushProtobuf` records existed) still read.
        var v1: [UInt8] = [0x53, 0x4B, 0x57, 0x4C, 0x01, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0]
        v1.appendU32LE(CRC32C.checksum(v1))
        #expect(try v1.withUnsafeBytes { try WALFormat.readSegmentHeader($0) } == 42)
    }

    @Test func protobufRecordDecodesToCanonicalLabels() throws {
        var b = PushBatchBuilder()
        b.stream(#"{z="1", a="2"}"#)
        b.entry(5, "line", metadata: [Label("k", "v")])
        let payload = Snappy.compress(PushProtobuf.encode(b.batch))
        var cache: [String: LabelSet] = [:]
        let (batch, sets) = try PushRecord.decodeProtobuf(payload, labels: &cache)
        #expect(cache.count == 1)
        let again = try PushRecord.decodeProtobuf(payload, labels: &cache) // from the cache this time
        #expect(again.batch.streams.map(\.labels) == batch.streams.map(\.labels))
        #expect(batch.streams.map(\.labels) == [#"{a="2", z="1"}"#])
        #expect(sets.map(\.canonical) == [#"{a="2", z="1"}"#])
        #expect(Array(batch.line(batch.streams[0].entries[0])) == Array("line".utf8))
        #expect(batch.metadata == [[Label("k", "v")]])
    }

    @Test func damagedProtobufRecordsAreErrorsNotTraps() {
        var b = PushBatchBuilder()
        b.stream(#"{a="1"}"#)
        b.entry(5, "line")
        let payload = Snappy.compress(PushProtobuf.encode(b.batch))
        var cache: [String: LabelSet] = [:]
        for cut in 0..<payload.count {
            #expect(throws: CodecError.self) { try PushRecord.decodeProtobuf(Array(payload[0..<cut]), labels: &cache) }
        }
        // Valid snappy around bytes that are not a PushRequest.
        #expect(throws: CodecError.self) { try PushRecord.decodeProtobuf(Snappy.compress([0xFF, 0xFF, 0xFF]), labels: &cache) }
        // A PushRequest whose labels do not parse.
        var bad = PushBatchBuilder()
        bad.stream("not labels")
        bad.entry(1, "x")
        #expect(throws: CodecError.self) { try PushRecord.decodeProtobuf(Snappy.compress(PushProtobuf.encode(bad.batch)), labels: &cache) }
    }

    @Test func segmentHeaderRejectsDamageAndUnknownVersions() {
        var h = WALFormat.segmentHeader(index: 1)
        h[4] = 9
        h.replaceSubrange(16..<20, with: withUnsafeBytes(of: CRC32C.checksum(h[0..<16]).littleEndian, Array.init))
        #expect(throws: CodecError.self) { try h.withUnsafeBytes { try WALFormat.readSegmentHeader($0) } }
        var flipped = WALFormat.segmentHeader(index: 1)
        flipped[9] ^= 1
        #expect(throws: CodecError.self) { try flipped.withUnsafeBytes { try WALFormat.readSegmentHeader($0) } }
        #expect(throws: CodecError.self) { try [UInt8](repeating: 0, count: 10).withUnsafeBytes { try WALFormat.readSegmentHeader($0) } }
    }

    @Test func recordFramePinnedBytes() {
        var out: [UInt8] = []
        WALFormat.appendRecord(to: &out, lsn: 7, type: .push, tenant: "t1", payload: [0xAA, 0xBB])
        let body: [UInt8] = [7, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x02, 0x74, 0x31, 0xAA, 0xBB]
        var expected: [UInt8] = [14, 0, 0, 0]
        expected.appendU32LE(CRC32C.checksum(body))
        expected += body
        #expect(out == expected)
        #expect(WALFormat.frameSize(tenant: "t1", payloadCount: 2) == out.count)
    }

    @Test func splitFrameIsByteIdenticalToAppendedFrame() {
        let payload = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var whole: [UInt8] = []
        WALFormat.appendRecord(to: &whole, lsn: 123_456, type: .push, tenant: "team-a", payload: payload)
        #expect(WALFormat.frameHeader(lsn: 123_456, type: .push, tenant: "team-a", payload: payload) + payload == whole)
    }

    @Test func pushRecordPinnedBytesAndRoundTrip() throws {
        var b = PushBatchBuilder()
        b.stream(#"{a="b"}"#)
        b.entry(10, "x")
        b.entry(8, "yz", metadata: [Label("k", "v")])
        let bytes = PushRecord.encode(b.batch)
        let expected: [UInt8] = [1, 7] + Array(#"{a="b"}"#.utf8) + [2,
            20, 1, 0x78, 0, // +10 zigzag = 20, line "x", no metadata
            3, 2, 0x79, 0x7A, 1, 1, 0x6B, 1, 0x76] // −2 zigzag = 3, "yz", 1 pair k=v
        #expect(bytes == expected)
        let back = try PushRecord.decode(bytes)
        #expect(back.streams[0].entries.map(\.timestamp) == [10, 8])
        #expect(Array(back.line(back.streams[0].entries[1])) == Array("yz".utf8))
        #expect(back.metadata == [[Label("k", "v")]])
    }

    @Test func pushRecordTruncationsThrow() {
        var b = PushBatchBuilder()
        b.stream(#"{a="b"}"#)
        for i in 0..<4 { b.entry(Int64(i), "line \(i)") }
        let bytes = PushRecord.encode(b.batch)
        for cut in 0..<bytes.count {
            #expect(throws: CodecError.self) { try PushRecord.decode(Array(bytes[0..<cut])) }
        }
        #expect(throws: CodecError.self) { try PushRecord.decode(bytes + [0]) }
        #expect(throws: CodecError.self) { try PushRecord.decode([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) }
    }
}
