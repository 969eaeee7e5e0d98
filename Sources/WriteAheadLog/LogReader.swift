public import Codecs
public import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Replays the segmented log in LSN order and repairs what it finds broken, so that the server
/// never refuses to start because of its own log:
/// - a torn tail of the last segment (crash mid-write) is truncated in place;
/// - a corrupt region anywhere else is skipped by resynchronising on the next frame whose length,
///   LSN and CRC32C all check out; the segment is rewritten with its intact records and the
///   original is renamed aside (`<segment>.corrupt`), so no intact record is lost;
/// - a segment with an unreadable header is quarantined whole; a numbering gap is reported.
public enum LogReader {
    public enum ReadError: Error, CustomStringConvertible {
        case io(DurableFile.IOError)
        case consumer(any Error)
        public var description: String {
            switch self {
            case .io(let e): "reading the write-ahead log failed: \(e)"
            case .consumer(let e): "applying a write-ahead log record failed: \(e)"
            }
        }
    }

    /// Replays every record in `directory` through `onRecord`, repairing damage as it goes.
    /// - Parameter repair: when false (the tool's `verify`), damage is reported but no file is touched.
    public static func replay(directory: String, repair: Bool = true, logger: Logger,
                              progress: (ReplayProgress) -> Void = { _ in },
                              onRecord: (WALRecord) throws -> Void) throws(ReadError) -> ReplayReport {
        var report = ReplayReport()
        if repair { finishInterruptedRepairs(directory) }
        let names = DurableFile.list(directory)
        var indices: [UInt64] = []
        var maxIndex: UInt64 = 0
        for n in names {
            if let i = SegmentName.index(n) {
                indices.append(i)
                maxIndex = max(maxIndex, i)
            } else if n.hasSuffix(SegmentName.quarantineSuffix) || n.contains(SegmentName.quarantineSuffix + "."),
                      let i = SegmentName.index(String(n.prefix(while: { $0.isNumber }))) {
                maxIndex = max(maxIndex, i)
            }
        }
        indices.sort()
        report.nextSegmentIndex = maxIndex + 1
        let total = indices.reduce(0) { $0 + (DurableFile.size(directory + "/" + SegmentName.name($1)) ?? 0) }
        var done = 0
        var lastLSN: UInt64 = 0
        var previous: UInt64?
        for (position, index) in indices.enumerated() {
            if let p = previous, index != p + 1 {
                for missing in (p + 1)..<index {
                    report.damage.append(.init(kind: .missingSegment, segment: missing, offset: 0, bytesLost: 0,
                                               detail: "segment file is missing; records in it are lost"))
                }
            }
            previous = index
            let path = directory + "/" + SegmentName.name(index)
            let bytes: [UInt8]
            do { bytes = try DurableFile.read(path) } catch { throw .io(error) }
            let isLast = position == indices.count - 1
            try replaySegment(bytes, index: index, path: path, isLast: isLast, repair: repair, lastLSN: &lastLSN,
                              report: &report, logger: logger, onRecord: onRecord)
            done += bytes.count
            // A segment that failed to open as a segment was quarantined and is no longer in the directory.
            if DurableFile.size(path) != nil { report.segmentLastLSN.append((index, lastLSN)) }
            report.segments += 1
            report.bytes += bytes.count
            progress(ReplayProgress(bytesRead: done, bytesTotal: total, records: report.records))
        }
        report.lastLSN = lastLSN
        // The newest segment holding no record (a start with no push before the stop): the next
        // writer opens that index again instead of a new one, so restarts of an idle server do not
        // pile up empty segments.
        if repair, let last = indices.last, last == maxIndex, report.segmentLastLSN.last?.index == last,
           DurableFile.size(directory + "/" + SegmentName.name(last)) == WALFormat.segmentHeaderSize {
            report.segmentLastLSN.removeLast()
            report.nextSegmentIndex = last
        }
        for d in report.damage {
            logger.warning("write-ahead log damage repaired", metadata: [
                "wal.damage": "\(d.kind.rawValue)", "wal.segment": "\(SegmentName.name(d.segment))",
                "wal.offset": "\(d.offset)", "wal.bytes_lost": "\(d.bytesLost)", "wal.detail": "\(d.detail)",
            ])
        }
        return report
    }

