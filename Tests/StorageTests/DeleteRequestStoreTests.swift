import Foundation
import Storage
import Testing
import TestSupport
import WriteAheadLog

/// Delete requests survive a restart, cancel only within the period, and a damaged file is refused
/// (starting without it would show deleted lines again).
struct DeleteRequestStoreTests {
    @Test func persistsCancelsAndRefusesDamage() throws {
        let dir = TestDirectory()
        let s = try DeleteRequestStore(directory: dir.path)
        try s.add(DeleteRequest(requestID: "0000000a", tenant: "t", query: #"{a="1"}"#, start: 0, end: 10, createdAt: 100))
        try s.add(DeleteRequest(requestID: "0000000b", tenant: "t", query: #"{a="2"}"#, start: 0, end: 10, createdAt: 100))
        try s.add(DeleteRequest(requestID: "0000000c", tenant: "u", query: #"{a="3"}"#, start: 0, end: 10, createdAt: 100))
        #expect(s.list(tenant: "t").map(\.requestID) == ["0000000a", "0000000b"])
        // Another tenant's id is not found; too late is refused; in time works.
        #expect(throws: DeleteRequestStore.Refusal.self) { try s.cancel(tenant: "t", id: "0000000c", now: 101, cancelPeriod: 50) }
        #expect(throws: DeleteRequestStore.Refusal.self) { try s.cancel(tenant: "t", id: "0000000a", now: 150, cancelPeriod: 50) }
        try s.cancel(tenant: "t", id: "0000000a", now: 149, cancelPeriod: 50)
        try s.markProcessed("0000000b")
        #expect(throws: DeleteRequestStore.Refusal.self) { try s.cancel(tenant: "t", id: "0000000b", now: 101, cancelPeriod: 50) }
        let again = try DeleteRequestStore(directory: dir.path)
        #expect(again.all.map(\.requestID) == ["0000000b", "0000000c"])
        #expect(again.list(tenant: "t").first?.status == .processed)
        try DurableFile.writeAtomically(Array("[{\"request_id\":".utf8), to: dir.path + "/delete_requests.json")
        #expect(throws: DeleteRequestStore.Refusal.self) { try DeleteRequestStore(directory: dir.path) }
    }

    /// The file carries its version; the layout before the version field is still read (and
    /// rewritten in the new one), a newer version is refused with what to do, damage is refused.
    @Test func versionedFileAndTheOlderLayout() throws {
        let dir = TestDirectory()
        let path = dir.path + "/delete_requests.json"
        let old = #"[{"created_at":100,"end":10,"query":"{a=\"1\"}","request_id":"0000000a","start":0,"status":"received","tenant":"t"}]"#
        try DurableFile.writeAtomically(Array(old.utf8), to: path)
        let s = try DeleteRequestStore(directory: dir.path)
        #expect(s.all.map(\.requestID) == ["0000000a"])
        try s.markProcessed("0000000a")
        let written = try #require(try JSONSerialization.jsonObject(with: Data(try DurableFile.read(path))) as? [String: Any])
        #expect(written["version"] as? Int == DeleteRequestStore.version && (written["requests"] as? [Any])?.count == 1)
        #expect(try DeleteRequestStore(directory: dir.path).all.first?.status == .processed)
        for (text, says) in [(#"{"requests":[],"version":2}"#, "newer Skald"), (#"{"requests":[{"request_id":1}],"version":1}"#, "not a readable"),
                             (#"{"version":1}"#, "not a readable"), ("", "not a readable"), ("null", "not a readable")] {
            try DurableFile.writeAtomically(Array(text.utf8), to: path)
            do {
                _ = try DeleteRequestStore(directory: dir.path)
                Issue.record("\(text) was accepted")
            } catch let r as DeleteRequestStore.Refusal {
                #expect(r.message.contains(says) && r.message.contains(path), "\(text): \(r.message)")
            }
        }
        try DurableFile.writeAtomically(Array(#"{"requests":[],"version":1}"#.utf8), to: path)
        #expect(try DeleteRequestStore(directory: dir.path).all.isEmpty)
    }
}
