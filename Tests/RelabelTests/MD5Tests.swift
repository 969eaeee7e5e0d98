import Testing
@testable import Relabel

@Suite struct MD5Tests {
    func hex(_ s: String) -> String {
        MD5.digest(Array(s.utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test func rfc1321Vectors() {
        #expect(hex("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(hex("a") == "0cc175b9c0f1b6a831c399e269772661")
        #expect(hex("abc") == "900150983cd24fb0d6963f7d28e17f72")
        #expect(hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0")
        #expect(hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") == "57edf4a22be3c955ac49da2e2107b67a")
    }

    @Test func messagesAcrossBlockBoundaries() {
        // 55, 56 and 64 bytes: the padding's three cases; 1,000 bytes: many blocks.
        #expect(hex(String(repeating: "x", count: 1000)) == "398533d48111e9f664b1f64cb10c4b63")
        #expect(hex(String(repeating: "a", count: 55)) == "ef1772b6dff9a122358552954ad0df65")
        #expect(hex(String(repeating: "a", count: 56)) == "3b0c8ac703f828b04c6c197006d17218")
        #expect(hex(String(repeating: "a", count: 64)) == "014842d480b571495a4a0363793f7367")
    }
}
