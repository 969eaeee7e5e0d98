@testable import ReadPath
import Testing

/// `detected_labels`' rule for labels that only hold ids (ReadPath/Querier+Detected.swift).
@Suite struct QuerierDetectedTests {
    @Test func idOnlyLabelsAreLeftOut() {
        #expect(Querier.allIDs(["1", "2", "3"]))
        #expect(Querier.allIDs(["6ba7b810-9dad-11d1-80b4-00c04fd430c8", "6ba7b8109dad11d180b400c04fd430c8", "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}"]))
        #expect(!Querier.allIDs(["0", "1"]))
        #expect(!Querier.allIDs(["1", "api"]))
        #expect(!Querier.allIDs(["prod", "dev", "3"]))
        #expect(Querier.allIDs(["7", "8"]))
        #expect(!Querier.isUUID("6ba7b810-9dad-11d1-80b4-00c04fd430cZ"))
    }
}
