import LogModel
import Testing
@testable import WritePath

/// A busy stream's next head block reserves a block's worth of room; a slow stream's does not (so
/// thousands of slow streams do not each hold a full block of memory).
struct StreamHeadTests {
    static func fill(_ h: StreamHead, bytes: Int, from t: Int64, now: (Int) -> Int64) -> HeadBlock? {
        let line = [UInt8](repeating: 0x61, count: 200)
        var i = 0
        while true {
            _ = line.withUnsafeBytes { h.append(timestamp: t + Int64(i), line: $0, metadata: nil, lsn: 1, now: now(i)) }
            if let b = h.cutIfNeeded(blockSize: bytes, now: now(i)) { return b }
            i += 1
        }
    }

    @Test func busyStreamsReserveTheirNextBlock() {
        let h = StreamHead(labels: LabelSet([Label("app", "busy")]))
        let cut = Self.fill(h, bytes: 64 << 10, from: 0) { Int64($0) * 1_000_000 } // a block in ~0.3 s
        #expect(cut != nil)
        #expect(h.head.isEmpty)
        #expect(h.head.writer.bytes.capacity >= cut!.encodedSize)
    }

    @Test func slowStreamsStartSmall() {
        let h = StreamHead(labels: LabelSet([Label("app", "slow")]))
        let cut = Self.fill(h, bytes: 64 << 10, from: 0) { Int64($0) * 1_000_000_000 } // a line a second
        #expect(cut != nil)
        #expect(h.head.writer.bytes.capacity < 4096)
    }
}
