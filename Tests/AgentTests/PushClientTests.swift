import Codecs
import Foundation
import LogModel
import Testing
@testable import Agent

@Suite struct PushClientTests {
    static func item(_ labels: String?, tenant: String = "", ts: Int64 = 1, _ line: String = "", offset: Int64 = 0) -> PushItem {
        PushItem(entry: labels.map { .init(labels: $0, tenant: tenant, timestamp: ts, line: line) },
                 file: "/f", mark: .init(generation: 0, offset: offset))
    }

    static func decode(_ body: [UInt8]) throws -> [(labels: String, lines: [String])] {
        let b = try PushProtobuf.decode(try Snappy.decompress(body, maxOutput: 1 << 24))
        return b.streams.map { s in (s.labels, s.entries.map { String(decoding: b.line($0), as: UTF8.self) }) }
    }

    /// One push per tenant: entries without a tenant go with the client's own; streams in order of
    /// first appearance, each stream's lines in arrival order; marks carry nothing.
    @Test func encodesOneTenantsEntriesGroupedByStream() throws {
        let items = [Self.item(#"{a="1"}"#, "one"), Self.item(nil), Self.item(#"{a="2"}"#, tenant: "team-b", "other tenant"),
                     Self.item(#"{a="2"}"#, tenant: "team-a", "two"), Self.item(#"{a="1"}"#, tenant: "team-a", "three"),
                     Self.item(#"{a="1"}"#, "four"), Self.item(#"{a="3"}"#, "fünf")]
        var buffers = PushClient.Buffers()
        let a = PushClient.encode(items, tenant: "team-a", clientTenant: "team-a", into: &buffers)
        #expect(a.entries == 5)
        #expect(a.bytes == "one".utf8.count + "two".utf8.count + "three".utf8.count + "four".utf8.count + "fünf".utf8.count)
        let streams = try Self.decode(buffers.body)
        #expect(streams.map(\.labels) == [#"{a="1"}"#, #"{a="2"}"#, #"{a="3"}"#])
        #expect(streams.map(\.lines) == [["one", "three", "four"], ["two"], ["fünf"]])
        // The same buffers, another tenant: only its entry.
        let b = PushClient.encode(items, tenant: "team-b", clientTenant: "team-a", into: &buffers)
        #expect(b.entries == 1 && b.bytes == "other tenant".utf8.count)
        #expect(try Self.decode(buffers.body).map(\.lines) == [["other tenant"]])
        // No entries for a tenant: an empty request.
        let none = PushClient.encode([Self.item(nil)], tenant: "", clientTenant: "", into: &buffers)
        #expect(none.entries == 0 && none.bytes == 0 && none.dropped.entries == 0)
        #expect(try Self.decode(buffers.body).isEmpty)
    }

    /// `limits_config.max_streams`: a push holds at most that many streams; entries of the others
    /// are left out and counted.
    @Test func entriesOfStreamsPastTheLimitAreLeftOut() throws {
        let items = [Self.item(#"{a="1"}"#, "one"), Self.item(#"{a="2"}"#, "two"), Self.item(#"{a="3"}"#, "three!"),
                     Self.item(#"{a="1"}"#, "four"), Self.item(#"{a="3"}"#, "five")]
        var buffers = PushClient.Buffers()
        let r = PushClient.encode(items, tenant: "", clientTenant: "", maxStreams: 2, into: &buffers)
        #expect(r.entries == 3 && r.bytes == 10 && r.dropped.entries == 2 && r.dropped.bytes == 10)
        #expect(try Self.decode(buffers.body).map(\.lines) == [["one", "four"], ["two"]])
        let all = PushClient.encode(items, tenant: "", clientTenant: "", into: &buffers)
        #expect(all.entries == 5 && all.dropped.entries == 0)
    }

    @Test func queueHandsOverEverythingInOrderAndBoundsWhatWaits() {
        let q = PushQueue(maxBytes: 10)
        #expect(q.put([Self.item("{}", "12345"), Self.item(nil)], shouldStop: { false }))
        var out = [Self.item("{}", "stale")]
        q.take(until: Date(), into: &out)
        #expect(out.map { $0.entry?.line } == ["12345", nil], "what was in the array is replaced")
        #expect(q.queuedBytes == 0)
        // Full: a put that would go over waits, and gives up when told to stop.
        #expect(q.put([Self.item("{}", "1234567890")], shouldStop: { false }))
        #expect(!q.put([Self.item("{}", "x")], shouldStop: { true }))
        q.take(until: Date(), into: &out)
        #expect(out.count == 1)
        q.close()
        #expect(!q.put([Self.item("{}", "x")], shouldStop: { false }))
        q.take(until: Date().addingTimeInterval(5), into: &out)
        #expect(out.isEmpty, "closed: returns at once, empty")
    }
}
