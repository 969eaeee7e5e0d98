import LogModel
import LogQL
import WritePath
import ReadPath

/// Renders Loki's query responses (`resultType: streams`), key order as Loki writes them.
enum QueryResponse {
    static func streams(_ streams: [QueryStream], warnings: [String] = [], categorize: Bool, execSeconds: Double,
                        linesRead: Int = 0, bytesRead: Int = 0) -> [UInt8] {
        var w = JSONWriter(capacity: streams.reduce(256) { $0 + $1.entries.reduce(64) { $0 + $1.line.count + 32 } })
        w.raw(#"{"status":"success","data":{"resultType":"streams","#)
        if categorize { w.raw(#""encodingFlags":["categorize-labels"],"#) }
        w.raw(#""result":["#)
        var lines = 0, bytes = 0
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
                bytes += e.line.count
            }
            w.raw("]}")
        }
        w.raw("],")
        stats(&w, returned: lines, linesRead: linesRead, bytesRead: bytesRead, execSeconds: execSeconds)
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
    static func metric(_ result: MetricResult, execSeconds: Double, stats read: QueryStats? = nil) -> [UInt8] {
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
        stats(&w, returned: 0, linesRead: read?.linesProcessed ?? 0, bytesRead: read?.bytesProcessed ?? 0, execSeconds: execSeconds)
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

    /// A summary-only `stats` object (Grafana's query inspector reads `summary`).
    /// Loki's `stats.summary`: what the query read (lines in range before filters, and their
    /// bytes), how fast, and how many entries it returned.
    static func stats(_ w: inout JSONWriter, returned: Int, linesRead: Int, bytesRead: Int, execSeconds: Double) {
        let secs = max(execSeconds, 1e-9)
        w.raw(#""stats":{"summary":{"bytesProcessedPerSecond":"#)
        w.raw(String(Int(Double(bytesRead) / secs)))
        w.raw(#","linesProcessedPerSecond":"#)
        w.raw(String(Int(Double(linesRead) / secs)))
        w.raw(#","totalBytesProcessed":"#)
        w.raw(String(bytesRead))
        w.raw(#","totalLinesProcessed":"#)
        w.raw(String(linesRead))
        w.raw(#","execTime":"#)
        w.raw(String(execSeconds))
        w.raw(#","queueTime":0,"subqueries":0,"totalEntriesReturned":"#)
        w.raw(String(returned))
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
