import CheckpointFormat
import WriteAheadLog

/// Streams one checkpoint to `<wal dir>/checkpoint-<LSN>.skcp.tmp`, a chunk at a time, and commits
/// it with the crash-safety ritual (fsync → rename → fsync the directory).
final class CheckpointWriter {
    private let file: DurableFile.Appender
    private(set) var chunks: UInt64 = 0
    private(set) var lowestLSN = UInt64.max

    init(directory: String, prefix: CheckpointPrefix) throws(DurableFile.IOError) {
        // Written back 8 MiB at a time: a checkpoint of every head (~150 MB under 10,000 streams)
        // must not fill the page cache and make the flush workers' fsyncs wait behind it.
        file = try DurableFile.Appender(path: directory + "/" + CheckpointLayout.fileName(lsn: prefix.lsn), writeBehind: 8 << 20)
        do {
            try file.append([CheckpointCodec.encodePrefix(prefix)])
        } catch {
            file.abandon()
            throw error
        }
    }

    var path: String { file.path }
    var bytes: Int { file.written }

    func append(_ chunk: CheckpointChunk) throws(DurableFile.IOError) {
        let (header, payload) = CheckpointCodec.encodeChunk(chunk)
        try file.append([header, payload])
        chunks += 1
        lowestLSN = min(lowestLSN, chunk.header.minLSN)
    }

    /// Writes the end frame and makes the file durable under its final name.
    func commit() throws(DurableFile.IOError) {
        try file.append([CheckpointCodec.encodeEnd(CheckpointEnd(chunks: chunks, lowestLSN: lowestLSN))])
        try file.commit()
    }

    func abandon() { file.abandon() }
}

/// The checkpoint files of a log directory.
enum CheckpointFiles {
    /// Committed checkpoints, oldest first.
    static func list(_ directory: String) -> [(lsn: UInt64, path: String)] {
        DurableFile.list(directory).compactMap { name in
            CheckpointLayout.lsn(ofFileName: name).map { ($0, directory + "/" + name) }
        }.sorted { $0.lsn < $1.lsn }
    }

    /// Deletes every checkpoint but the one at `keep`, and half-written ones. Returns how many went.
    @discardableResult
    static func removeAll(in directory: String, except keep: UInt64?) -> Int {
        var removed = 0
        for name in DurableFile.list(directory) {
            let stale: Bool
            if let lsn = CheckpointLayout.lsn(ofFileName: name) {
                stale = lsn != keep
            } else {
                stale = name.hasPrefix(CheckpointLayout.namePrefix) && name.hasSuffix(CheckpointLayout.nameSuffix + ".tmp")
            }
            if stale && DurableFile.remove(directory + "/" + name) { removed += 1 }
        }
        if removed > 0 { try? DurableFile.syncDirectory(directory) }
        return removed
    }
}