    /// The LSN of the log's first record: read from the oldest segment holding any (empty segments,
    /// left by a start with no pushes, are passed over). `UInt64.max` when no segment holds a record;
    /// nil when a segment cannot be read cheaply (callers then assume the log may start anywhere).
    public static func firstLSN(directory: String) -> UInt64? {
        for index in DurableFile.list(directory).compactMap(SegmentName.index).sorted() {
            guard let bytes = try? DurableFile.read(directory + "/" + SegmentName.name(index), limit: 1 << 20) else { return nil }
            let first = bytes.withUnsafeBytes { p -> UInt64?? in
                guard (try? WALFormat.readSegmentHeader(p)) != nil else { return .some(nil) }
                if p.count == WALFormat.segmentHeaderSize { return nil } // empty: look at the next one
                return .some(frame(at: WALFormat.segmentHeaderSize, in: p, after: 0)?.lsn)
            }
            if let first { return first }
        }
        return .max
    }

    /// A frame at `off` that parses, whose LSN follows `after`, and whose checksum matches.
    static func frame(at off: Int, in p: UnsafeRawBufferPointer, after: UInt64) -> (lsn: UInt64, type: UInt8, tenant: Range<Int>, payload: Range<Int>)? {
        let h = WALFormat.frameHeaderSize
        guard off + h + WALFormat.bodyFixedSize <= p.count else { return nil }
        let len = Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt32.self)))
        guard len >= WALFormat.bodyFixedSize, len <= WALFormat.maxRecordBodySize, off + h + len <= p.count else { return nil }
        let lsn = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: off + h, as: UInt64.self))
        // LSNs only grow; a jump of more than 2^40 is garbage, not a missing segment.
        guard lsn > after, lsn - after < 1 << 40 else { return nil }
        let type = p[off + h + 8]
        guard WALFormat.RecordType(rawValue: type) != nil else { return nil }
        let tlen = Int(p[off + h + 9])
        guard tlen <= 150, WALFormat.bodyFixedSize + tlen <= len else { return nil }
        let crc = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: off + 4, as: UInt32.self))
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: p[(off + h)..<(off + h + len)])) == crc else { return nil }
        let tStart = off + h + WALFormat.bodyFixedSize
        return (lsn, type, tStart..<(tStart + tlen), (tStart + tlen)..<(off + h + len))
    }

    static func replaySegment(_ bytes: [UInt8], index: UInt64, path: String, isLast: Bool, repair: Bool,
                              lastLSN: inout UInt64, report: inout ReplayReport, logger: Logger,
                              onRecord: (WALRecord) throws -> Void) throws(ReadError) {
        var keptFrames: [Range<Int>] = []
        var damaged = false
        var truncateAt: Int?
        var consumerError: (any Error)?
        bytes.withUnsafeBytes { p in
            do {
                let named = try WALFormat.readSegmentHeader(p)
                if named != index {
                    // A renamed or copied file: its records may still be good, but we cannot trust its place.
                    throw CodecError(.corrupt, codec: "wal", "header names segment \(named), file is \(SegmentName.name(index))")
                }
            } catch {
                if isLast && bytes.count < WALFormat.segmentHeaderSize && (bytes.allSatisfy { $0 == 0 } || bytes.count < 20) {
                    // Crash between create and header fsync: nothing was ever acknowledged from it.
                    report.damage.append(.init(kind: .tornTail, segment: index, offset: 0, bytesLost: bytes.count,
                                               detail: "segment header incomplete"))
                    truncateAt = -1
                } else {
                    report.damage.append(.init(kind: .badHeader, segment: index, offset: 0, bytesLost: bytes.count,
                                               detail: "\(error)"))
                    damaged = true
                }
                return
            }
            var off = WALFormat.segmentHeaderSize
            while off < p.count {
                if let f = frame(at: off, in: p, after: lastLSN) {
                    let rec = WALRecord(lsn: f.lsn, type: WALFormat.RecordType(rawValue: f.type)!,
                                        tenant: String(decoding: UnsafeRawBufferPointer(rebasing: p[f.tenant]), as: UTF8.self),
                                        payload: Array(p[f.payload]))
                    do { try onRecord(rec) } catch { consumerError = error; return }
                    keptFrames.append(off..<f.payload.upperBound)
                    lastLSN = f.lsn
                    if report.firstLSN == 0 { report.firstLSN = f.lsn }
                    report.records += 1
                    off = f.payload.upperBound
                    continue
                }
                // Resynchronise: the next offset where a whole valid frame starts.
                var next = off + 1
                while next < p.count && frame(at: next, in: p, after: lastLSN) == nil { next += 1 }
                if next >= p.count {
                    if isLast {
                        report.damage.append(.init(kind: .tornTail, segment: index, offset: off, bytesLost: p.count - off,
                                                   detail: "incomplete or corrupt final record"))
                        truncateAt = off
                    } else {
                        report.damage.append(.init(kind: .corruptRegion, segment: index, offset: off, bytesLost: p.count - off,
                                                   detail: "corrupt data up to the end of the segment"))
                        damaged = true
                    }
                    return
                }
                report.damage.append(.init(kind: .corruptRegion, segment: index, offset: off, bytesLost: next - off,
                                           detail: "corrupt data between intact records"))
                damaged = true
                off = next
            }
        }
        if let e = consumerError { throw .consumer(e) }
        guard repair else { return }
        if let t = truncateAt {
            if t < 0 {
                unlink(path)
            } else if truncate(path, off_t(t)) != 0 {
                logger.error("could not truncate torn wal tail", metadata: ["wal.path": "\(path)", "errno": "\(errno)"])
            } else {
                let fd = open(path, O_WRONLY | O_CLOEXEC)
                if fd >= 0 { _ = fsync(fd); close(fd) }
            }
            return
        }
        if damaged {
            // Rewrite the intact frames verbatim into a repaired copy, then swap it in; the original
            // is kept aside for forensics. A crash between the renames is finished on the next start.
            var repaired = WALFormat.segmentHeader(index: index)
            for r in keptFrames { repaired.append(contentsOf: bytes[r]) }
            // A segment repaired before keeps its earlier quarantine: number the next one.
            var quarantine = path + SegmentName.quarantineSuffix
            var n = 1
            while DurableFile.size(quarantine) != nil {
                quarantine = path + SegmentName.quarantineSuffix + ".\(n)"
                n += 1
            }
            do {
                try DurableFile.writeAtomically(repaired, to: path + SegmentName.repairedSuffix)
                guard rename(path, quarantine) == 0 else {
                    throw DurableFile.IOError(path: path, operation: "rename", errno: errno)
                }
                guard rename(path + SegmentName.repairedSuffix, path) == 0 else {
                    throw DurableFile.IOError(path: path, operation: "rename", errno: errno)
                }
                try DurableFile.syncDirectory(DurableFile.parent(of: path))
                logger.warning("quarantined damaged wal segment", metadata: ["wal.quarantine": "\(quarantine)",
                                                                             "wal.records_kept": "\(keptFrames.count)"])
            } catch {
                logger.error("could not repair wal segment; it will be re-read next start", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Completes a repair a crash interrupted: a `.repaired` copy whose segment name is free.
    static func finishInterruptedRepairs(_ directory: String) {
        for n in DurableFile.list(directory) where n.hasSuffix(SegmentName.repairedSuffix) {
            let base = String(n.dropLast(SegmentName.repairedSuffix.count))
            let full = directory + "/" + n
            if DurableFile.size(directory + "/" + base) == nil {
                _ = rename(full, directory + "/" + base)
            } else {
                unlink(full)
            }
        }
        for n in DurableFile.list(directory) where n.hasSuffix(".tmp") { unlink(directory + "/" + n) }
    }
}
