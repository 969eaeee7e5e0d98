public import LogModel
import Foundation

/// All stream heads of one tenant. `lock` guards `streams` and every `StreamHead` in it.
final class TenantHeads: @unchecked Sendable {
    let tenant: TenantID
    let lock = NSLock()
    var streams: [String: StreamHead] = [:]
    var entryCount = 0
    var byteCount = 0

    init(tenant: TenantID) { self.tenant = tenant }

    /// The head for a canonical label string, creating it (parsing the labels once) if needed.
    func head(canonical: String, labels: @autoclosure () throws -> LabelSet) rethrows -> StreamHead {
        if let h = streams[canonical] { return h }
        let h = StreamHead(labels: try labels())
        streams[canonical] = h
        return h
    }

    /// Inserts a committed batch (labels canonical). Caller holds no lock.
    func apply(_ batch: PushBatch, labelSets: [LabelSet]?) {
        lock.lock()
        defer { lock.unlock() }
        do {
            for (si, s) in batch.streams.enumerated() {
                let h: StreamHead
                if let existing = streams[s.labels] {
                    h = existing
                } else if let sets = labelSets {
                    h = head(canonical: s.labels, labels: sets[si])
                } else if let parsed = try? LabelParser.parse(s.labels) {
                    h = head(canonical: s.labels, labels: parsed)
                } else {
                    continue // unreachable for records we wrote; a foreign record must not crash replay
                }
                let buffer = h.adopt(batch.bytes)
                for e in s.entries {
                    let meta = e.metadata >= 0 ? batch.metadata[Int(e.metadata)] : nil
                    if h.insert(timestamp: e.timestamp, buffer: buffer, range: e.line, metadata: meta) {
                        entryCount += 1
                        byteCount += e.line.count
                    }
                    if e.timestamp > h.admittedHighest { h.admittedHighest = e.timestamp }
                    if e.timestamp > h.admittedLast { h.admittedLast = e.timestamp }
                }
            }
        }
    }

    func query(_ q: HeadQuery) -> [QueryStream] {
        lock.lock()
        defer { lock.unlock() }
        var out: [QueryStream] = []
        for h in streams.values where !h.isEmpty && q.matches(h.labels) {
            let lo = h.lowerBound(q.start)
            let hi = h.lowerBound(q.end)
            guard lo < hi else { continue }
            let n = min(hi - lo, q.limit)
            let indices = q.direction == .forward ? Array(lo..<(lo + n)) : Array(((hi - n)..<hi).reversed())
            let entries = indices.map { i in
                let e = h.entries[i]
                return QueryEntry(timestamp: e.timestamp, line: Array(h.lineBytes(e)), metadata: h.metadataOf(e))
            }
            out.append(QueryStream(labels: h.labels, entries: entries))
        }
        return out
    }

    /// Streams with at least one entry in [start, end) matching `matchers`.
    func matchingLabelSets(matchers: [Label], start: Int64, end: Int64) -> [LabelSet] {
        lock.lock()
        defer { lock.unlock() }
        let q = HeadQuery(matchers: matchers, start: start, end: end, limit: 1, direction: .forward)
        return streams.values.compactMap { h in
            guard !h.isEmpty, q.matches(h.labels) else { return nil }
            let lo = h.lowerBound(start)
            return lo < h.entries.count && h.entries[lo].timestamp < end ? h.labels : nil
        }
    }

    var streamCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return streams.count
    }
}
