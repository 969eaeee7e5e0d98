import Foundation
import Logging
import WriteAheadLog

/// `wal repair`: what the server's replay would do to a damaged log — truncate a torn tail, rewrite
/// a segment without its corrupt regions (the original kept as `<segment>.corrupt`), quarantine a
/// segment whose header is unreadable — done offline, after copying every segment it will change
/// to a backup directory. Run on a clean log it changes nothing and backs nothing up (idempotent).
struct WALRepair: Encodable {
    var directory: String
    var backup: String?
    /// Segments copied to the backup before repairing.
    var backedUp: [String] = []
    /// The damage found, each as the server logs it.
    var repaired: [WALInspection.Damage] = []
    /// What no repair can bring back (a missing segment): reported, left as it is.
    var unrepairable: [WALInspection.Damage] = []
    /// Damage still found after repairing (none when the repair worked).
    var remaining: [WALInspection.Damage] = []

    static func run(_ directory: String, backupDirectory: String?) throws(ToolError) -> WALRepair {
        // A server's WAL (<data>/wal) is repaired only with the server stopped: take its volume lock.
        let lockPath = DurableFile.parent(of: directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/skald.lock"
        var lock: FileLock?
        if DurableFile.size(lockPath) != nil {
            do { lock = try FileLock.acquire(lockPath) } catch {
                throw .input("\(error); stop the server before repairing its write-ahead log (it repairs the log itself when it starts)")
            }
        }
        defer { withExtendedLifetime(lock) {} }
        let before = try WALInspection.inspect(directory)
        var r = WALRepair(directory: directory)
        r.unrepairable = before.damage.filter { $0.kind == ReplayReport.DamageKind.missingSegment.rawValue }
        r.repaired = before.damage.filter { $0.kind != ReplayReport.DamageKind.missingSegment.rawValue }
        if r.repaired.isEmpty { return r }
        let backup = backupDirectory ?? directory + ".backup-" + Self.stamp()
        r.backup = backup
        do {
            try DurableFile.createDirectory(backup)
            for name in Set(r.repaired.map(\.segment)).sorted() {
                let bytes = try DurableFile.read(directory + "/" + name)
                // A repair run twice on the same damage (interrupted) keeps the first backup.
                var target = backup + "/" + name
                var n = 1
                while DurableFile.size(target) != nil { target = backup + "/" + name + ".\(n)"; n += 1 }
                try DurableFile.writeAtomically(bytes, to: target)
                r.backedUp.append(name)
            }
        } catch {
            throw .input("could not back up the damaged segments to \(backup), nothing was repaired: \(error)")
        }
        do {
            _ = try LogReader.replay(directory: directory, repair: true, logger: Logger(label: "skald-tool")) { _ in }
        } catch {
            throw .input("repair stopped: \(error); the backup is in \(backup)")
        }
        r.remaining = try WALInspection.inspect(directory).damage.filter { $0.kind != ReplayReport.DamageKind.missingSegment.rawValue }
        return r
    }

    static func stamp() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: Date())
    }

    var text: String {
        var o = ""
        if repaired.isEmpty {
            o += "\(directory): nothing to repair\n"
        } else {
            o += "\(directory): repaired \(repaired.count) damaged region(s)\n"
            for d in repaired { o += "  \(d.kind) in segment \(d.segment) at offset \(d.offset): \(d.bytesLost) bytes removed (\(d.detail))\n" }
            if let backup { o += "backup of the segments before repair: \(backup) (\(backedUp.joined(separator: ", ")))\n" }
        }
        for d in unrepairable { o += "cannot repair: segment \(d.segment) is missing; its records are lost (the server starts without them)\n" }
        for d in remaining { o += "STILL DAMAGED: \(d.kind) in segment \(d.segment) at offset \(d.offset) (\(d.detail))\n" }
        return o
    }
}
