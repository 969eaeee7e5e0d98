import TestSupport
import Foundation
import Testing
@testable import WriteAheadLog

/// `DurableFile.Appender` with write-behind: the file is exactly what was appended, and the windows
/// already written back have left the page cache (where the file system drops clean pages at all;
/// tmpfs does not).
@Suite struct DurableFileStreamsTests {
    @Test func writeBehindKeepsContentAndDropsWrittenWindows() throws {
        let dir = TestDirectory()
        let path = dir.path + "/file"
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let window = 4 * page
        let file = try DurableFile.Appender(path: path, writeBehind: window)
        var expected: [UInt8] = []
        for i in 0..<200 {
            // Parts of uneven sizes, so windows end inside parts.
            let part = [UInt8](repeating: UInt8(i & 0xff), count: 1_000 + (i * 37) % 3_000)
            try file.append([part, [0x0a]])
            expected += part + [0x0a]
        }
        #expect(file.written == expected.count)
        #expect(expected.count > 10 * window)
        if try Self.dropsCleanPages(dir.path) {
            let resident = try Self.residentPages(file.tmpPath, count: window / page)
            #expect(resident == 0, "the first window was written back and dropped, \(resident) pages still cached")
        }
        try file.commit()
        #expect(try DurableFile.read(path) == expected)
        #expect(!FileManager.default.fileExists(atPath: file.tmpPath))
    }

    @Test func withoutWriteBehindNothingIsDroppedEarly() throws {
        let dir = TestDirectory()
        let path = dir.path + "/file"
        let file = try DurableFile.Appender(path: path)
        let bytes = [UInt8](repeating: 7, count: 1 << 20)
        try file.append([bytes])
        if try Self.dropsCleanPages(dir.path) {
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            #expect(try Self.residentPages(file.tmpPath, count: 16) == 16, "a plain append leaves its pages cached (\(page)-byte pages)")
        }
        try file.commit()
        #expect(try DurableFile.read(path) == bytes)
    }

    /// How many of the first `count` pages of the file are in the page cache.
    static func residentPages(_ path: String, count: Int) throws -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DurableFile.IOError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        guard let map = mmap(nil, count * page, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            throw DurableFile.IOError(path: path, operation: "mmap", errno: errno)
        }
        defer { munmap(map, count * page) }
        var vec = [UInt8](repeating: 0, count: count)
        guard mincore(map, count * page, &vec) == 0 else { throw DurableFile.IOError(path: path, operation: "mincore", errno: errno) }
        return vec.reduce(0) { $0 + Int($1 & 1) }
    }

    /// Whether this file system drops clean pages on POSIX_FADV_DONTNEED at all (tmpfs does not):
    /// a synced probe file is dropped and looked at.
    static func dropsCleanPages(_ dir: String) throws -> Bool {
        let path = dir + "/probe"
        try DurableFile.writeAtomically([UInt8](repeating: 1, count: 1 << 16), to: path)
        let fd = open(path, O_RDONLY)
        defer { close(fd); unlink(path) }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
        return try residentPages(path, count: 1) == 0
    }
}
