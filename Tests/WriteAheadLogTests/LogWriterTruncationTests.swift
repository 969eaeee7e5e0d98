import TestSupport
import Foundation
import Logging
import Synchronization
import Testing
@testable import WriteAheadLog

/// Segment deletion when several threads truncate the log at once (the checkpoint and the flush
/// sweep both do): every sealed segment is deleted exactly once and counted once.
@Suite struct LogWriterTruncationTests {
    let logger = Logger(label: "test")

    @Test(arguments: 0..<12) func concurrentTruncationsDeleteEachSegmentOnce(round: Int) async throws {
        let dir = TestDirectory()
        let w = try LogWriter(configuration: .init(directory: dir.path, segmentSize: 512, fsync: .never),
                              nextLSN: 1, segmentIndex: 1, logger: logger) { _ in }
        w.start()
        for i in 0..<400 { _ = try await w.append(type: .push, tenant: "t", payload: Array("record-\(i)".utf8)) }
        let sealed = dir.files().count - 1
        #expect(sealed > 20, "the test needs many sealed segments")

        // Eight threads with overlapping watermarks; the last ones reach past every sealed segment.
        let watermarks: [UInt64] = [100, 200, 200, 300, .max, .max, 150, .max]
        let counts = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: watermarks.count) { k in
            let n = w.deleteSegments(below: watermarks[k])
            counts.withLock { $0.append(n) }
        }
        let total = counts.withLock { $0.reduce(0, +) }
        #expect(total == sealed, "round \(round): \(counts.withLock { $0 }) deleted, \(sealed) sealed")
        #expect(w.currentStats.segmentsDeleted == UInt64(sealed))
        #expect(dir.files().count == 1, "only the segment being written is left")
        #expect(w.deleteSegments(below: .max) == 0)

        // The writer goes on: new segments are sealed and deleted as before.
        for i in 0..<50 { _ = try await w.append(type: .push, tenant: "t", payload: Array("more-\(i)".utf8)) }
        let more = dir.files().count - 1
        #expect(more > 0)
        #expect(w.deleteSegments(below: .max) == more)
        w.close()
    }
}
