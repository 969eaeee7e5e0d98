import ChunkFormat
import Foundation
import Logging
import LogModel
import Storage
import TestSupport
import WriteAheadLog

/// Data written by the server's own writers (the WAL's `LogWriter`, the `ChunkStore`, the
/// `StoreIndex`) for the tool to read.
enum ToolHarness {
    static let logger = Logger(label: "tool-test")

    /// Writes `count` push records (tenants alternating "a"/"b", two streams, three entries each)
    /// into `dir`, rotating segments at `segmentSize`.
    static func writeLog(_ dir: String, count: Int, segmentSize: Int = 64 << 20) async throws {
        let w = try LogWriter(configuration: .init(directory: dir, segmentSize: segmentSize, fsync: .always),
                              nextLSN: 1, segmentIndex: 1, logger: logger) { _ in }
        w.start()
        for i in 0..<count {
            var b = PushBatchBuilder()
            b.stream(#"{app="api"}"#)
            for k in 0..<3 { b.entry(Int64(i * 10 + k), "record \(i) line \(k)") }
            b.stream(#"{app="web", pod="p\#(i % 2)"}"#)
            b.entry(Int64(i * 10), "web \(i)")
            _ = try await w.append(type: .push, tenant: i % 2 == 0 ? "a" : "b", payload: PushRecord.encode(b.batch))
        }
        w.close()
    }

    static func segments(_ dir: String) -> [String] { DurableFile.list(dir).filter { SegmentName.index($0) != nil }.sorted() }

    static func bytes(_ path: String) -> [UInt8] { (try? DurableFile.read(path)) ?? [] }

    /// Every record the server's replay would apply, on a copy (so `dir` is untouched).
    static func replayedLSNs(_ dir: String) throws -> [UInt64] {
        let copy = TestDirectory()
        for n in DurableFile.list(dir) { try DurableFile.writeAtomically(bytes(dir + "/" + n), to: copy.path + "/" + n) }
        var lsns: [UInt64] = []
        _ = try LogReader.replay(directory: copy.path, logger: logger) { lsns.append($0.lsn) }
        return lsns
    }

    /// A chunk file of `blocks` blocks of three lines each, written by the chunk store.
    static func chunk(_ store: ChunkStore, labels: String = #"{app="api"}"#, blocks: Int = 3, tenant: String = "fake", at t0: Int64 = 1_000) throws -> ChunkRef {
        let bs = (0..<blocks).map { i in
            var w = BlockWriter()
            for k in 0..<3 { w.append(LogEntry(timestamp: t0 + Int64(i * 10 + k), line: Array("block \(i) line \(k)".utf8))) }
            return ChunkBlock(sealing: w, encoding: .lz4)
        }
        let header = ChunkHeader(encoding: .lz4, tenant: tenant, labels: (try LabelParser.parse(labels)).canonical, minLSN: 1, maxLSN: 9,
                                 minTime: bs.map(\.minTime).min()!, maxTime: bs.map(\.maxTime).max()!)
        return try store.put(header: header, blocks: bs)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }
}
