import Foundation
import LogModel

/// `skald-tool query …`: a small logcli for people without one — `query` (a range query: log lines
/// or a matrix), `instant-query`, `labels [NAME]`, `series SELECTOR` — against Skald or Loki, with
/// logcli's flags and environment (`LOKI_ADDR`, `LOKI_ORG_ID`).
enum QueryCommand {
    static let valued: Set<String> = ["addr", "org-id", "limit", "since", "from", "to", "now", "step", "output", "o", "timeout", "delay-for"]
    static let booleans: Set<String> = ["json", "help", "h", "forward", "quiet", "q", "tail", "t"]

    static func run(_ command: String, _ a: ToolArguments, environment: [String: String] = ProcessInfo.processInfo.environment,
                    stream: @escaping (String) -> Void = { _ in }) throws(ToolError) -> ToolResult {
        let client = LokiClient(address: a.values["addr"] ?? environment["LOKI_ADDR"] ?? "http://localhost:3100",
                                orgID: a.values["org-id"] ?? environment["LOKI_ORG_ID"],
                                timeout: try duration(a.values["timeout"] ?? "30s", "timeout") / 1e9)
        func time(_ flag: String, default fallback: Int64) throws(ToolError) -> Int64 {
            guard let s = a.values[flag] else { return fallback }
            return try QueryCommand.time(s, flag)
        }
        let now = try time("now", default: Int64(Date().timeIntervalSince1970 * 1e9))
        let end = try time("to", default: now)
        let start = try time("from", default: end - Int64(try duration(a.values["since"] ?? "1h", "since")))
        let output = a.values["output"] ?? a.values["o"] ?? (a.json ? "jsonl" : "default")
        guard ["default", "raw", "jsonl"].contains(output) else { throw .usage("--output must be default, raw or jsonl, got \(output)") }
        do {
            switch command {
            case "query query", "query instant-query":
                let q = try a.one("LogQL query")
                let limit = a.values["limit"] ?? "30"
                guard Int(limit) != nil else { throw ToolError.usage("--limit must be a number, got \(limit)") }
                var params = [("query", q), ("limit", limit), ("direction", a.flags.contains("forward") ? "forward" : "backward")]
                if command == "query query", a.flags.contains("tail") || a.flags.contains("t") {
                    var delay: Int?
                    if let d = a.values["delay-for"] {
                        guard let v = Int(d), v >= 0 else { throw ToolError.usage("--delay-for must be a whole number of seconds, got \(d)") }
                        delay = v
                    }
                    let url = try TailClient.url(client, query: q, limit: Int(limit) ?? 30, start: start, delayFor: delay)
                    final class Out: @unchecked Sendable { let f: (String) -> Void; init(_ f: @escaping (String) -> Void) { self.f = f } }
                    let out = Out(stream)
                    do {
                        try TailClient.run(url: url, orgID: client.orgID, output: output, stream: { out.f($0) },
                                           warn: { FileHandle.standardError.write(Data($0.utf8)) })
                    } catch let e as TailClient.Failure where e.beforeOpen {
                        // The upgrade was refused: the server's own answer says why (a parse error, a limit).
                        let tailParams = TailClient.params(query: q, limit: Int(limit) ?? 30, start: start, delayFor: delay)
                        if let (_, status, body) = try? client.send("GET", "/loki/api/v1/tail", tailParams), status >= 400 {
                            throw ToolError.input("tail: the server answered \(status): \(String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
                        }
                        throw e
                    }
                    return ToolResult()
                }
                let data: [String: Any]
                if command == "query query" {
                    params += [("start", "\(start)"), ("end", "\(end)")]
                    if let step = a.values["step"] { params.append(("step", step)) }
                    data = try client.get("/loki/api/v1/query_range", params)
                } else {
                    data = try client.get("/loki/api/v1/query", params + [("time", "\(now)")])
                }
                return ToolResult(out: render(data["data"] as? [String: Any] ?? [:], output: output, forward: a.flags.contains("forward")))
            case "query labels":
                let path = a.operands.first.map { "/loki/api/v1/label/\($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0)/values" } ?? "/loki/api/v1/labels"
                guard a.operands.count <= 1 else { throw ToolError.usage("labels takes at most one label name") }
                let data = try client.get(path, [("start", "\(start)"), ("end", "\(end)")])
                let values = data["data"] as? [String] ?? []
                return ToolResult(out: output == "jsonl" ? values.map { jsonString($0) + "\n" }.joined() : values.map { $0 + "\n" }.joined())
            default: // "query series"
                let selector = try a.one("series selector")
                let data = try client.get("/loki/api/v1/series", [("match[]", selector), ("start", "\(start)"), ("end", "\(end)")])
                let sets = (data["data"] as? [[String: String]] ?? []).map { labelSet($0) }.sorted()
                return ToolResult(out: sets.map { $0 + "\n" }.joined())
            }
        } catch let e as ToolError {
            throw e
        } catch {
            throw .input("\(error)")
        }
    }

    static func time(_ s: String, _ flag: String) throws(ToolError) -> Int64 {
        guard let t = TimeParser.parse(s) else { throw .usage("--\(flag) must be a time (RFC3339 like 2024-05-01T10:00:00Z, or Unix seconds or nanoseconds), got \(s)") }
        return t
    }

    /// Nanoseconds.
    static func duration(_ s: String, _ flag: String) throws(ToolError) -> Double {
        guard let d = TimeParser.duration(s), d > 0 else { throw .usage("--\(flag) must be a duration like 1h or 30m, got \(s)") }
        return Double(d)
    }

    /// An answer's `data`: streams as lines (logcli's `default`: time, labels, line; `raw`: the line;
    /// `jsonl`: one object per line), anything else (matrix, vector, scalar) as JSON.
    static func render(_ data: [String: Any], output: String, forward: Bool) -> String {
        guard data["resultType"] as? String == "streams" else {
            let json = (try? JSONSerialization.data(withJSONObject: data["result"] ?? [], options: [.prettyPrinted, .sortedKeys])) ?? Data()
            return String(decoding: json, as: UTF8.self) + "\n"
        }
        return lines(data).sorted { forward ? $0.ts < $1.ts : $0.ts > $1.ts }.map { format($0, output: output) }.joined()
    }

    /// A streams answer's entries with their stream's labels.
    static func lines(_ data: [String: Any]) -> [(ts: Int64, labels: String, line: String)] {
        var entries: [(ts: Int64, labels: String, line: String)] = []
        for s in data["result"] as? [[String: Any]] ?? [] {
            let labels = labelSet(s["stream"] as? [String: String] ?? [:])
            for v in s["values"] as? [[Any]] ?? [] where v.count >= 2 {
                entries.append((Int64(v[0] as? String ?? "") ?? 0, labels, v[1] as? String ?? ""))
            }
        }
        return entries
    }

    /// One line as logcli prints it: `default` time, labels, line; `raw` the line; `jsonl` an object.
    static func format(_ e: (ts: Int64, labels: String, line: String), output: String) -> String {
        switch output {
        case "raw": e.line + "\n"
        case "jsonl": #"{"labels":"# + jsonString(e.labels) + #","line":"# + jsonString(e.line) + #","timestamp":"# + jsonString(GoTime.rfc3339Nano(e.ts)) + "}\n"
        default: GoTime.rfc3339Nano(e.ts) + " " + e.labels + " " + e.line + "\n"
        }
    }

    static func labelSet(_ m: [String: String]) -> String {
        "{" + m.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"" }.joined(separator: ", ") + "}"
    }

    static func jsonString(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
