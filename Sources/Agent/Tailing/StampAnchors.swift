import Foundation
import Synchronization
public import WriteAheadLog

/// Stable timestamps for lines that carry none (no `cri`, `docker` or `timestamp` stage sets one):
/// a line at byte offset `o` of a file is stamped `T + (o − A)` nanoseconds from the file's
/// anchor `(A, T)` — the offset and time at which the anchor was made — instead of the time it
/// happens to be read. An anchor is written to disk (`<positions file>.stamps`, beside Promtail's
/// positions file, which stays as Promtail writes it) before any line stamped with it is handed to a
/// client, so after a crash the lines read again get the very same timestamps, and the server's
/// exact-duplicate drop (same stream, time and line) removes what is sent twice.
///
/// A new anchor is made when stamps would lag the clock by more than `maxLag`; old anchors are
/// kept while some unacknowledged line may still need them. One byte is one nanosecond, so a file
/// read at 100 MB/s runs 0.1 s behind per second at most before it is re-anchored.
public final class StampAnchors: Sendable {
    public struct Anchor: Sendable, Equatable {
        public var offset: Int64
        public var time: Int64
    }

    public let path: String
    let maxLag: Int64
    /// Guards each file's anchors (ascending offsets) and whether they changed since written.
    private let state: Mutex<(anchors: [String: [Anchor]], dirty: Bool)>

    public init(path: String, maxLag: Int64 = 1_000_000_000) {
        self.path = path
        self.maxLag = maxLag
        var anchors: [String: [Anchor]] = [:]
        if let data = FileManager.default.contents(atPath: path) {
            // Lines of "offset time path"; anything unreadable is skipped (stamps only lose their stability).
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 2)
                guard parts.count == 3, let o = Int64(parts[0]), let t = Int64(parts[1]), o >= 0 else { continue }
                anchors[String(parts[2]), default: []].append(Anchor(offset: o, time: t))
            }
            for k in anchors.keys { anchors[k]!.sort { $0.offset < $1.offset } }
        }
        state = Mutex((anchors, false))
    }

    /// The timestamp of the line starting at `offset` in `file`, read at `now`.
    public func stamp(_ file: String, offset: Int64, now: Int64) -> Int64 {
        state.withLock { s in
            // Anchors are in ascending offsets: the one for this line is the last at or below it.
            if let list = s.anchors[file], let i = list.lastIndex(where: { $0.offset <= offset }) {
                let t = list[i].time + (offset - list[i].offset)
                // An anchor past this offset was made for a later line: keep to the old one.
                if i < list.count - 1 || now - t <= maxLag { return t }
            }
            var list = s.anchors.removeValue(forKey: file) ?? []
            list.removeAll { $0.offset >= offset }
            list.append(Anchor(offset: offset, time: now))
            s.anchors[file] = list
            s.dirty = true
            return now
        }
    }

    /// The file started again at offset 0 (rotated or truncated): its anchors no longer apply.
    public func reset(_ file: String) {
        state.withLock { s in if s.anchors.removeValue(forKey: file) != nil { s.dirty = true } }
    }

    /// Drops anchors no unacknowledged line can need: all but the last at or below `position`.
    public func prune(_ positions: [String: Int64]) {
        state.withLock { s in
            for (file, list) in s.anchors {
                guard let p = positions[file] else { continue }
                guard let keepFrom = list.lastIndex(where: { $0.offset <= p }), keepFrom > 0 else { continue }
                s.anchors[file] = Array(list[keepFrom...])
                s.dirty = true
            }
        }
    }

    /// Writes the anchors if any changed: must return before lines stamped with a new anchor are sent.
    public func makeDurable() throws(DurableFile.IOError) {
        let snapshot: [String: [Anchor]]? = state.withLock { s in
            guard s.dirty else { return nil }
            s.dirty = false
            return s.anchors
        }
        guard let snapshot else { return }
        var text = ""
        for (file, list) in snapshot.sorted(by: { $0.key < $1.key }) where !file.contains("\n") {
            for a in list { text += "\(a.offset) \(a.time) \(file)\n" }
        }
        do { try DurableFile.writeAtomically(Array(text.utf8), to: path) } catch {
            state.withLock { $0.dirty = true }
            throw error
        }
    }
}
