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

        // One pass over the chunks, no copies: merging a day's tables holds hundreds of thousands.
        var header = IndexTableHeader(tenant: tenant, tableName: tableName, seriesCount: series.count)
        var minTime = Int64.max, maxTime = Int64.min, minLSN = UInt64.max, maxLSN = UInt64.min
        for s in series {
            for c in s.chunks {
                header.chunkCount += 1
                header.chunkBytes += c.size
                minTime = min(minTime, c.minTime)
                maxTime = max(maxTime, c.maxTime)
                minLSN = min(minLSN, c.minLSN)
                maxLSN = max(maxLSN, c.maxLSN)
            }
        }
        if header.chunkCount > 0 {
            (header.minTime, header.maxTime, header.minLSN, header.maxLSN) = (minTime, maxTime, minLSN, maxLSN)
        }

        // Reserved up front from a size estimate (a chunk entry takes ~45–60 bytes, a label pair a
        // few), so a big table's buffer is not regrown by doubling, which briefly holds two copies.
        var out: [UInt8] = []
        out.reserveCapacity(256 + tenant.utf8.count + tableName.utf8.count
            + symbols.reduce(0) { $0 + 10 + $1.utf8.count }
            + series.reduce(0) { $0 + 20 + 8 + 6 * $1.labels.count + 50 * $1.chunks.count })
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

    /// Sorted series with merged duplicates, each with sorted chunks, one per object key.
    static func normalize(_ input: [IndexedSeries]) -> [IndexedSeries] {
        var byLabels: [String: IndexedSeries] = [:]
        byLabels.reserveCapacity(input.count)
        for s in input {
            // In place: a copied-out value would make `+=` copy its whole chunk list each time.
            byLabels[s.labels.canonical, default: IndexedSeries(labels: s.labels, chunks: [])].chunks += s.chunks
        }
        return byLabels.values.map { s in
            var chunks = s.chunks
            chunks.sort(by: IndexedChunk.ordered)
            // A chunk is identified by (min time, max time, CRC32C) — its object key — and a table
            // lists each once (docs/format/index.md): after sorting, keep the first of every run of
            // equal keys, compacting in place.
            var kept = 0
            for i in chunks.indices where kept == 0 || IndexedChunk.ordered(chunks[kept - 1], chunks[i]) {
                chunks[kept] = chunks[i]
                kept += 1
            }
            chunks.removeLast(chunks.count - kept)
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
