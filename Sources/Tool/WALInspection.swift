import CheckpointFormat
import Logging
import LogModel
import WriteAheadLog

/// What `wal inspect` and `wal verify` report about a write-ahead log directory: its segments with
/// their LSN ranges, records per tenant and type, the checkpoint, and every piece of damage — found
/// by the same reader the server replays with, run without repairing (no file is touched).
struct WALInspection: Encodable {
    struct Segment: Encodable {
        var name: String
        var bytes: Int
        var records = 0
        var firstLSN: UInt64?
        var lastLSN: UInt64?
    }

    struct Tenant: Encodable {
        var records = 0
        /// Records by type: `push` (Skald's layout) and `protobuf` (a client's body kept as sent).
        var push = 0
        var protobuf = 0
        var streams = 0
        var entries = 0
        var lineBytes = 0
        /// Records whose checksum holds but whose payload does not decode (a writer bug, not disk damage).
        var undecodable = 0
    }

    struct Checkpoint: Encodable {
        var name: String
        var lsn: UInt64
        var bytes: Int
        var chunks = 0
        var complete = false
        var damage: [String] = []
    }

    struct Damage: Encodable {
        var kind: String
        var segment: String
        var offset: Int
        var bytesLost: Int
        var detail: String
    }

    var directory: String
    var segments: [Segment] = []
    var records = 0
    var bytes = 0
    var firstLSN: UInt64?
    var lastLSN: UInt64?
    var tenants: [String: Tenant] = [:]
    var checkpoints: [Checkpoint] = []
    /// Files kept aside by earlier repairs (`.corrupt`) or left half done (`.repaired`, `.tmp`).
    var setAside: [String] = []
    var damage: [Damage] = []

    var isClean: Bool { damage.isEmpty && checkpoints.allSatisfy(\.damage.isEmpty) }

    static func inspect(_ directory: String) throws(ToolError) -> WALInspection {
        guard DurableFile.size(directory) != nil else { throw .input("\(directory): no such directory (give the WAL directory, e.g. <path_prefix>/wal)") }
        var w = WALInspection(directory: directory)
        let names = DurableFile.list(directory).sorted()
        var sizes: [UInt64: Int] = [:]
        for n in names {
            if let i = SegmentName.index(n) {
                sizes[i] = DurableFile.size(directory + "/" + n) ?? 0
            } else if let lsn = CheckpointLayout.lsn(ofFileName: n) {
                w.checkpoints.append(checkpoint(directory + "/" + n, name: n, lsn: lsn))
            } else {
                w.setAside.append(n)
            }
        }
        var lsns: [UInt64] = []
        var labelSets: [String: Set<String>] = [:]
        var cache: [String: LabelSet] = [:]
        let report: ReplayReport
        do {
            report = try LogReader.replay(directory: directory, repair: false, logger: Logger(label: "skald-tool")) { r in
                lsns.append(r.lsn)
                var t = w.tenants[r.tenant] ?? Tenant()
                t.records += 1
                let batch: PushBatch?
                switch r.type {
                case .push:
                    t.push += 1
                    batch = try? PushRecord.decode(r.payload)
                case .pushProtobuf:
                    t.protobuf += 1
                    batch = (try? PushRecord.decodeProtobuf(r.payload, labels: &cache))?.batch
                }
                if let batch {
                    t.entries += batch.entryCount
                    t.lineBytes += batch.lineBytes
                    for s in batch.streams { labelSets[r.tenant, default: []].insert(s.labels) }
                } else {
                    t.undecodable += 1
                }
                w.tenants[r.tenant] = t
            }
        } catch {
            throw .input("\(error)")
        }
        for (tenant, sets) in labelSets { w.tenants[tenant]?.streams = sets.count }
        w.records = report.records
        w.bytes = report.bytes
        w.firstLSN = lsns.first
        w.lastLSN = lsns.last
        // Records belong to the segment whose last LSN is the first at or above theirs.
        var k = 0
        for (index, last) in report.segmentLastLSN {
            var s = Segment(name: SegmentName.name(index), bytes: sizes[index] ?? 0)
            while k < lsns.count, lsns[k] <= last {
                if s.firstLSN == nil { s.firstLSN = lsns[k] }
                s.lastLSN = lsns[k]
                s.records += 1
                k += 1
            }
            w.segments.append(s)
        }
        // Segments replay quarantined (an unreadable header) are still listed, with no records.
        let listed = Set(report.segmentLastLSN.map(\.index))
        for (index, size) in sizes where !listed.contains(index) { w.segments.append(Segment(name: SegmentName.name(index), bytes: size)) }
        w.segments.sort { $0.name < $1.name }
        w.damage = report.damage.map {
            Damage(kind: $0.kind.rawValue, segment: SegmentName.name($0.segment), offset: $0.offset, bytesLost: $0.bytesLost, detail: $0.detail)
        }
        return w
    }

    /// Reads a checkpoint through the server's reader (every frame checked, each chunk opened).
    static func checkpoint(_ path: String, name: String, lsn: UInt64) -> Checkpoint {
        var c = Checkpoint(name: name, lsn: lsn, bytes: DurableFile.size(path) ?? 0)
        do {
            let scan = try CheckpointReader.read(try DurableFile.read(path)) { _ in }
            c.chunks = scan.chunks
            c.complete = scan.isComplete
            c.damage = scan.damage.map { "\($0)" }
            if scan.prefix.lsn != lsn { c.damage.append("prefix says LSN \(scan.prefix.lsn), the name says \(lsn)") }
        } catch {
            c.damage.append("\(error)")
        }
        return c
    }

    var text: String {
        var o = "write-ahead log \(directory)\n"
        o += "  \(segments.count) segments, \(records) records, \(bytes) bytes"
        if let f = firstLSN, let l = lastLSN { o += ", LSN \(f)…\(l)" }
        o += "\n\nsegments:\n"
        for s in segments {
            o += "  \(s.name)  \(s.bytes) bytes  \(s.records) records"
            if let f = s.firstLSN, let l = s.lastLSN { o += "  LSN \(f)…\(l)" }
            o += "\n"
        }
        if !tenants.isEmpty {
            o += "\ntenants:\n"
            for (name, t) in tenants.sorted(by: { $0.key < $1.key }) {
                o += "  \(name)  \(t.records) records (push \(t.push), protobuf \(t.protobuf))  \(t.streams) streams  \(t.entries) entries  \(t.lineBytes) line bytes"
                if t.undecodable > 0 { o += "  \(t.undecodable) undecodable" }
                o += "\n"
            }
        }
        o += "\ncheckpoints:\n"
        if checkpoints.isEmpty { o += "  none\n" }
        for c in checkpoints {
            o += "  \(c.name)  LSN \(c.lsn)  \(c.bytes) bytes  \(c.chunks) chunks  \(c.complete && c.damage.isEmpty ? "complete" : "DAMAGED")\n"
            for d in c.damage { o += "    \(d)\n" }
        }
        if !setAside.isEmpty { o += "\nset aside (not replayed):\n" + setAside.map { "  \($0)\n" }.joined() }
        o += "\ndamage:\n"
        if damage.isEmpty { o += "  none\n" }
        for d in damage { o += "  \(d.kind) in segment \(d.segment) at offset \(d.offset): \(d.bytesLost) bytes (\(d.detail))\n" }
        return o
    }
}
