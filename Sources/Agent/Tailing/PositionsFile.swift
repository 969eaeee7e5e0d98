import AgentStages
import Foundation
import Synchronization
public import WriteAheadLog
import Yams

/// Promtail's positions file (`positions.filename`): for each file, the byte offset up to which
/// its lines have been acknowledged by every client — the same YAML Promtail writes, so a node can
/// switch from Promtail without shipping its logs again:
///
///     positions:
///       /var/log/pods/ns_pod_uid/app/0.log: "52341"
///
/// Written atomically (tmp → fsync → rename → fsync dir) every `sync_period` and on shutdown.
public final class PositionsFile: Sendable {
    public let path: String
    /// Guards the offsets (path → offset), the files they are in (path → identity, saved in
    /// `<path>.ids` so Promtail's file keeps its format) and whether they changed since the last save.
    private let state: Mutex<(offsets: [String: Int64], identities: [String: FileIdentity], dirty: Bool)>

    /// Reads `path` (a missing file is an empty one). A damaged file is an error unless
    /// `ignoreInvalid`, when it is logged by the caller and started afresh.
    public init(path: String, ignoreInvalid: Bool) throws(AgentConfigError) {
        self.path = path
        var offsets: [String: Int64] = [:]
        if let data = FileManager.default.contents(atPath: path), !data.isEmpty {
            do {
                offsets = try Self.parse(String(decoding: data, as: UTF8.self))
            } catch where ignoreInvalid {
                offsets = [:]
            } catch {
                throw AgentConfigError("positions file \(path) is damaged (\(error.message)); fix or remove it, or set positions.ignore_invalid_yaml: true to start afresh")
            }
        }
        var identities: [String: FileIdentity] = [:]
        if let data = FileManager.default.contents(atPath: path + ".ids") {
            // "device:inode offset path" lines, written just before the positions file: an identity
            // counts only when its offset is the one the positions file has (a crash between the two
            // writes leaves them different, and that file resumes by offset alone). Anything
            // unreadable is skipped the same way.
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 2)
                guard parts.count == 3, let id = FileIdentity(parts[0]), let o = Int64(parts[1]) else { continue }
                if offsets[String(parts[2])] == o { identities[String(parts[2])] = id }
            }
        }
        state = Mutex((offsets, identities, false))
    }

    /// The file `file`'s saved offset is in, when known.
    public func identity(_ file: String) -> FileIdentity? { state.withLock { $0.identities[file] } }

    static func parse(_ text: String) throws(AgentConfigError) -> [String: Int64] {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw AgentConfigError("not YAML: \(error)") }
        guard let node else { return [:] }
        guard case .mapping(let top) = node else { throw AgentConfigError("the top level is not a mapping") }
        var out: [String: Int64] = [:]
        for (k, v) in top where k.scalar?.string == "positions" {
            if case .scalar(let s) = v, s.string.isEmpty || s.string == "null" || s.string == "~" { continue }
            guard case .mapping(let m) = v else { throw AgentConfigError("positions: is not a mapping") }
            for (pk, pv) in m {
                guard let key = pk.scalar?.string, let text = pv.scalar?.string else { throw AgentConfigError("an entry is not a path and an offset") }
                // Promtail also keeps non-file positions (journal cursors): kept, never read as offsets.
                if let n = Int64(text), n >= 0 { out[key] = n }
            }
        }
        return out
    }

    public func offset(_ file: String) -> Int64? { state.withLock { $0.offsets[file] } }

    public func set(_ file: String, _ offset: Int64, identity: FileIdentity? = nil) {
        state.withLock { s in
            if s.offsets[file] != offset { s.offsets[file] = offset; s.dirty = true }
            if let identity, s.identities[file] != identity { s.identities[file] = identity; s.dirty = true }
        }
    }

    public func remove(_ file: String) {
        state.withLock { s in
            if s.offsets.removeValue(forKey: file) != nil { s.dirty = true }
            s.identities[file] = nil
        }
    }

    public var all: [String: Int64] { state.withLock { $0.offsets } }

    /// The file's text, keys sorted (so the file is stable between saves).
    static func render(_ offsets: [String: Int64]) -> String {
        var out = "positions:\n"
        // A key is written as a JSON string, which is a YAML double-quoted scalar.
        for (k, v) in offsets.sorted(by: { $0.key < $1.key }) { out += "  \(JSONValue.quote(k)): \"\(v)\"\n" }
        return out
    }

    /// Writes the file if anything changed (or `force`).
    public func save(force: Bool = false) throws(DurableFile.IOError) {
        let taken: ([String: Int64], [String: FileIdentity])? = state.withLock { s in
            guard s.dirty || force else { return nil }
            s.dirty = false
            return (s.offsets, s.identities)
        }
        guard let (snapshot, identities) = taken else { return }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        do {
            // Identities first: a position is never saved without the file it is in being known.
            var ids = ""
            for (k, v) in identities.sorted(by: { $0.key < $1.key }) where !k.contains("\n") {
                if let o = snapshot[k] { ids += "\(v) \(o) \(k)\n" }
            }
            try DurableFile.writeAtomically(Array(ids.utf8), to: path + ".ids")
            try DurableFile.writeAtomically(Array(Self.render(snapshot).utf8), to: path)
        } catch {
            state.withLock { $0.dirty = true }
            throw error
        }
    }
}
