import TestSupport
import Foundation
import Logging
import Synchronization
import Testing
@testable import WriteAheadLog

/// Writer → reader round trips, and the table of damage cases replay must survive.
@Suite struct LogReplayTests {
    let logger = Logger(label: "test")

    /// Writes `count` records (payload = "record-<i>") with `writers` concurrent appenders; returns the directory.
    func writeLog(_ dir: TestDirectory, count: Int, writers: Int = 4, segmentSize: Int = 64 << 20) async throws {
        let w = try LogWriter(configuration: .init(directory: dir.path, segmentSize: segmentSize, fsync: .always),
                              nextLSN: 1, segmentIndex: 1, logger: logger) { _ in }
        w.start()
        try await withThrowingTaskGroup(of: Void.self) { g in
            for k in 0..<writers {
                g.addTask {
                    for i in stride(from: k, to: count, by: writers) {
                        _ = try await w.append(type: .push, tenant: "t", payload: Array("record-\(i)".utf8))
                    }
                }
            }
            try await g.waitForAll()
        }
        w.close()
    }

    func replay(_ dir: TestDirectory, repair: Bool = true) throws -> (ReplayReport, [WALRecord]) {
        var records: [WALRecord] = []
        let r = try LogReader.replay(directory: dir.path, repair: repair, logger: logger) { records.append($0) }
        return (r, records)
    }

    @Test func roundTripWithGroupCommitKeepsLSNOrder() async throws {
        let dir = TestDirectory()
        try await writeLog(dir, count: 500)
        let (report, records) = try replay(dir)
        #expect(report.damage.isEmpty)
        #expect(records.count == 500)
        #expect(records.map(\.lsn) == Array(1...500))
        let payloads = Set(records.map { String(decoding: $0.payload, as: UTF8.self) })
        #expect(payloads == Set((0..<500).map { "record-\($0)" }))
        #expect(report.nextSegmentIndex == 2)
    }

    @Test func rotationSpreadsRecordsOverSegments() async throws {
        let dir = TestDirectory()
        try await writeLog(dir, count: 300, writers: 1, segmentSize: 1024)
        #expect(dir.files().count > 5)
        let (report, records) = try replay(dir)
        #expect(report.damage.isEmpty)
        #expect(records.map(\.lsn) == Array(1...300))
    }

    @Test func writerContinuesAfterReplayedLSN() async throws {
        let dir = TestDirectory()
        try await writeLog(dir, count: 10)
        let (r1, _) = try replay(dir)
        let w = try LogWriter(configuration: .init(directory: dir.path), nextLSN: r1.lastLSN + 1, segmentIndex: r1.nextSegmentIndex,
                              logger: logger) { _ in }
        w.start()
        let lsn = try await w.append(type: .push, tenant: "t", payload: [1])
        w.close()
        #expect(lsn == 11)
        let (_, records) = try replay(dir)
        #expect(records.map(\.lsn) == Array(1...11))
    }

    /// Starts with nothing pushed before the stop leave no trail of empty segments: the newest
    /// segment, when it holds no record, is the one the next writer opens again.
    @Test func idleRestartsReuseTheEmptyNewestSegment() async throws {
        let dir = TestDirectory()
        func start(_ records: Int) async throws -> ReplayReport {
            let (r, _) = try replay(dir)
            let w = try LogWriter(configuration: .init(directory: dir.path), nextLSN: r.lastLSN + 1, segmentIndex: r.nextSegmentIndex,
                                  sealedSegments: r.segmentLastLSN, logger: logger) { _ in }
            w.start()
            for i in 0..<records { _ = try await w.append(type: .push, tenant: "t", payload: Array("r\(i)".utf8)) }
            w.close()
            return r
        }
        #expect(try await start(0).nextSegmentIndex == 1)
        #expect(try await start(0).nextSegmentIndex == 1, "segment 1 is empty: opened again")
        #expect(try await start(3).nextSegmentIndex == 1)
        #expect(try await start(0).nextSegmentIndex == 2, "segment 1 holds records: a new one")
        let idle = try await start(0)
        #expect(idle.nextSegmentIndex == 2 && idle.segmentLastLSN.map(\.index) == [1], "the empty one is not listed as sealed")
        #expect(dir.files().filter { SegmentName.index($0) != nil }.sorted() == [SegmentName.name(1), SegmentName.name(2)])
        let (r, records) = try replay(dir)
        #expect(r.damage.isEmpty && records.map(\.lsn) == [1, 2, 3])
        // The tool's read-only verify leaves the choice alone.
        #expect(try replay(dir, repair: false).0.nextSegmentIndex == 3)
    }

