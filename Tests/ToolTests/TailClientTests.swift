import Foundation
import Testing
@testable import Tool

/// `query --tail`'s websocket side without a server: the URL it asks, and the messages it reads.
struct TailClientTests {
    @Test func theTailURLFollowsTheAddress() throws {
        let u = try TailClient.url(LokiClient(address: "http://loki:3100/", orgID: nil, timeout: 1), query: #"{app="a"} |= "x+y""#, limit: 5, start: 42, delayFor: nil)
        #expect(u.hasPrefix("ws://loki:3100/loki/api/v1/tail?query="))
        let q = try #require(URLComponents(string: u)?.queryItems)
        #expect(q.first { $0.name == "query" }?.value == #"{app="a"} |= "x+y""#, "a plus stays a plus: \(u)")
        #expect(q.first { $0.name == "limit" }?.value == "5" && q.first { $0.name == "start" }?.value == "42")
        #expect(!u.contains("delay_for"))
        let s = try TailClient.url(LokiClient(address: "https://logs.example", orgID: nil, timeout: 1), query: "{a=\"b\"}", limit: 1, start: 0, delayFor: 3)
        #expect(s.hasPrefix("wss://logs.example/loki/api/v1/tail?") && s.contains("delay_for=3"))
        for bad in ["localhost:3100", "ftp://x", ""] {
            #expect(throws: TailClient.Failure.self, "\(bad)") { try TailClient.url(LokiClient(address: bad, orgID: nil, timeout: 1), query: "{}", limit: 1, start: 0, delayFor: nil) }
        }
    }

    @Test func messagesGiveTheirLinesOldestFirstAndTheDroppedCount() {
        let m = #"{"streams":[{"stream":{"app":"b"},"values":[["30","three"],["10","one"]]},{"stream":{"app":"a"},"values":[["20","two"]]}],"dropped_entries":[{"labels":"{}","timestamp":"1"},{"labels":"{}","timestamp":"2"}]}"#
        let (entries, dropped) = TailClient.decode(m)
        #expect(entries.map(\.line) == ["one", "two", "three"])
        #expect(entries.map(\.labels) == [#"{app="b"}"#, #"{app="a"}"#, #"{app="b"}"#])
        #expect(dropped == 2)
        for garbage in ["", "not json", "[]", #"{"streams":"no"}"#, #"{"streams":[{"values":[["x"]]}]}"#] {
            #expect(TailClient.decode(garbage).entries.isEmpty, "\(garbage)")
        }
    }
}
