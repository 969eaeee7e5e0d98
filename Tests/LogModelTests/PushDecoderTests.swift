import Codecs
import TestSupport
import Testing
@testable import LogModel

@Suite struct PushProtobufTests {
    /// PushRequest{streams:[{labels:`{a="b"}`, entries:[{timestamp:{1s, 2ns}, line:"hi"}]}]}, byte for byte.
    static let pinned: [UInt8] = [0x0a, 0x15, 0x0a, 0x07] + Array(#"{a="b"}"#.utf8)
        + [0x12, 0x0a, 0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x12, 0x02, 0x68, 0x69]

    @Test func decodesPinnedBytes() throws {
        let b = try PushProtobuf.decode(Self.pinned)
        #expect(b.streams.count == 1)
        #expect(b.streams[0].labels == #"{a="b"}"#)
        #expect(b.streams[0].entries.count == 1)
        #expect(b.streams[0].entries[0].timestamp == 1_000_000_002)
        #expect(Array(b.line(b.streams[0].entries[0])) == Array("hi".utf8))
    }

    @Test func encoderProducesPinnedBytes() {
        var builder = PushBatchBuilder()
        builder.stream(#"{a="b"}"#)
        builder.entry(1_000_000_002, "hi")
        #expect(PushProtobuf.encode(builder.batch) == Self.pinned)
    }

    @Test func roundTripWithMetadataAndUnknownFields() throws {
        var builder = PushBatchBuilder()
        builder.stream(#"{app="x"}"#)
        builder.entry(5, "one", metadata: [Label("trace_id", "abc")])
        builder.entry(-1_500_000_000, "")
        builder.stream(#"{app="y"}"#)
        builder.entry(7, "two")
        var bytes = PushProtobuf.encode(builder.batch)
        // An unknown varint field (15) and fixed32 field (14) at the top level are skipped.
        bytes += [0x78, 0x2A, 0x75, 1, 2, 3, 4]
        let b = try PushProtobuf.decode(bytes)
        #expect(b.streams.map(\.labels) == [#"{app="x"}"#, #"{app="y"}"#])
        #expect(b.streams[0].entries.map(\.timestamp) == [5, -1_500_000_000])
        #expect(b.metadata == [[Label("trace_id", "abc")]])
        #expect(b.streams[0].entries[0].metadata == 0)
        #expect(b.streams[0].entries[1].metadata == -1)
        #expect(String(decoding: b.line(b.streams[1].entries[0]), as: UTF8.self) == "two")
    }

    @Test func everyTruncationThrowsNeverTraps() {
        var builder = PushBatchBuilder()
        builder.stream(#"{app="x", env="prod"}"#)
        for i in 0..<5 { builder.entry(Int64(i) * 1_000_000_007, "line number \(i)", metadata: i == 2 ? [Label("k", "v")] : []) }
        let bytes = PushProtobuf.encode(builder.batch)
        var threw = 0
        for cut in 0..<bytes.count {
            if (try? PushProtobuf.decode(Array(bytes[0..<cut]))) == nil { threw += 1 }
        }
        // A cut exactly at a top-level field boundary (only 0 here) is a valid, shorter request.
        #expect(threw == bytes.count - 1)
    }

    @Test func randomGarbageNeverTraps() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let n = Int.random(in: 0..<64, using: &rng)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? PushProtobuf.decode(bytes)
        }
    }

    /// Entries in the usual layout take a fast path; every other layout, and every damaged entry,
    /// takes the general one. Both must agree on every input: layouts a client may legally write
    /// (fields reordered, repeated, unknown, absent, metadata, negative times) and random damage.
    @Test func fastPathAgreesWithTheGeneralPath() {
        func field(_ n: UInt64, _ bytes: [UInt8]) -> [UInt8] {
            var o: [UInt8] = []
            o.appendUVarint(n << 3 | 2)
            o.appendUVarint(UInt64(bytes.count))
            return o + bytes
        }
        func varintField(_ n: UInt64, _ v: UInt64) -> [UInt8] {
            var o: [UInt8] = []
            o.appendUVarint(n << 3)
            o.appendUVarint(v)
            return o
        }
        let ts = varintField(1, 1_700_000_000) + varintField(2, 123)
        let line = field(2, Array("a line".utf8))
        let entries: [[UInt8]] = [
            field(1, ts) + line,                                              // the usual layout
            line + field(1, ts),                                              // line first
            field(1, varintField(2, 5) + varintField(1, 7)) + line,           // nanos before seconds
            field(1, []) + line,                                              // the epoch, fields omitted
            field(1, varintField(1, UInt64(bitPattern: -5))) + line,          // before 1970
            field(1, ts) + line + field(3, field(1, Array("k".utf8)) + field(2, Array("v".utf8))), // metadata
            field(1, ts) + line + varintField(9, 1),                          // an unknown field
            field(1, ts) + line + field(2, Array("second".utf8)),             // a repeated line: last wins
            field(1, ts + varintField(1, 9)) + line,                          // a repeated second
            line,                                                             // no timestamp
            field(1, ts),                                                     // no line
            field(1, varintField(2, 2_000_000_000)) + line,                   // nanos out of range
        ]
        var bodies: [[UInt8]] = []
        for e in entries {
            bodies.append(field(1, field(1, Array(#"{a="b"}"#.utf8)) + field(2, e) + field(2, field(1, ts) + line)))
        }
        var rng = SystemRandomNumberGenerator()
        let base = bodies
        for _ in 0..<3000 {
            var b = base.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<b.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: b[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                case 1: b.remove(at: at)
                default: b.insert(UInt8.random(in: 0...255, using: &rng), at: at)
                }
            }
            bodies.append(b)
        }
        var fastUsed = 0
        for body in bodies {
            let fast = Result { () throws(PushDecodeError) in try PushProtobuf.decode(body, fastPath: true) }
            let general = Result { () throws(PushDecodeError) in try PushProtobuf.decode(body, fastPath: false) }
            switch (fast, general) {
            case (.success(let a), .success(let b)):
                #expect(a.streams.map(\.labels) == b.streams.map(\.labels))
                #expect(a.streams.map { $0.entries.map(\.timestamp) } == b.streams.map { $0.entries.map(\.timestamp) })
                #expect(a.streams.map { $0.entries.map { Array(a.line($0)) } } == b.streams.map { $0.entries.map { Array(b.line($0)) } })
                #expect(a.streams.map { $0.entries.map(\.metadata) } == b.streams.map { $0.entries.map(\.metadata) })
                #expect(a.metadata == b.metadata)
                fastUsed += 1
            case (.failure(let a), .failure(let b)):
                #expect(a.message == b.message)
            default:
                Issue.record("fast and general paths disagree on \(body): \(fast) vs \(general)")
            }
        }
        #expect(fastUsed > entries.count, "too few bodies decoded for the comparison to mean anything")
    }

    @Test func badWireTypeAndOverlongLengthsAreClearErrors() {
        do {
            _ = try PushProtobuf.decode([0x0b])
            Issue.record("wire type 3 accepted")
        } catch {
            #expect(error.message.hasPrefix("the protobuf push body is malformed: unsupported wire type 3"))
        }
        #expect(throws: PushDecodeError.self) { try PushProtobuf.decode([0x0a, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) }
    }
}

@Suite struct PushJSONTests {
    @Test func decodesValuesMetadataAndEscapes() throws {
        let body = #"""
        {"streams":[{"stream":{"job":"api","level":"info"},"values":[["1700000000000000000","plain"],
          ["1700000000000000001","esc \"q\" \\ \n\t \u00e9 \ud83d\ude00 \/",{"trace_id":"t1"}]]},
          {"stream":{"job":"db"},"values":[]}], "extra": {"nested": [1, 2.5e3, true, null]}}
        """#
        let b = try PushJSON.decode(Array(body.utf8))
        #expect(b.streams.count == 2)
        #expect(b.streams[0].labels == #"{job="api", level="info"}"#)
        #expect(b.streams[0].entries.map(\.timestamp) == [1_700_000_000_000_000_000, 1_700_000_000_000_000_001])
        #expect(String(decoding: b.line(b.streams[0].entries[1]), as: UTF8.self) == "esc \"q\" \\ \n\t é 😀 /")
        #expect(b.metadata == [[Label("trace_id", "t1")]])
        #expect(b.streams[1].entries.isEmpty)
    }

    @Test func labelValuesWithQuotesAreEscapedForTheParser() throws {
        let b = try PushJSON.decode(Array(#"{"streams":[{"stream":{"a":"x\"y\nz"},"values":[["1","l"]]}]}"#.utf8))
        let parsed = try LabelParser.parse(b.streams[0].labels)
        #expect(parsed["a"] == "x\"y\nz")
    }

    @Test func legacyEntriesShape() throws {
        let body = #"{"streams":[{"labels":"{app=\"old\"}","entries":[{"ts":"2023-11-14T22:13:20.5Z","line":"legacy"}]}]}"#
        let b = try PushJSON.decode(Array(body.utf8))
        #expect(b.streams[0].labels == #"{app="old"}"#)
        #expect(b.streams[0].entries[0].timestamp == 1_700_000_000_500_000_000)
    }

    @Test func malformedBodiesHaveClearMessages() {
        let cases: [(String, String)] = [
            ("", "expected '{' at the start of the body"),
            ("[]", "expected '{' at the start of the body"),
            ("{}", "the JSON push body has no \"streams\" array"),
            (#"{"streams":[{"stream":{"a":"b"},"values":[[1700000000,"x"]]}]}"#, "the timestamp must be a string of unix nanoseconds"),
            (#"{"streams":[{"stream":{"a":"b"},"values":[["17x","x"]]}]}"#, "the timestamp must be a string of unix nanoseconds"),
            (#"{"streams":[{"stream":{"a":"b"},"values":[["99999999999999999999","x"]]}]}"#, "the timestamp does not fit in 64-bit nanoseconds"),
            (#"{"streams":[{"stream":{"a":"b"},"values":[["1",5]]}]}"#, "the log line must be a string"),
            (#"{"streams":[{"stream":{"a":1},"values":[]}]}"#, "label \"a\" must have a string value"),
            (#"{"streams":[{"stream":{"a":"b"},"values":[["1","x\q"]]}]}"#, "invalid escape"),
            ("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"1\",\"x\u{01}\"]]}]}", "control character 0x1 inside a string must be escaped"),
            (#"{"streams":[]} trailing"#, "unexpected data after the JSON document"),
            (#"{"streams":[{"stream":{"a":"b"},"values":[["1","x"]]}]"#, "expected '}' or ','"),
            (#"{"x":"# + String(repeating: "[", count: 100) + "}", "nesting deeper than 64 levels"),
        ]
        for (body, fragment) in cases {
            do {
                _ = try PushJSON.decode(Array(body.utf8))
                Issue.record("accepted: \(body)")
            } catch {
                #expect(error.message.contains(fragment), "\(body) → \(error.message)")
            }
        }
    }

    @Test func everyTruncationThrows() {
        let body = Array(#"{"streams":[{"stream":{"job":"api"},"values":[["1700000000000000000","a \"line\""],["1","b",{"k":"v"}]]}]}"#.utf8)
        for cut in 0..<body.count {
            #expect(throws: PushDecodeError.self) { try PushJSON.decode(Array(body[0..<cut])) }
        }
        #expect((try? PushJSON.decode(body)) != nil)
    }
}

/// The JSON string scan (`PushJSON.unescape`: closing quote found 16 bytes at a time, escaped
/// strings decoded into room made for them) must give what the byte-by-byte reading gives — the
/// same bytes, or the same error at the same offset — for any string, well-formed or not.
@Suite struct JSONStringScanTests {
    static let pieces: [String] = [
        "a", "plain text ", #"\""#, #"\\"#, #"\/"#, #"\n"#, #"\t"#, #"\r\b\f"#, #"\u00e9"#, #"\u20AC"#,
        #"\uD83D\uDE00"#, #"\uD83D"#, #"\uDE00"#, #"\uD83Dx"#, #"\uD83D\u0041"#, #"\u12"#, #"\uZZZZ"#, #"\x"#,
        "\u{01}", "\u{1f}", "é", "€", "{\\\"level\\\":\\\"warn\\\"}", String(repeating: "0123456789abcdef", count: 3), "\\",
    ]

    static func both(_ content: [UInt8]) -> (fast: Result<[UInt8], PushDecodeError>, slow: Result<[UInt8], PushDecodeError>) {
        let body = [0x22] + content + [0x22, 0x20]
        return body.withUnsafeBytes { raw in
            func run(_ fast: Bool) -> Result<[UInt8], PushDecodeError> {
                var d = PushJSON(p: raw)
                var out: [UInt8] = [7] // something already there
                do throws(PushDecodeError) {
                    if fast { try d.unescape(into: &out) } else { try d.unescapeByteByByte(into: &out) }
                    return d.i == content.count + 2 ? .success(out) : .failure(PushDecodeError("stopped at \(d.i)"))
                } catch {
                    return .failure(error)
                }
            }
            return (run(true), run(false))
        }
    }

    @Test func fastScanEqualsByteByByte() {
        var rng = SplitMix(7)
        for _ in 0..<5000 {
            let n = Int.random(in: 0..<12, using: &rng)
            let text = (0..<n).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
            var bytes = Array(text.utf8)
            // Sometimes cut the string short, or drop a quote in the middle.
            if !bytes.isEmpty, Int.random(in: 0..<8, using: &rng) == 0 { bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng)) }
            if Int.random(in: 0..<10, using: &rng) == 0 { bytes.insert(0x22, at: Int.random(in: 0...bytes.count, using: &rng)) }
            let (fast, slow) = Self.both(bytes)
            switch (fast, slow) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(text)")
            case (.failure(let a), .failure(let b)): #expect(a.message == b.message, "\(text)")
            default: Issue.record("one read failed and the other did not: \(text) → \(fast) vs \(slow)")
            }
        }
    }

    @Test func unterminatedAndControlBytesAreWordedWithTheirOffset() {
        #expect(throws: PushDecodeError.self) { try PushJSON.decode(Array(#"{"streams":[{"stream":{"a":"1"},"values":[["1","abc"#.utf8)) }
        let (fast, _) = Self.both(Array("ab\u{01}c".utf8))
        if case .failure(let e) = fast { #expect(e.message.contains("control character 0x1 inside a string must be escaped at offset 3")) } else { Issue.record("accepted a control byte") }
    }
}
