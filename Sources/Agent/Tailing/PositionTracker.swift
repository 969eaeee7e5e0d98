import Synchronization

/// Moves a file's position only as far as every client has acknowledged: each client reports,
/// in the order it sent them, the (generation, offset) its batches reached for each file; the
/// file's position is the least of them. A newer generation (the path was rotated or truncated)
/// starts the file again at the offset given, so an old file's offset never lands on a new file.
public final class PositionTracker: Sendable {
    public struct Mark: Sendable, Equatable, Comparable {
        public var generation: Int
        public var offset: Int64
        /// The file the offset is in (saved beside the position; not part of the order).
        public var identity: FileIdentity?
        public init(generation: Int, offset: Int64, identity: FileIdentity? = nil) {
            self.generation = generation
            self.offset = offset
            self.identity = identity
        }
        public static func < (a: Mark, b: Mark) -> Bool { (a.generation, a.offset) < (b.generation, b.offset) }
        public static func == (a: Mark, b: Mark) -> Bool { a.generation == b.generation && a.offset == b.offset }
    }

    let positions: PositionsFile
    let clients: Int
    /// Guards, per file, each client's acknowledged mark.
    private let marks = Mutex<[String: [Mark?]]>([:])

    public init(positions: PositionsFile, clients: Int) {
        self.positions = positions
        self.clients = max(clients, 1)
    }

    /// Client `client` has everything of `file` up to `mark` acknowledged (or dropped for good).
    public func acknowledge(_ file: String, _ mark: Mark, client: Int) {
        let least: Mark? = marks.withLock { m in
            var per = m[file] ?? [Mark?](repeating: nil, count: clients)
            if let old = per[client], old > mark { return nil }  // never backwards
            per[client] = mark
            m[file] = per
            guard per.allSatisfy({ $0 != nil }) else { return nil }
            return per.compactMap { $0 }.min()
        }
        if let least { positions.set(file, least.offset, identity: least.identity) }
    }

    /// Forgets a file (its target went away and the file is gone).
    public func forget(_ file: String) {
        marks.withLock { _ = $0.removeValue(forKey: file) }
        positions.remove(file)
    }
}
