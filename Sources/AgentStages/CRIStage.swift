import LogModel

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
        var line = e.line
        let parsed: (time: Substring, stream: Substring, flags: Substring, content: Range<Int>)? = line.withUTF8 { b in
            func field(_ from: Int) -> Int? {
                var i = from
                while i < b.count, b[i] != 0x20 { i += 1 }
                return i < b.count && i > from ? i : nil
            }
            guard let t = field(0), let s = field(t + 1), let f = field(s + 1) else { return nil }
            let str = String(decoding: UnsafeBufferPointer(rebasing: b[(t + 1)..<s]), as: UTF8.self)
            guard str == "stdout" || str == "stderr" else { return nil }
            return (Substring(String(decoding: UnsafeBufferPointer(rebasing: b[0..<t]), as: UTF8.self)), Substring(str),
                    Substring(String(decoding: UnsafeBufferPointer(rebasing: b[(s + 1)..<f]), as: UTF8.self)), (f + 1)..<b.count)
        }
        guard let p = parsed else { return .keep }
        let content = Array(line.utf8)[p.content]
        let stream = String(p.stream)
        e.extracted["time"] = String(p.time)
        e.extracted["stream"] = stream
        e.extracted["flags"] = String(p.flags)
        e.labels["stream"] = stream
        if let ns = TimeParser.rfc3339(String(p.time)) { e.timestamp = ns }
        if p.flags.utf8.contains(UInt8(ascii: "P")) {
            var held = partial[stream] ?? ([], 0, e.offset)
            held.text += content
            held.parts += 1
            if maxPartialLineSize > 0 && truncate && held.text.count > maxPartialLineSize { held.text.removeLast(held.text.count - maxPartialLineSize) }
            if held.parts < maxPartialLines {
                partial[stream] = held
                return .held
            }
            partial[stream] = nil
            e.line = String(decoding: held.text, as: UTF8.self)
            e.offset = held.offset
        } else if let held = partial.removeValue(forKey: stream) {
            var joined = held.text + content
            if maxPartialLineSize > 0 && truncate && joined.count > maxPartialLineSize { joined.removeLast(joined.count - maxPartialLineSize) }
            e.line = String(decoding: joined, as: UTF8.self)
            e.offset = held.offset
        } else {
            e.line = String(decoding: content, as: UTF8.self)
        }
        e.extracted["content"] = e.line
        return .keep
    }
}
