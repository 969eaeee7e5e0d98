import Glibc
import Testing
import TestSupport
import WriteAheadLog

/// Chunk files are read through a read-only mapping: it must show the file's bytes, survive the
/// file being unlinked (a retention sweep while a query reads), and fail with the path, not trap.
struct MappedFileTests {
    @Test func mapsTheWholeFile() throws {
        let dir = TestDirectory()
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try DurableFile.writeAtomically(bytes, to: dir.path + "/f")
        let m = try #require(try MappedFile.map(dir.path + "/f"))
        #expect(Array(m.bytes) == bytes)
    }

    @Test func staysReadableAfterTheFileIsUnlinked() throws {
        let dir = TestDirectory()
        let bytes = [UInt8](repeating: 42, count: 70_000)
        try DurableFile.writeAtomically(bytes, to: dir.path + "/f")
        let m = try #require(try MappedFile.map(dir.path + "/f"))
        #expect(DurableFile.remove(dir.path + "/f"))
        #expect(m.bytes.count == 70_000)
        #expect(m.bytes.allSatisfy { $0 == 42 })
    }

    @Test func emptyFileIsNotMappedAndMissingFileIsAnError() throws {
        let dir = TestDirectory()
        try DurableFile.writeAtomically([], to: dir.path + "/empty")
        #expect(try MappedFile.map(dir.path + "/empty") == nil)
        do {
            _ = try MappedFile.map(dir.path + "/absent")
            Issue.record("mapping a missing file succeeded")
        } catch {
            #expect(error.errno == ENOENT)
            #expect(error.description.contains("/absent"))
        }
    }
}
