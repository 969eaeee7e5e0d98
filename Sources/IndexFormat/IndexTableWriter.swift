import Codecs
public import LogModel

/// Encodes one immutable index table (docs/format/index.md) for a tenant and schema period.
public enum IndexTableWriter {
    /// The table file for `series`. Series with equal labels are merged; each series' chunks are
    /// sorted and exact duplicates dropped, so merging tables is encoding their union.
    public static func encode(tenant: String, tableName: String, series input: [IndexedSeries]) -> [UInt8] {
        let series = normalize(input)

        // Symbols: every name and value, sorted bytewise, each stored once.
        var symbolSet = Set<String>()
        for s in series {
            for l in s.labels.labels {
                symbolSet.insert(l.name)
                symbolSet.insert(l.value)
            }
        }
        let symbols = symbolSet.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var symbolID: [String: Int] = [:]
        symbolID.reserveCapacity(symbols.count)
        for (i, s) in symbols.enumerated() { symbolID[s] = i }

        var header = IndexTableHeader(tenant: tenant, tableName: tableName, seriesCount: series.count)
        let all = series.flatMap(\.chunks)
        header.chunkCount = all.count
        header.chunkBytes = all.reduce(0) { $0 + $1.size }
        if !all.isEmpty {
            header.minTime = all.map(\.minTime).min()!
            header.maxTime = all.map(\.maxTime).max()!
            header.minLSN = all.map(\.minLSN).min()!
            header.maxLSN = all.map(\.maxLSN).max()!
        }

        var out: [UInt8] = []
        out.append(contentsOf: IndexLayout.tableMagic)
        out.append(IndexLayout.currentVersion)
        out.append(contentsOf: [0, 0, 0])
        var toc: [(Int, Int)] = []

        // header
        var start = out.count
        header.append(to: &out)
        toc.append((start, out.count - start))

        // symbols
        start = out.count
        out.appendUVarint(UInt64(symbols.count))
        for s in symbols { appendString(s, to: &out) }
        toc.append((start, out.count - start))

        // series, then the offset of each series from the section start
        start = out.count
        var offsets: [Int] = []
        offsets.reserveCapacity(series.count)
        out.appendUVarint(UInt64(series.count))
        for s in series {
            offsets.append(out.count - start)
            out.appendUVarint(UInt64(s.labels.count))
            for l in s.labels.labels {
                out.appendUVarint(UInt64(symbolID[l.name]!))
                out.appendUVarint(UInt64(symbolID[l.value]!))
            }
            out.appendUVarint(UInt64(s.chunks.count))
            for c in s.chunks {
                out.appendU64LE(UInt64(bitPattern: c.minTime))
                out.appendU64LE(UInt64(bitPattern: c.maxTime))
                out.appendU64LE(c.minLSN)
                out.appendU64LE(c.maxLSN)
                out.appendUVarint(UInt64(c.entries))
                out.appendUVarint(UInt64(c.rawBytes))
                out.appendUVarint(UInt64(c.size))
                out.appendU32LE(c.checksum)
                out.append(c.encoding)
            }
        }
        for o in offsets { out.appendU64LE(UInt64(o)) }
        toc.append((start, out.count - start))

        // postings: name → value → ascending series ids
        start = out.count
        var postings: [Int: [Int: [Int]]] = [:]
        for (id, s) in series.enumerated() {
            for l in s.labels.labels { postings[symbolID[l.name]!, default: [:]][symbolID[l.value]!, default: []].append(id) }
        }
        out.appendUVarint(UInt64(postings.count))
        for name in postings.keys.sorted() {
            let values = postings[name]!
            out.appendUVarint(UInt64(name))
            out.appendUVarint(UInt64(values.count))
            for value in values.keys.sorted() {
                let ids = values[value]!
                out.appendUVarint(UInt64(value))
                out.appendUVarint(UInt64(ids.count))
                var previous = -1
                for id in ids {
                    out.appendUVarint(UInt64(id - previous - 1))
                    previous = id
                }
            }
        }
        toc.append((start, out.count - start))

        let tocOffset = out.count
        for (offset, length) in toc {
            out.appendU64LE(UInt64(offset))
            out.appendU64LE(UInt64(length))
        }
        out.appendU64LE(UInt64(tocOffset))
        out.appendU32LE(CRC32C.checksum(out))
        return out
    }

    /// Sorted series with merged duplicates, each with sorted, distinct chunks.
    static func normalize(_ input: [IndexedSeries]) -> [IndexedSeries] {
        var byLabels: [String: IndexedSeries] = [:]
        for s in input {
            if var existing = byLabels[s.labels.canonical] {
                existing.chunks += s.chunks
                byLabels[s.labels.canonical] = existing
            } else {
                byLabels[s.labels.canonical] = s
            }
        }
        return byLabels.values.map { s in
            var seen = Set<IndexedChunk>()
            let chunks = s.chunks.sorted(by: IndexedChunk.ordered).filter { seen.insert($0).inserted }
            return IndexedSeries(labels: s.labels, chunks: chunks)
        }.sorted { IndexedSeries.ordered($0.labels, $1.labels) }
    }

    static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { u in
            out.appendUVarint(UInt64(u.count))
            out.append(contentsOf: u)
        }
    }
}
