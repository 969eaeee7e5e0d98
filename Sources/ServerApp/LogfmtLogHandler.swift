public import Logging
import Foundation
import LogModel

/// Loki-style logfmt lines on stderr: `level=info ts=… caller=<label> msg="…" key=value`.
public struct LogfmtLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level: String = switch event.level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
        var line = "level=\(level) ts=\(LogfmtLogHandler.timestamp()) caller=\(label) msg=\(LogfmtLogHandler.quote(event.message.description))"
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        for k in all.keys.sorted() {
            line += " \(k)=\(LogfmtLogHandler.quote("\(all[k]!)"))"
        }
        line += "\n"
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }

    static func timestamp() -> String {
        let ns = Int64(Date().timeIntervalSince1970 * 1e9)
        return GoTime.rfc3339Nano(ns)
    }

    static func quote(_ s: String) -> String {
        if !s.isEmpty && !s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" || $0 == "\\" }) { return s }
        var out = "\""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}