    @Test func onCommitSeesGroupsInLSNOrderBeforeCallersResume() async throws {
        let dir = TestDirectory()
        final class Seen: @unchecked Sendable { var lsns: [UInt64] = []; let lock = NSLock() }
        let seen = Seen()
        let w = try LogWriter(configuration: .init(directory: dir.path), nextLSN: 1, segmentIndex: 1, logger: logger) { group in
            seen.lock.lock()
            seen.lsns += group.map(\.lsn)
            seen.lock.unlock()
        }
        w.start()
        try await withThrowingTaskGroup(of: Void.self) { g in
            for _ in 0..<8 {
                g.addTask {
                    for _ in 0..<25 {
                        let lsn = try await w.append(type: .push, tenant: "t", payload: [0])
                        let applied = seen.lock.withLock { seen.lsns.contains(lsn) }
                        #expect(applied, "caller resumed before its record was applied")
                        // The writer counts a group once its fsync returned: a caller never resumes before that.
                        #expect(w.currentStats.lastLSN >= lsn, "caller resumed before its record was durable")
                    }
                }
            }
            try await g.waitForAll()
        }
        w.close()
        #expect(seen.lsns == Array(1...200))
        #expect(w.currentStats.groups < 200, "concurrent appends should share commits")
    }

    /// The apply of a group overlaps its fsync: a synced group whose apply is still running is not
    /// acknowledged until the apply is done.
    @Test func callersWaitForTheApplyEvenAfterTheFsync() async throws {
        let dir = TestDirectory()
        let release = DispatchSemaphore(value: 0)
        let w = try LogWriter(configuration: .init(directory: dir.path), nextLSN: 1, segmentIndex: 1, logger: logger) { _ in
            release.wait()
        }
        w.start()
        final class Returned: Sendable { let flag = Atomic<Bool>(false) }
        let returned = Returned()
        let task = Task {
            let lsn = try await w.append(type: .push, tenant: "t", payload: [1, 2, 3])
            returned.flag.store(true, ordering: .releasing)
            return lsn
        }
        var waited = 0
        while w.currentStats.fsyncs == 0 && waited < 10_000 {
            try await Task.sleep(nanoseconds: 1_000_000)
            waited += 1
        }
        #expect(w.currentStats.fsyncs >= 1 && w.currentStats.lastLSN == 1, "the record is durable while its apply still runs")
        try await Task.sleep(nanoseconds: 50_000_000)
        let early = returned.flag.load(ordering: .acquiring)
        #expect(!early, "acknowledged before its apply finished")
        release.signal()
        #expect(try await task.value == 1)
        w.close()
    }

    @Test func appendAfterCloseFailsClearly() async throws {
        let dir = TestDirectory()
        let w = try LogWriter(configuration: .init(directory: dir.path), nextLSN: 1, segmentIndex: 1, logger: logger) { _ in }
        w.start()
        w.close()
        await #expect(throws: LogWriter.WriterError.self) { try await w.append(type: .push, tenant: "t", payload: [1]) }
    }

    /// Truncating the last segment at every byte offset of its last two records keeps every whole record.
    @Test func tornTailAtEveryOffsetOfTheLastTwoRecords() async throws {
        let source = TestDirectory()
        try await writeLog(source, count: 20, writers: 1)
        let name = SegmentName.name(1)
        let original = try DurableFile.read(source.path + "/" + name)
        // Frame boundaries, from the pristine log.
        var ends: [Int] = []
        var off = WALFormat.segmentHeaderSize
        while off < original.count {
            let len = Int(UInt32(original[off]) | UInt32(original[off + 1]) << 8 | UInt32(original[off + 2]) << 16 | UInt32(original[off + 3]) << 24)
            off += WALFormat.frameHeaderSize + len
            ends.append(off)
        }
        #expect(ends.count == 20)
        let firstCut = ends[17]
        for cut in firstCut..<original.count {
            let dir = TestDirectory()
            try DurableFile.writeAtomically(Array(original[0..<cut]), to: dir.path + "/" + name)
            let (report, records) = try replay(dir)
            let whole = ends.filter { $0 <= cut }.count
            #expect(records.count == whole, "cut at \(cut)")
            #expect(records.map(\.lsn) == Array(1...UInt64(whole)))
            if ends.contains(cut) {
                #expect(report.damage.isEmpty)
            } else {
                #expect(report.damage.count == 1)
                #expect(report.damage.first?.kind == .tornTail)
                #expect(report.damage.first?.bytesLost == cut - ends[whole - 1])
                #expect(report.damage.first?.offset == ends[whole - 1])
            }
            // The repair is durable: the file now ends at the last whole record and replays clean.
            #expect(DurableFile.size(dir.path + "/" + name) == ends[whole - 1])
            let (again, records2) = try replay(dir)
            #expect(again.damage.isEmpty)
            #expect(records2.count == whole)
        }
    }

