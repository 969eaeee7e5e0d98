#if canImport(Glibc)
import Glibc
#endif
import ChunkFormat
import Compactor
import Foundation
import IndexFormat
import Logging
import LogModel
import Storage
import WriteAheadLog

// skald-bench-compaction DIR DAYS STREAMS CHUNKS_PER_DAY WRITES_PER_DAY [CHUNK_BYTES]
//
// Builds a volume the way a server fills it — per day, STREAMS × CHUNKS_PER_DAY chunks indexed in
// WRITES_PER_DAY index writes (so each period has several tables, merged size-tiered as the server
// does) — then times the compactor on it: one compaction pass, then one with retention expiring the
// oldest day (index rewrite + markers), then the deletion of that day's chunk files. Chunk files hold
// CHUNK_BYTES bytes (0: empty files; the compactor only looks them up). Tables go to DIR/index, chunk
// files to DIR/chunks: a server with `path_prefix: DIR` opens the volume as its own.
let args = CommandLine.arguments
guard args.count >= 6, let days = Int(args[2]), let streams = Int(args[3]), let perDay = Int(args[4]), let writes = Int(args[5]) else {
    print("usage: skald-bench-compaction DIR DAYS STREAMS CHUNKS_PER_DAY WRITES_PER_DAY [CHUNK_BYTES]")
    exit(2)
}
let dir = args[1]
let chunkBytes = args.count > 6 ? Int(args[6]) ?? 0 : 0
let logger = Logger(label: "bench")
let day: Int64 = 86_400 * 1_000_000_000
// BENCH_START_UNIX: the first day's start (default: a fixed day in 2023).
let start: Int64 = (Int64(ProcessInfo.processInfo.environment["BENCH_START_UNIX"] ?? "") ?? 1_700_000_000) * 1_000_000_000 / day * day
let chunkObjects = try FilesystemObjectStore(root: dir + "/chunks")
let store = ChunkStore(objects: chunkObjects)
var config = StoreIndex.Configuration()
config.retiredTableGrace = 0
let index = try StoreIndex(objects: try FilesystemObjectStore(root: dir + "/index"), chunks: store, configuration: config, logger: logger)
let labels = (0..<streams).map { try! LabelParser.parse(#"{app="app-\#($0 % 10)", pod="pod-\#($0)", namespace="ns-\#($0 % 3)"}"#) }
let payload = [UInt8](repeating: 0x61, count: chunkBytes)

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
let t0 = now()
var lsn: UInt64 = 1
var chunks = 0
for d in 0..<days {
    let span = day / Int64(perDay)
    for w in 0..<writes {
        for c in stride(from: w, to: perDay, by: writes) {
            for (s, set) in labels.enumerated() {
                let minTime = start + Int64(d) * day + Int64(c) * span + Int64(s)
                let header = ChunkHeader(encoding: .lz4, tenant: "fake", labels: set.canonical, minLSN: lsn, maxLSN: lsn + 9,
                                         minTime: minTime, maxTime: minTime + span - 1000, entries: 1000, rawBytes: 1_500_000)
                lsn += 10
                let checksum = UInt32(truncatingIfNeeded: lsn &* 2_654_435_761)
                let key = ChunkRef.key(tenant: "fake", labels: set.canonical, minTime: header.minTime, maxTime: header.maxTime, checksum: checksum)
                try chunkObjects.putSyncingLater(key, parts: [payload])
                index.add(ChunkRef(key: key, header: header, checksum: checksum, size: chunkBytes), labels: set)
                chunks += 1
            }
        }
        try index.writePending()
    }
}
let built = now() - t0
let tables = index.tableStats().tables
print("built days=\(days) streams=\(streams) chunks=\(chunks) tables=\(tables) seconds=\(String(format: "%.2f", built))")
// BENCH_BUILD_ONLY=1: leave the volume for a server (scripts/bench/retention).
if ProcessInfo.processInfo.environment["BENCH_BUILD_ONLY"] == "1" { exit(0) }

var c = Compactor.Configuration(workingDirectory: dir + "/compactor")
let compactor = Compactor(configuration: c, index: index, chunks: store, limits: { _ in Limits() }, replayFloor: { 0 }, logger: logger)
let end = start + Int64(days) * day
var t = now()
let r1 = try compactor.run(now: end)
print("compaction seconds=\(String(format: "%.3f", now() - t)) groups=\(r1.groups) tables=\(r1.tablesBefore)->\(r1.tablesAfter)")

let limits = { () -> Limits in var l = Limits(); l.retentionPeriod = Int64(days - 1) * day; return l }()
c.retentionEnabled = true
c.deleteDelay = 3600 * 1_000_000_000
let retention = Compactor(configuration: c, index: index, chunks: store, limits: { _ in limits }, replayFloor: { 0 }, logger: logger)
t = now()
let r2 = try retention.run(now: end)
print("retention_mark seconds=\(String(format: "%.3f", now() - t)) expired=\(r2.expired) groups=\(r2.groups)")
t = now()
let r3 = try retention.run(now: end + c.deleteDelay)
print("retention_delete seconds=\(String(format: "%.3f", now() - t)) deleted=\(r3.deletedChunks) bytes=\(r3.deletedBytes)")
