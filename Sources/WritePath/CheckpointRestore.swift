import CheckpointFormat
public import Logging
import LogModel
import Metrics
import WriteAheadLog

/// Replay's checkpoint step: the newest readable checkpoint in the log directory, and what came of
/// putting its chunks back into memory.
public struct CheckpointRestore: Sendable {
    public let path: String
    /// Every log record up to this LSN had been applied to the memory the checkpoint holds.
    public let lsn: UInt64
    /// The lowest LSN of its chunks (from the end frame; 0 when that frame is unreadable, so every
    /// flushed chunk counts for the skip rule).
    public let lowestLSN: UInt64
    /// The highest LSN it mentions (its own, or a chunk's above it).
    public private(set) var highestLSN: UInt64
    /// Chunks read, restored as open or closed chunks, or dropped because a flushed chunk holds them.
    public private(set) var chunks = 0
    public private(set) var restoredOpen = 0
    public private(set) var restoredClosed = 0
    public private(set) var covered = 0
    /// What could not be read, in file order (empty for a sound file).
    public private(set) var damage: [String] = []
    private let logger: Logger

    /// Whether every chunk the checkpoint claims was read: only then may the log below it go.
    public var isComplete: Bool { damage.isEmpty }

    /// The lowest LSN any checkpoint in `directory` may restore (UInt64.max with none; 0 when one
    /// cannot be read: then anything may be restored). Reads only each file's end frame and renames
    /// nothing (the compactor asks while the server runs).
    public static func lowestLSN(in directory: String) -> UInt64 {
        var lowest = UInt64.max
        for (lsn, path) in CheckpointFiles.list(directory) {
            guard let file = try? DurableFile.SequentialReader(path: path),
                  let end = try? CheckpointReader.end(fromTail: try file.tail(CheckpointLayout.endFrameSize)) else { return 0 }
            lowest = min(lowest, end.lowestLSN, lsn)
        }
        return lowest
    }

    /// The newest checkpoint whose prefix reads, or nil. Unreadable ones are renamed `*.corrupt`
    /// (kept for forensics, never read again) and the next older one is tried: it covers less, and
    /// the log records it does not cover are still replayed.
    static func newest(in directory: String, logger: Logger) -> CheckpointRestore? {
        for (lsn, path) in CheckpointFiles.list(directory).reversed() {
            do {
                let file = try DurableFile.SequentialReader(path: path)
                let prefix = try CheckpointCodec.decodePrefix(try file.read(CheckpointLayout.prefixSize))
                guard prefix.lsn == lsn else {
                    throw CheckpointFormatError(.malformed, section: "prefix", "the file says LSN \(prefix.lsn), its name says \(lsn)")
                }
                var lowest: UInt64 = 0
                var damage: [String] = []
                do {
                    let end = try CheckpointReader.end(fromTail: try file.tail(CheckpointLayout.endFrameSize))
                    lowest = min(end.lowestLSN, lsn)
                } catch {
                    damage.append("\(error)")
                }
                var r = CheckpointRestore(path: path, lsn: lsn, lowestLSN: lowest, highestLSN: lsn, logger: logger)
                r.damage = damage
                return r
            } catch {
                Counter(label: "skald_checkpoint_damaged_total").increment()
                logger.error("checkpoint unreadable; set aside as .corrupt, trying an older one (the log still holds what it does not cover)",
                             metadata: ["checkpoint": "\(path)", "error": "\(error)"])
                _ = DurableFile.rename(path, to: path + ".corrupt")
            }
        }
        return nil
    }

    /// Reads every chunk into `ingester`'s heads.
    mutating func load(into ingester: Ingester, now: Int64) {
        var local = self
        do {
            let file = try DurableFile.SequentialReader(path: path)
            let scan = try CheckpointReader.read({ n in try file.read(n) }) { chunk in
                local.chunks += 1
                local.highestLSN = max(local.highestLSN, chunk.header.maxLSN)
                guard let tenant = try? TenantID(chunk.header.tenant) else {
                    local.damage.append("chunk of \(chunk.header.labels) names tenant \"\(chunk.header.tenant)\", which is not a valid tenant ID")
                    return
                }
                switch ingester.restore(chunk, tenant: tenant, now: now) {
                case .covered: local.covered += 1
                case .open: local.restoredOpen += 1
                case .closed: local.restoredClosed += 1
                case .unreadable: local.damage.append("chunk labels \(chunk.header.labels) do not parse")
                }
            }
            local.damage += scan.damage.map(\.description)
            if scan.end == nil && local.damage.isEmpty { local.damage.append("no end frame") }
        } catch {
            local.damage.append("\(error)")
        }
        self = local
        if isComplete {
            logger.info("checkpoint restored", metadata: [
                "checkpoint": "\(path)", "checkpoint.lsn": "\(lsn)", "checkpoint.chunks": "\(chunks)",
                "checkpoint.open": "\(restoredOpen)", "checkpoint.closed": "\(restoredClosed)", "checkpoint.already_flushed": "\(covered)",
            ])
        } else {
            Counter(label: "skald_checkpoint_damaged_total").increment()
            logger.error("checkpoint damaged: restored what could be read; what is lost is only what the log no longer holds. Log segments are kept until the next checkpoint",
                         metadata: ["checkpoint": "\(path)", "checkpoint.chunks": "\(chunks)", "damage": "\(damage.joined(separator: "; "))"])
        }
    }
}
