@testable import ReadPath
import Testing

/// How `volume_range` spreads a chunk's bytes over its buckets (ReadPath/Querier+Volume.swift).
@Suite struct VolumeSpreadTests {
    @Test func bytesAreSpreadByTimeOverlapAndNoneIsLost() {
        var b = [0, 0, 0]
        Querier.spread(1000, from: 0, to: 100, over: [50, 100, 150], step: 50, into: &b)
        #expect(b == [500, 500, 0])
        b = [0, 0, 0]
        Querier.spread(999, from: 10, to: 140, over: [50, 100, 150], step: 50, into: &b)
        #expect(b.reduce(0, +) == 999)
        #expect(b[0] == 307 && b[1] == 384)
        b = [0, 0, 0]
        Querier.spread(7, from: 120, to: 120, over: [50, 100, 150], step: 50, into: &b)
        #expect(b == [0, 0, 7])
        b = [0, 0, 0]
        Querier.spread(7, from: 200, to: 300, over: [50, 100, 150], step: 50, into: &b)
        #expect(b == [0, 0, 0])
    }
}
