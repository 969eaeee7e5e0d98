import LogModel
import Glibc

/// `cri`: reads the CRI log format kubelet writes (`<RFC3339Nano time> <stdout|stderr> <P|F> <content>`):
/// the line becomes the content, `stream` a label, the time the timestamp; `time`, `stream`,
/// `flags` and `content` are extracted. Partial lines (flag `P`) are held and joined with the
/// rest of their line (per stream) until the final `F` part, or until `max_partial_lines` parts
/// are held (then what is held goes out as one line). Other lines pass unchanged.
struct CRIStage: Stage {
    let maxPartialLines: Int
    let maxPartialLineSize: Int
    let truncate: Bool
    /// stream → the content of its partial lines so far, and how many.
    var partial: [String: (text: [UInt8], parts: Int, offset: Int64)] = [:]

    var heldFrom: Int64? { partial.values.map(\.offset).min() }

    init(_ settings: StageSettings) throws(StageError) {
        var r = try StageConfigReader(settings, stage: "cri")
        maxPartialLines = try r.int("max_partial_lines") ?? 100
        maxPartialLineSize = try r.int("max_partial_line_size") ?? 0
        truncate = try r.bool("max_partial_line_size_truncate") ?? false
        try r.finish()
        guard maxPartialLines > 0 else { throw StageError("line \(settings.line): cri.max_partial_lines must be at least 1") }
    }

    mutating func process(_ e: inout AgentEntry) -> StageOutcome {
        var line = e.line  // keeps the bytes alive while `e.line` is replaced
        return line.withUTF8 { process(&e, $0) }
    }

    private mutating func process(_ e: inout AgentEntry, _ b: UnsafeBufferPointer<UInt8>) -> StageOutcome {
        func field(_ from: Int) -> Int? {
            var i = from
            while i < b.count, b[i] != 0x20 { i += 1 }
            return i < b.count && i > from ? i : nil
        }
        guard let t = field(0), let s = field(t + 1), let f = field(s + 1) else { return .keep }
        let stream: String
        if Self.equal(b, t + 1, s, "stdout") { stream = "stdout" } else if Self.equal(b, t + 1, s, "stderr") { stream = "stderr" } else { return .keep }
        let timeBytes = UnsafeBufferPointer(rebasing: b[0..<t])
        let time = String(decoding: timeBytes, as: UTF8.self)
        let flags = String(decoding: UnsafeBufferPointer(rebasing: b[(s + 1)..<f]), as: UTF8.self)
        let content = UnsafeBufferPointer(rebasing: b[(f + 1)...])
        e.labels["stream"] = stream
        if let ns = TimeParser.rfc3339(timeBytes) { e.timestamp = ns }
        if UnsafeBufferPointer(rebasing: b[(s + 1)..<f]).contains(UInt8(ascii: "P")) {
            var held = partial[stream] ?? ([], 0, e.offset)
            held.text.append(contentsOf: content)
            held.parts += 1
            cap(&held.text)
            if held.parts < maxPartialLines {
                partial[stream] = held
                extract(&e, time: time, stream: stream, flags: flags)
                return .held
            }
            partial[stream] = nil
            e.line = String(decoding: held.text, as: UTF8.self)
            e.offset = held.offset
        } else if !partial.isEmpty, var held = partial.removeValue(forKey: stream) {
            held.text.append(contentsOf: content)
            cap(&held.text)
            e.line = String(decoding: held.text, as: UTF8.self)
            e.offset = held.offset
        } else {
            e.line = String(decoding: content, as: UTF8.self)
        }
        extract(&e, time: time, stream: stream, flags: flags, content: e.line)
        return .keep
    }

    /// Sets the extracted values (one sorted map made at once when there were none before, as
    /// there are not when `cri` is the first stage).
    private func extract(_ e: inout AgentEntry, time: String, stream: String, flags: String, content: String? = nil) {
        if e.extracted.isEmpty {
            var pairs: [LabelMap.Element] = []
            pairs.reserveCapacity(8)
            if let content { pairs.append(("content", content)) }
            pairs += [("flags", flags), ("stream", stream), ("time", time)]
            e.extracted = LabelMap(sortedUnique: pairs)
        } else {
            e.extracted["time"] = time
            e.extracted["stream"] = stream
            e.extracted["flags"] = flags
            if let content { e.extracted["content"] = content }
        }
    }

    /// Cuts a joined line at `max_partial_line_size` when `max_partial_line_size_truncate` is set.
    private func cap(_ text: inout [UInt8]) {
        if maxPartialLineSize > 0 && truncate && text.count > maxPartialLineSize { text.removeLast(text.count - maxPartialLineSize) }
    }

    /// Whether `b[from..<to]` is the ASCII text `name`.
    private static func equal(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ name: StaticString) -> Bool {
        to - from == name.utf8CodeUnitCount && memcmp(b.baseAddress! + from, name.utf8Start, to - from) == 0
    }
}
