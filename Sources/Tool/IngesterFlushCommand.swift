import Foundation

/// `ingester flush`: asks a running Skald server to flush every stream to chunks and index them
/// (`POST /flush?wait=true`), returning once the store holds them — the StatefulSet's preStop
/// hook before a scale-down, or an operator before a backup.
struct IngesterFlushCommand: Encodable {
    var address: String
    var seconds: Double

    static func run(address: String, timeout: Double) throws(ToolError) -> IngesterFlushCommand {
        let began = Date()
        let answer: (URL, Int, Data)
        do {
            answer = try LokiClient(address: address, orgID: nil, timeout: timeout).send("POST", "/flush", [("wait", "true")])
        } catch {
            throw .input("\(error); is --addr the Skald server's HTTP address (like http://127.0.0.1:3100)?")
        }
        guard answer.1 == 204 || answer.1 == 200 else {
            throw .input("POST \(answer.0): \(answer.1) \(String(decoding: answer.2, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)); nothing was flushed by this request")
        }
        return IngesterFlushCommand(address: address, seconds: Date().timeIntervalSince(began))
    }

    var text: String {
        "flushed \(address): every stream's lines are in chunks and indexed (\(String(format: "%.1f", seconds)) s)\n"
    }
}
