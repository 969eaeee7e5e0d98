import Foundation

/// `skald-tool`: looks inside a Skald volume and repairs it, over the same library code the server
/// runs. Each command returns its output and exit status instead of printing, so tests call it
/// directly; the executable only prints.
public enum SkaldTool {
    static let overview = """
        usage: skald-tool <command> [flags]

        commands:
          wal inspect DIR      segments, LSN ranges, records per tenant and type, checkpoint, damage
          wal verify DIR       check every record's CRC and sequence; exit 0 clean, 1 damaged
          wal repair DIR       back up, then repair damage exactly as the server's replay would
          wal replay DIR       replay a WAL (e.g. off a dead pod's volume) into a store, offline
          chunk inspect FILE   a chunk file's header and blocks, each checked
          index inspect DIR    the manifest and its tables, checked; missing chunk files
          compact --once       the server's compaction and retention, once: on a stopped server's volume, or asked of a running one (--server)
          ingester flush       a running server flushes every stream to chunks and indexes them (--addr)
          query query Q        a range query (log lines or a matrix) against Skald or Loki, like logcli
          query instant-query Q, query labels [NAME], query series SELECTOR

        Every command takes --help and --json. Exit status: 0 sound, 1 damage found, 2 could not run.
        Stop the server before `wal repair` (the other commands only read).

        """

    static let help: [String: String] = [
        "wal inspect": """
            usage: skald-tool wal inspect DIR [--json]

            Reads the write-ahead log in DIR (<path_prefix>/wal) without changing it: every segment with
            its size, record count and LSN range; records, streams, entries and line bytes per tenant and
            record type; the checkpoint (each frame checked); files set aside by earlier repairs; and every
            piece of damage, as the server's replay would find it. Exit 1 when there is damage.

            """,
        "wal verify": """
            usage: skald-tool wal verify DIR [--json]

            Checks every record's CRC32C and that LSNs follow one another, and the checkpoint's frames.
            Prints each damaged place as (segment, offset). Exit 0 clean, 1 damaged. Changes nothing.

            """,
        "wal repair": """
            usage: skald-tool wal repair DIR [--backup BACKUP_DIR] [--json]

            Repairs what the server's replay repairs, offline: a torn tail is truncated, a segment with a
            corrupt region is rewritten with its intact records (the original kept as <segment>.corrupt),
            a segment with an unreadable header is set aside. Every segment it changes is first copied to
            BACKUP_DIR (default DIR.backup-<UTC time>). A missing segment cannot be repaired and is only
            reported. Running it again on a repaired log changes nothing. Stop the server first.
            Exit 0 repaired (or nothing to do), 1 damage remains.

            """,
        "wal replay": """
            usage: skald-tool wal replay DIR (--into DATA | -config.file FILE) [--dry-run] [--json]

            Replays the write-ahead log in DIR (its checkpoint, then its records) into a volume exactly as
            a restarting server would, then flushes and indexes every chunk: DATA laid out as the embedded
            default (chunks, index under it), or the volume the server config FILE describes (its chunk
            encoding, block sizes and schema too). Records the target's index already holds are skipped,
            so replaying into the volume the log came from adds nothing twice. DIR itself is not changed
            (a copy is replayed). With --dry-run nothing is written to the target: it reports the
            streams, chunks and bytes replay would write. Refused while a server runs on the target.

            """,
        "query query": """
            usage: skald-tool query query 'LOGQL' [--addr URL] [--org-id ID] [--limit 30] [--since 1h | --from T --to T]
                                    [--forward] [--step D] [--output default|raw|jsonl] [--timeout 30s] [--tail [--delay-for S]]

            Runs a range query like logcli: log lines as "<time> <labels> <line>" (newest first unless
            --forward; --output raw prints the lines alone, jsonl one object each), a metric query's matrix
            as JSON. --addr defaults to $LOKI_ADDR, then http://localhost:3100; --org-id to $LOKI_ORG_ID.
            Times: RFC3339 or Unix seconds or nanoseconds. --tail prints the newest --limit lines since
            --since/--from, then each new one as the server receives it (the server's tail websocket, as
            logcli; --delay-for S holds lines back S seconds so late ones come in order) until interrupted
            or the server ends the tail.

            """,
        "query instant-query": """
            usage: skald-tool query instant-query 'LOGQL' [--now T] [--addr URL] [--org-id ID] [--limit 30] [--output …]

            An instant query at --now (default: now), printed as `query query` prints.

            """,
        "query labels": """
            usage: skald-tool query labels [NAME] [--since 1h | --from T --to T] [--addr URL] [--org-id ID]

            Label names, or with NAME that label's values, one per line.

            """,
        "query series": """
            usage: skald-tool query series 'SELECTOR' [--since 1h | --from T --to T] [--addr URL] [--org-id ID]

            The streams matching SELECTOR, one label set per line.

            """,
        "chunk inspect": """
            usage: skald-tool chunk inspect FILE [--json]

            A chunk file (<path_prefix>/chunks/<tenant>/<key>): version, encoding, tenant, stream, LSN and
            time ranges, the whole-file checksum, and every block (offset, sizes, entries, time range),
            each decompressed and decoded. Exit 1 when any part is damaged.

            """,
        "index inspect": """
            usage: skald-tool index inspect DIR [--chunks CHUNK_DIR] [--series] [--json]

            The index in DIR (<path_prefix>/index): the newest manifest and each table it lists, opened and
            checked against the manifest (size, checksum, header); with --series every series and its
            chunks. When the chunk directory is there (CHUNK_DIR, default DIR/../chunks) every indexed
            chunk file is looked for and the missing ones named. Exit 1 when anything is damaged or missing.

            """,
        "ingester flush": """
            usage: skald-tool ingester flush [--addr URL] [--json]

            Asks the running Skald server at URL (default $LOKI_ADDR, else http://localhost:3100) to flush
            every stream's lines to chunk files and index them (POST /flush?wait=true), and returns once
            they are stored. Before a scale-down that will remove the pod, or before copying a volume
            for a backup. The WAL keeps everything anyway; this makes the chunks and index whole on
            their own. Exit 2 when the server cannot be reached or refuses.

            """,
        "compact --once": """
            usage: skald-tool compact --once [-config.file=FILE] [--json]
                   skald-tool compact --once --server URL [--json]

            Runs the server's compactor once over the volume FILE (the server's own config) describes:
            each period's index tables merged into one per tenant, references to missing chunk files
            dropped, and — with compactor.retention_enabled — expired chunks taken out of the index,
            marked, and deleted once compactor.retention_delete_delay has passed (limits_config
            retention_period and retention_stream, runtime overrides included). Without -config.file,
            the embedded default (./data). Refused while a server runs on the volume: the server's own
            compactor does this every compactor.compaction_interval.

            With --server URL (a Skald server's HTTP address), the server that owns the volume runs one
            pass now (POST /compactor/run) and the answer is printed: how a Kubernetes CronJob schedules
            compaction, since a volume belongs to one process. Exit 2 when the server cannot be reached
            or the pass fails.

            """,
    ]

