import Testing
import WriteAheadLog
@testable import ServerApp

@Suite struct ReadinessTests {
    @Test func phasesAndReplayProgress() {
        let r = Readiness()
        #expect(!r.isReady)
        #expect(r.message == "Ingester not ready: starting")
        r.set(.replaying(ReplayProgress(bytesRead: 50, bytesTotal: 200, records: 7)))
        #expect(r.message == "Ingester not ready: replaying the write-ahead log: 25% (50 of 200 bytes, 7 records)")
        r.set(.ready)
        #expect(r.isReady)
        r.set(.stopping)
        #expect(!r.isReady)
        #expect(r.message == "Ingester not ready: stopping")
    }
}
