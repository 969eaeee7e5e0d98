import Codecs
import LogModel

/// `multiline`: joins a block of lines into one entry (a stack trace): a line matching `firstline`
/// starts a block and ends the one before; other lines join the block in progress (or start one
/// when none is), with "\n" between. A block also ends at `max_lines` lines (128) or when its stream
/// has been quiet for `max_wait_time` (3s). Blocks are kept per stream; a block has its first
/// line's time, labels and offset.
struct MultilineStage: Stage {
    let firstline: RE2Regex
    let maxWait: Int64
    let maxLines: Int
    let now: @Sendable () -> Int64
    struct Block { var entry: AgentEntry; var lines: Int; var lastAt: Int64 }
    var blocks: [LabelMap: Block] = [:]
    var ready: [AgentEntry] = []

    init(_ settings: StageSettings, now: @escaping @Sendable () -> Int64) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "multiline")
        guard let f = try r.string("firstline"), !f.isEmpty else {
            throw StageError("line \(settings.line): the multiline stage needs firstline, a regex matching the first line of a block")
        }
        do { firstline = try RE2Regex(f) } catch { throw StageError("line \(settings.line): multiline.firstline does not compile: \(error)") }
        if let w = try r.string("max_wait_time") {
            guard let d = TimeParser.configDuration(w), d > 0 else { throw StageError("line \(settings.line): multiline.max_wait_time wants a duration like 3s, got \"\(w)\"") }
            maxWait = d
        } else {
            maxWait = 3_000_000_000
        }
        maxLines = try r.int("max_lines") ?? 128
        guard maxLines > 0 else { throw StageError("line \(settings.line): multiline.max_lines must be at least 1") }
        try r.finish()
        self.now = now
    }

    var heldFrom: Int64? { blocks.values.map(\.entry.offset).min() }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        var line = e.line
        let first = line.withUTF8 { firstline.matchesPart(UnsafeRawBufferPointer($0)) }
        let key = e.labels
        let t = now()
        if first, let b = blocks.removeValue(forKey: key) { ready.append(b.entry) }
        if var b = blocks[key] {
            b.entry.line += "\n" + e.line
            b.lines += 1
            b.lastAt = t
            blocks[key] = b
        } else {
            blocks[key] = Block(entry: e, lines: 1, lastAt: t)
        }
        if let b = blocks[key], b.lines >= maxLines {
            ready.append(b.entry)
            blocks[key] = nil
        }
        return .held
    }

    mutating func release(now: Int64?) -> [AgentEntry] {
        var out = ready
        ready = []
        if let now {
            for (k, b) in blocks where now - b.lastAt >= maxWait || now == .max {
                out.append(b.entry)
                blocks[k] = nil
            }
            out.sort { $0.offset < $1.offset }
        }
        return out
    }
}