    /// Runs one command line (without the program name). `stream` receives output that cannot wait
    /// for the end (`query query --tail` runs until interrupted); the rest comes in the result.
    public static func run(_ args: [String], stream: @escaping (String) -> Void = { _ in }) -> ToolResult {
        guard args.count >= 1, !["help", "--help", "-h", "-help"].contains(args[0]) else { return ToolResult(out: overview) }
        // `compact --once` names its mode as a flag; accept it in either place.
        var args = args
        if args.first == "compact", args.count >= 2, !["--once", "-once"].contains(args[1]) {
            if let i = args.firstIndex(where: { $0 == "--once" || $0 == "-once" }) { args.remove(at: i); args.insert("--once", at: 1) }
        }
        if args.count >= 2, args[0] == "compact", args[1] == "-once" { args[1] = "--once" }
        guard args.count >= 2, let text = help[args[0] + " " + args[1]] else {
            return ToolResult(err: "skald-tool: unknown command \"\(args.prefix(2).joined(separator: " "))\"\n\n" + overview, status: 2)
        }
        let command = args[0] + " " + args[1]
        do throws(ToolError) {
            let valued: Set<String> = switch command {
            case "wal repair": ["backup"]
            case "wal replay": ["into", "config.file", "config"]
            case "index inspect": ["chunks"]
            case "compact --once": ["config.file", "config", "server"]
            case "ingester flush": ["addr"]
            default: []
            }
            if command.hasPrefix("query ") {
                let a = try ToolArguments(Array(args.dropFirst(2)), booleans: QueryCommand.booleans, valued: QueryCommand.valued)
                if a.help { return ToolResult(out: text) }
                return try QueryCommand.run(command, a, stream: stream)
            }
            let booleans: Set<String> = switch command {
            case "index inspect": ["json", "help", "h", "series"]
            case "wal replay": ["json", "help", "h", "dry-run"]
            default: ["json", "help", "h"]
            }
            let a = try ToolArguments(Array(args.dropFirst(2)), booleans: booleans, valued: valued)
            if a.help { return ToolResult(out: text) }
            switch command {
            case "wal inspect", "wal verify":
                let w = try WALInspection.inspect(try a.one("WAL directory"))
                let out = a.json ? ToolJSON.encode(w) : (command == "wal verify" ? verifyText(w) : w.text)
                return ToolResult(out: out, status: w.isClean ? 0 : 1)
            case "wal repair":
                let r = try WALRepair.run(try a.one("WAL directory"), backupDirectory: a.values["backup"])
                return ToolResult(out: a.json ? ToolJSON.encode(r) : r.text, status: r.remaining.isEmpty ? 0 : 1)
            case "wal replay":
                let r = try WALReplayCommand.run(try a.one("WAL directory"), into: a.values["into"], configPath: a.values["config.file"] ?? a.values["config"],
                                                 dryRun: a.flags.contains("dry-run"))
                return ToolResult(out: a.json ? ToolJSON.encode(r) : r.text, status: 0)
            case "chunk inspect":
                let c = try ChunkInspection.inspect(try a.one("chunk file"))
                return ToolResult(out: a.json ? ToolJSON.encode(c) : c.text, status: c.isClean ? 0 : 1)
            case "compact --once":
                guard a.operands.isEmpty else { throw ToolError.usage("unexpected \(a.operands.joined(separator: " ")); the volume comes from -config.file") }
                let config = a.values["config.file"] ?? a.values["config"]
                if let server = a.values["server"], config != nil {
                    throw ToolError.usage("--server \(server) and -config.file both given; the server compacts its own volume, so give one")
                }
                let r: CompactCommand
                if let server = a.values["server"] {
                    r = try CompactCommand.run(server: server, timeout: 3600)
                } else {
                    r = try CompactCommand.run(configPath: config)
                }
                return ToolResult(out: a.json ? ToolJSON.encode(r) : r.text, status: 0)
            case "ingester flush":
                guard a.operands.isEmpty else { throw ToolError.usage("unexpected \(a.operands.joined(separator: " ")); the server comes from --addr") }
                let address = a.values["addr"] ?? ProcessInfo.processInfo.environment["LOKI_ADDR"] ?? "http://localhost:3100"
                let r = try IngesterFlushCommand.run(address: address, timeout: 600)
                return ToolResult(out: a.json ? ToolJSON.encode(r) : r.text, status: 0)
            case "index inspect":
                let x = try IndexInspection.inspect(try a.one("index directory"), chunkDirectory: a.values["chunks"], listSeries: a.flags.contains("series"))
                return ToolResult(out: a.json ? ToolJSON.encode(x) : x.text, status: x.isClean ? 0 : 1)
            default:
                return ToolResult(err: "skald-tool: unknown command \"\(command)\"\n", status: 2)
            }
        } catch {
            switch error {
            case .usage(let m): return ToolResult(err: "skald-tool \(command): \(m)\n\n" + text, status: 2)
            case .input(let m): return ToolResult(err: "skald-tool \(command): \(m)\n", status: 2)
            }
        }
    }

    static func verifyText(_ w: WALInspection) -> String {
        var o = ""
        for d in w.damage { o += "DAMAGED segment \(d.segment) offset \(d.offset): \(d.kind), \(d.bytesLost) bytes (\(d.detail))\n" }
        for c in w.checkpoints { for d in c.damage { o += "DAMAGED checkpoint \(c.name): \(d)\n" } }
        o += w.isClean ? "\(w.directory): clean — \(w.segments.count) segments, \(w.records) records\(w.lastLSN.map { ", LSN \(w.firstLSN ?? 0)…\($0)" } ?? "")\n"
                       : "\(w.directory): damaged (\(w.damage.count + w.checkpoints.reduce(0) { $0 + $1.damage.count }) places)\n"
        return o
    }
}
