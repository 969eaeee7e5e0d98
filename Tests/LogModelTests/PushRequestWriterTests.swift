import Codecs
import Testing
@testable import LogModel

/// The writer lays each message's length down before its bytes, from sizes worked out first:
/// checked here byte for byte against the plain way (each message built in its own buffer, then
/// wrapped), over timestamps and lengths at every varint width, metadata, and empty parts.
@Suite struct PushRequestWriterTests {
    struct Entry { var ts: Int64; var line: [UInt8]; var metadata: [Label] }

    /// The plain, two-step encoding the writer must match.
    static func reference(_ streams: [(labels: String, entries: [Entry])]) -> [UInt8] {
        func field(_ n: UInt64, _ body: [UInt8]) -> [UInt8] {
            var o: [UInt8] = []
            o.appendUVarint(n << 3 | 2)
            o.appendUVarint(UInt64(body.count))
            return o + body
        }
        var out: [UInt8] = []
        for s in streams {
            var stream = field(1, Array(s.labels.utf8))
            for e in s.entries {
                let secs = e.ts >= 0 ? e.ts / 1_000_000_000 : (e.ts - 999_999_999) / 1_000_000_000
                let nanos = e.ts - secs * 1_000_000_000
                var ts: [UInt8] = []
                if secs != 0 { ts.append(0x08); ts.appendUVarint(UInt64(bitPattern: secs)) }
                if nanos != 0 { ts.append(0x10); ts.appendUVarint(UInt64(nanos)) }
                var entry = field(1, ts) + field(2, e.line)
                for l in e.metadata { entry += field(3, field(1, Array(l.name.utf8)) + field(2, Array(l.value.utf8))) }
                stream += field(2, entry)
            }
            out += field(1, stream)
        }
        return out
    }

    static func write(_ streams: [(labels: String, entries: [Entry])], into w: inout PushRequestWriter) {
        w.reset()
        for s in streams {
            let size = s.entries.reduce(0) { $0 + PushRequestWriter.entrySize(timestamp: $1.ts, lineBytes: $1.line.count, metadata: $1.metadata) }
            w.stream(labels: s.labels, entriesSize: size)
            for e in s.entries {
                if e.line.count % 2 == 0 {
                    e.line.withUnsafeBufferPointer { w.entry(timestamp: e.ts, line: $0, metadata: e.metadata) }
                } else {
                    w.entry(timestamp: e.ts, line: String(decoding: e.line, as: UTF8.self), metadata: e.metadata)
                }
            }
        }
    }

    @Test func matchesThePlainEncodingByteForByte() throws {
        let times: [Int64] = [0, 1, 999_999_999, 1_000_000_000, 1_700_000_000_123_456_789, -1, -1_500_000_000, .max, .min + 1_000_000_000, 127, 128, 16_383 * 1_000_000_000]
        let lengths = [0, 1, 127, 128, 16_383, 16_384, 70_000]
        var rng = SystemRandomNumberGenerator()
        var w = PushRequestWriter()
        for round in 0..<200 {
            var streams: [(labels: String, entries: [Entry])] = []
            for s in 0..<Int.random(in: 0...3, using: &rng) {
                let labels = round % 7 == 0 ? "" : #"{app="a\#(s)", pod="\#(String(repeating: "p", count: Int.random(in: 0...200, using: &rng)))"}"#
                var entries: [Entry] = []
                for _ in 0..<Int.random(in: 0...4, using: &rng) {
                    // ASCII lines, so the String and the byte entry points write the same bytes.
                    let line = (0..<lengths.randomElement(using: &rng)!).map { _ in UInt8.random(in: 0x20...0x7e, using: &rng) }
                    let metadata = Bool.random(using: &rng) ? [] : [Label("trace_id", String(repeating: "x", count: Int.random(in: 0...150, using: &rng))), Label("", "")]
                    entries.append(Entry(ts: times.randomElement(using: &rng)!, line: line, metadata: metadata))
                }
                streams.append((labels, entries))
            }
            Self.write(streams, into: &w)
            #expect(w.bytes == Self.reference(streams), "round \(round)")
            // And what it wrote reads back (the decoder refuses times past year 9999, so not those).
            if streams.contains(where: { $0.entries.contains { $0.ts == .max || $0.ts < -1_000_000_000_000_000_000 } }) { continue }
            let b = try PushProtobuf.decode(w.bytes)
            #expect(b.streams.map(\.labels) == streams.map(\.labels))
            #expect(b.streams.flatMap { $0.entries.map(\.timestamp) } == streams.flatMap { $0.entries.map(\.ts) })
        }
    }

    @Test func sizesFollowTheVarintWidths() {
        #expect(PushRequestWriter.varintSize(0) == 1)
        #expect(PushRequestWriter.varintSize(127) == 1)
        #expect(PushRequestWriter.varintSize(128) == 2)
        #expect(PushRequestWriter.varintSize(16_383) == 2)
        #expect(PushRequestWriter.varintSize(16_384) == 3)
        #expect(PushRequestWriter.varintSize(.max) == 10)
        for v: UInt64 in [0, 1, 300, 1 << 35, .max] {
            var b: [UInt8] = []
            b.appendUVarint(v)
            #expect(PushRequestWriter.varintSize(v) == b.count)
        }
    }
}