    /// A flipped byte anywhere in a middle segment loses exactly the record it hit; the rest survive,
    /// the segment is rewritten and the original quarantined.
    @Test func flippedBytesLoseOnlyTheDamagedRecord() async throws {
        let source = TestDirectory()
        try await writeLog(source, count: 60, writers: 1, segmentSize: 600)
        let names = source.files()
        #expect(names.count >= 3)
        let victim = names[1]
        let bytes = try DurableFile.read(source.path + "/" + victim)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<25 {
            let dir = TestDirectory()
            for n in names { try DurableFile.writeAtomically(try DurableFile.read(source.path + "/" + n), to: dir.path + "/" + n) }
            var damaged = bytes
            let at = Int.random(in: WALFormat.segmentHeaderSize..<damaged.count, using: &rng)
            damaged[at] ^= UInt8.random(in: 1...255, using: &rng)
            try DurableFile.writeAtomically(damaged, to: dir.path + "/" + victim)
            let (report, records) = try replay(dir)
            #expect(records.count == 59, "flip at \(at) of \(victim)")
            #expect(report.damage.count == 1)
            #expect(report.damage.first?.kind == .corruptRegion)
            #expect(report.damage.first?.segment == SegmentName.index(victim))
            #expect(dir.files().contains(victim + SegmentName.quarantineSuffix))
            let (again, records2) = try replay(dir)
            #expect(again.damage.isEmpty)
            #expect(records2.map(\.lsn) == records.map(\.lsn))
        }
    }

    @Test func deletedMiddleSegmentIsReportedAndTheRestReplays() async throws {
        let dir = TestDirectory()
        try await writeLog(dir, count: 60, writers: 1, segmentSize: 600)
        let names = dir.files()
        let gone = names[1]
        let lostCount = try replay(dir).1.count
        try FileManager.default.removeItem(atPath: dir.path + "/" + gone)
        var (report, records) = try replay(dir)
        #expect(report.damage.map(\.kind) == [.missingSegment])
        #expect(report.damage.first?.segment == SegmentName.index(gone))
        #expect(records.count < lostCount)
        #expect(records.count > 0)
        // Appending continues after the highest LSN seen.
        let w = try LogWriter(configuration: .init(directory: dir.path), nextLSN: report.lastLSN + 1,
                              segmentIndex: report.nextSegmentIndex, logger: logger) { _ in }
        w.start()
        _ = try await w.append(type: .push, tenant: "t", payload: [9])
        w.close()
        (report, records) = try replay(dir)
        #expect(records.last?.lsn == 61)
    }

    @Test func unreadableHeaderQuarantinesTheSegment() async throws {
        let dir = TestDirectory()
        try await writeLog(dir, count: 60, writers: 1, segmentSize: 600)
        let names = dir.files()
        var bytes = try DurableFile.read(dir.path + "/" + names[0])
        bytes[0] = 0x00
        try DurableFile.writeAtomically(bytes, to: dir.path + "/" + names[0])
        let (report, records) = try replay(dir)
        #expect(report.damage.first?.kind == .badHeader)
        #expect(records.count > 0)
        #expect(dir.files().contains(names[0] + SegmentName.quarantineSuffix))
    }

    @Test func interruptedRepairIsFinished() async throws {
        let dir = TestDirectory()
        try await writeLog(dir, count: 5, writers: 1)
        let name = SegmentName.name(1)
        try FileManager.default.moveItem(atPath: dir.path + "/" + name, toPath: dir.path + "/" + name + SegmentName.repairedSuffix)
        let (report, records) = try replay(dir)
        #expect(report.damage.isEmpty)
        #expect(records.count == 5)
        #expect(dir.files() == [name])
    }

    @Test func verifyModeReportsWithoutTouchingFiles() async throws {
        let dir = TestDirectory()
        try await writeLog(dir, count: 5, writers: 1)
        let path = dir.path + "/" + SegmentName.name(1)
        let bytes = try DurableFile.read(path)
        try DurableFile.writeAtomically(Array(bytes.dropLast(3)), to: path)
        let (report, _) = try replay(dir, repair: false)
        #expect(report.damage.first?.kind == .tornTail)
        #expect(DurableFile.size(path) == bytes.count - 3)
    }
}
