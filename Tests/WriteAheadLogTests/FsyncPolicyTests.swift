import TestSupport
import Foundation
import Logging
import Testing
@testable import WriteAheadLog

@Suite struct FsyncPolicyTests {
    func run(_ policy: FsyncPolicy, appends: Int) async throws -> (LogWriter.Stats, Int) {
        let dir = TestDirectory()
        let w = try LogWriter(configuration: .init(directory: dir.path, fsync: policy), nextLSN: 1, segmentIndex: 1,
                              logger: Logger(label: "test")) { _ in }
        w.start()
        for i in 0..<appends { _ = try await w.append(type: .push, tenant: "t", payload: Array("p\(i)".utf8)) }
        if case .interval(let ms) = policy { try await Task.sleep(nanoseconds: UInt64(ms) * 3_000_000) }
        let stats = w.currentStats
        w.close()
        var n = 0
        _ = try LogReader.replay(directory: dir.path, logger: Logger(label: "test")) { _ in n += 1 }
        return (stats, n)
    }

    @Test func alwaysSyncsEveryGroup() async throws {
        let (s, n) = try await run(.always, appends: 10)
        #expect(n == 10)
        #expect(s.fsyncs == s.groups)
        #expect(s.groups == 10)
    }

    @Test func intervalSyncsOnATimer() async throws {
        let (s, n) = try await run(.interval(milliseconds: 20), appends: 10)
        #expect(n == 10)
        #expect(s.fsyncs >= 1)
        #expect(s.groups == 10)
    }

    @Test func neverSyncsNothingButStillWrites() async throws {
        let (s, n) = try await run(.never, appends: 10)
        #expect(n == 10)
        #expect(s.fsyncs == 0)
    }
}
