import LogModel
import LogQL
import WritePath
import ReadPath

/// Renders Loki's query responses (`resultType: streams`), key order as Loki writes them.
enum QueryResponse {
    static func streams(_ streams: [QueryStream], warnings: [String] = [], categorize: Bool, execSeconds: Double,
                        stats read: QueryStats.Counts = QueryStats.Counts()) -> [UInt8] {
        var w = JSONWriter(capacity: streams.reduce(256) { $0 + $1.entries.reduce(64) { $0 + $1.line.count + 32 } })
        w.raw(#"{"status":"success","data":{"resultType":"streams","#)
        if categorize { w.raw(#""encodingFlags":["categorize-labels"],"#) }
        w.raw(#""result":["#)
        var lines = 0
        for (si, s) in streams.enumerated() {
            if si > 0 { w.raw(0x2c) }
            w.raw(#"{"stream":"#)
            labelObject(&w, s.labels)
            w.raw(#","values":["#)
            for (ei, e) in s.entries.enumerated() {
                if ei > 0 { w.raw(0x2c) }
                w.raw(#"[""#)
                w.raw(String(e.timestamp))
                w.raw(#"","#)
                w.string(e.line)
                if categorize {
                    if e.metadata.isEmpty {
                        w.raw(",{}")
                    } else {
                        w.raw(#",{"structuredMetadata":{"#)
                        for (mi, m) in e.metadata.enumerated() {
                            if mi > 0 { w.raw(0x2c) }
                            w.string(m.name)
                            w.raw(0x3a)
                            w.string(m.value)
                        }
                        w.raw("}}")
                    }
                }
                w.raw(0x5d)
                lines += 1
            }
            w.raw("]}")
        }
        w.raw("],")
        stats(&w, read, returned: lines, execSeconds: execSeconds)
        w.raw("}")
        if !warnings.isEmpty {
            // Loki's top-level `warnings` (Grafana shows them above the result).
            w.raw(#","warnings":["#)
            for (i, text) in warnings.enumerated() {
                if i > 0 { w.raw(0x2c) }
                w.string(text)
            }
            w.raw("]")
        }
        w.raw("}")
        return w.bytes
    }

    /// A metric query's answer: `matrix` (range), `vector` (instant) or `scalar`, with Prometheus's
    /// encoding of points (`[seconds with millisecond fraction, "value"]`).
    static func metric(_ result: MetricResult, execSeconds: Double, stats read: QueryStats.Counts = QueryStats.Counts()) -> [UInt8] {
        var w = JSONWriter()
        w.raw(#"{"status":"success","data":{"resultType":"#)
        switch result {
        case .scalar(let t, let v):
            w.raw(#""scalar","result":"#)
            point(&w, t, v)
        case .vector(let t, let samples):
            w.raw(#""vector","result":["#)
            for (i, s) in samples.enumerated() {
                if i > 0 { w.raw(0x2c) }
                w.raw(#"{"metric":"#)
                labelObject(&w, s.labels)
                w.raw(#","value":"#)
                point(&w, t, s.value)
                w.raw(0x7d)
            }
            w.raw(0x5d)
        case .matrix(let series):
            w.raw(#""matrix","result":["#)
            for (i, s) in series.enumerated() {
                if i > 0 { w.raw(0x2c) }
                w.raw(#"{"metric":"#)
                labelObject(&w, s.labels)
                w.raw(#","values":["#)
                for (j, p) in s.points.enumerated() {
                    if j > 0 { w.raw(0x2c) }
                    point(&w, p.t, p.v)
                }
                w.raw("]}")
            }
            w.raw(0x5d)
        }
        w.raw(0x2c)
        stats(&w, read, returned: 0, execSeconds: execSeconds)
        w.raw("}}")
        return w.bytes
    }

    /// `[1700000000.5,"3"]`: seconds as Go's shortest float text of milliseconds / 1000 (Loki's
    /// `model.Time.String`), and the value as Go's shortest text (`NaN`, `+Inf`).
    static func point(_ w: inout JSONWriter, _ ms: Int64, _ v: Double) {
        w.raw(0x5b)
        w.raw(GoFloat.format(Double(ms) / 1000))
        w.raw(#",""#)
        w.raw(GoFloat.format(v))
        w.raw(#""]"#)
    }

    /// `{"name":"value",…}` for one label set.
    static func labelObject(_ w: inout JSONWriter, _ labels: LabelSet) {
        w.raw(0x7b)
        for (i, l) in labels.labels.enumerated() {
            if i > 0 { w.raw(0x2c) }
            w.string(l.name)
            w.raw(0x3a)
            w.string(l.value)
        }
        w.raw(0x7d)
    }

    /// `/loki/api/v1/series`: `{"status":"success","data":[{labels},…]}`.
    static func series(_ sets: [LabelSet]) -> [UInt8] {
        var w = JSONWriter()
        w.raw(#"{"status":"success","data":["#)
        for (i, set) in sets.enumerated() {
            if i > 0 { w.raw(0x2c) }
            labelObject(&w, set)
        }
        w.raw("]}")
        return w.bytes
    }

    /// Loki 2.8's `stats` object, every section and key in its order: `summary` (what the query
    /// read — lines in range before filters and their bytes — how fast, and how many entries it
    /// returned), `querier.store` (flushed chunks), `ingester` (memory: Skald's one ingester is
    /// always reached; its `store` section is zeros, as a single Loki's is) and `cache` (zeros:
    /// Skald has no query caches). Skald neither splits nor shards queries: `subqueries`,
    /// `splits` and `shards` are 0, and nothing queues (`queueTime` 0).
    static func stats(_ w: inout JSONWriter, _ c: QueryStats.Counts, returned: Int, execSeconds: Double) {
        let secs = max(execSeconds, 1e-9)
        func field(_ name: String, _ value: Int, first: Bool = false) {
            w.raw(first ? "\"\(name)\":" : ",\"\(name)\":")
            w.raw(String(value))
        }
        func store(chunksRef: Int, downloaded: Int, downloadNanos: Int, headBytes: Int, headLines: Int,
                   decompressedBytes: Int, decompressedLines: Int, compressedBytes: Int, duplicates: Int) {
            w.raw(#""store":{"#)
            field("totalChunksRef", chunksRef, first: true)
            field("totalChunksDownloaded", downloaded)
            field("chunksDownloadTime", downloadNanos)
            w.raw(#","chunk":{"#)
            field("headChunkBytes", headBytes, first: true)
            field("headChunkLines", headLines)
            field("decompressedBytes", decompressedBytes)
            field("decompressedLines", decompressedLines)
            field("compressedBytes", compressedBytes)
            field("totalDuplicates", duplicates)
            w.raw("}}")
        }
        w.raw(#""stats":{"summary":{"#)
        field("bytesProcessedPerSecond", Int(Double(c.bytesProcessed) / secs), first: true)
        field("linesProcessedPerSecond", Int(Double(c.linesProcessed) / secs))
        field("totalBytesProcessed", c.bytesProcessed)
        field("totalLinesProcessed", c.linesProcessed)
        w.raw(#","execTime":"#)
        w.raw(GoFloat.formatJSON(execSeconds))
        field("queueTime", 0)
        field("subqueries", 0)
        field("totalEntriesReturned", returned)
        field("splits", 0)
        field("shards", 0)
        w.raw(#"},"querier":{"#)
        store(chunksRef: c.storeChunksRef, downloaded: c.storeChunksDownloaded, downloadNanos: c.storeChunksDownloadNanos,
              headBytes: 0, headLines: 0, decompressedBytes: c.storeDecompressedBytes, decompressedLines: c.storeDecompressedLines,
              compressedBytes: c.storeCompressedBytes, duplicates: c.duplicates)
        w.raw(#"},"ingester":{"#)
        field("totalReached", 1, first: true)
        field("totalChunksMatched", c.ingesterChunksMatched)
        field("totalBatches", c.ingesterBatches)
        field("totalLinesSent", c.ingesterLinesSent)
        w.raw(0x2c)
        store(chunksRef: 0, downloaded: 0, downloadNanos: 0, headBytes: c.headChunkBytes, headLines: c.headChunkLines,
              decompressedBytes: c.ingesterDecompressedBytes, decompressedLines: c.ingesterDecompressedLines,
              compressedBytes: c.ingesterCompressedBytes, duplicates: 0)
        w.raw(#"},"cache":{"#)
        for (i, name) in ["chunk", "index", "result"].enumerated() {
            if i > 0 { w.raw(0x2c) }
            w.raw(#"""# + name + #"":{"#)
            for (j, key) in ["entriesFound", "entriesRequested", "entriesStored", "bytesReceived", "bytesSent", "requests", "downloadTime"].enumerated() {
                field(key, 0, first: j == 0)
            }
            w.raw(0x7d)
        }
        w.raw("}}")
    }

    static func stringList(_ values: [String]) -> [UInt8] {
        // Loki's `data` is `omitempty`: no values, no key.
        guard !values.isEmpty else { return Array(#"{"status":"success"}"#.utf8) }
        var w = JSONWriter()
        w.raw(#"{"status":"success","data":"#)
        w.stringArray(values)
        w.raw("}")
        return w.bytes
    }
}

extension QueryResponse {
    /// One live-tail message, as Loki 2.8 writes it: every line as a stream of its own, in the order
    /// sent; `dropped_entries` only when lines were dropped.
    static func tail(_ m: TailSession.Message) -> [UInt8] {
        var w = JSONWriter(capacity: m.entries.reduce(64) { $0 + $1.entry.line.count + 96 })
        // Both keys are `omitempty` in Loki's type.
        w.raw(#"{"streams":["#)
        for (i, (labels, e)) in m.entries.enumerated() {
            if i > 0 { w.raw(0x2c) }
            w.raw(#"{"stream":"#)
            labelObject(&w, labels)
            w.raw(#","values":[[""#)
            w.raw(String(e.timestamp))
            w.raw(#"","#)
            w.string(e.line)
            w.raw("]]}")
        }
        w.raw("]")
        if m.entries.isEmpty { w = JSONWriter(); w.raw("{") }
        if !m.dropped.isEmpty {
            w.raw(m.entries.isEmpty ? #""dropped_entries":["# : #","dropped_entries":["#)
            for (i, d) in m.dropped.enumerated() {
                if i > 0 { w.raw(0x2c) }
                w.raw(#"{"timestamp":""#)
                w.raw(String(d.timestamp))
                w.raw(#"","labels":"#)
                labelObject(&w, d.labels)
                w.raw("}")
            }
            w.raw("]")
        }
        w.raw("}")
        return w.bytes
    }
}
