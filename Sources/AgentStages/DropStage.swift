import Codecs
import Foundation
import LogModel

/// `drop`: drops an entry when every condition given holds — `source` present (or, with `value`,
/// equal to it; with `expression`, matching it; several sources are joined by `separator`),
/// `expression` matching the line when there is no source, `older_than` (the entry's time is older
/// than now minus it), `longer_than` (the line is longer, in bytes). Counted under
/// `drop_counter_reason` (default `drop_stage`).
struct DropStage: Stage {
    let sources: [String]
    let separator: String
    let expression: RE2Regex?
    let value: String?
    let olderThan: Int64?
    let longerThan: Int?
    let reason: String
    let now: @Sendable () -> Int64

    init(_ settings: StageSettings, now: @escaping @Sendable () -> Int64) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "drop")
        sources = try r.strings("source") ?? []
        separator = try r.string("separator") ?? ";"
        value = try r.string("value")
        if let e = try r.string("expression") {
            do { expression = try RE2Regex(e) } catch { throw StageError("line \(settings.line): could not compile the drop stage's expression: \(error)") }
        } else {
            expression = nil
        }
        if let t = try r.string("older_than") {
            guard let d = TimeParser.configDuration(t) else { throw StageError("line \(settings.line): drop.older_than wants a duration like 24h, got \"\(t)\"") }
            olderThan = d
        } else {
            olderThan = nil
        }
        if let l = try r.string("longer_than") {
            guard let n = ByteCount.parse(l) else { throw StageError("line \(settings.line): drop.longer_than wants a size like 8kb or 1024, got \"\(l)\"") }
            longerThan = n
        } else {
            longerThan = nil
        }
        reason = try r.string("drop_counter_reason") ?? "drop_stage"
        try r.finish()
        self.now = now
        if value != nil && expression != nil {
            throw StageError("line \(settings.line): the drop stage takes value or expression, not both")
        }
        if value != nil && sources.isEmpty {
            throw StageError("line \(settings.line): the drop stage's value needs a source to compare")
        }
        if sources.isEmpty && expression == nil && olderThan == nil && longerThan == nil {
            throw StageError("line \(settings.line): the drop stage needs at least one of source, expression, older_than and longer_than")
        }
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        if !sources.isEmpty {
            var parts: [String] = []
            for s in sources {
                guard let v = e.extracted[s] else { return .keep }
                parts.append(v)
            }
            let joined = parts.joined(separator: separator)
            if let value, joined != value { return .keep }
            if let expression, !Self.contains(expression, joined) { return .keep }
        } else if let expression, !Self.contains(expression, e.line) {
            return .keep
        }
        if let olderThan, e.timestamp >= now() - olderThan { return .keep }
        if let longerThan, e.line.utf8.count <= longerThan { return .keep }
        return .drop(reason: reason)
    }

    static func contains(_ re: RE2Regex, _ s: String) -> Bool {
        var s = s
        return s.withUTF8 { re.matchesPart(UnsafeRawBufferPointer($0)) }
    }
}

/// Sizes in stage settings: a number of bytes, or with a unit (`8kb`, `1MB`, `512KiB`; powers of 1024).
enum ByteCount {
    static func parse(_ s: String) -> Int? {
        let t = s.trimmingCharacters(in: .whitespaces)
        if let n = Int(t), n >= 0 { return n }
        let lower = t.lowercased()
        for (suffix, mult) in [("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30), ("b", 1)] where lower.hasSuffix(suffix) {
            guard let n = Double(lower.dropLast(suffix.count)), n >= 0, n < 1e12 else { return nil }
            return Int(n * Double(mult))
        }
        return nil
    }
}
