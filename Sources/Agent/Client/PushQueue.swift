import Foundation

/// What the tailing thread hands a client: an entry to send, or only a position mark (a line the
/// pipeline dropped, a rotation) — both carry the file mark that becomes acknowledged once
/// everything before it is.
public struct PushItem: Sendable {
    public var entry: Entry?
    public var file: String?
    public var mark: PositionTracker.Mark?

    public struct Entry: Sendable {
        /// Labels as they go out (no `__` labels), the canonical string form, and the tenant ("" = the client's).
        public var labels: String
        public var tenant: String
        public var timestamp: Int64
        public var line: String
    }

    public init(entry: Entry?, file: String?, mark: PositionTracker.Mark?) {
        self.entry = entry
        self.file = file
        self.mark = mark
    }

    var bytes: Int { entry.map { $0.line.utf8.count } ?? 0 }
}

/// A bounded hand-over between the tailing thread and one client's sending thread: `put` waits
/// while `maxBytes` of lines are queued (so a server that is down stops the reading, and memory
/// stays bounded — the files themselves are the spool), `take` waits up to a deadline.
final class PushQueue: @unchecked Sendable {
    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var items: [PushItem] = []
    private var bytes = 0
    private var closed = false
    let maxBytes: Int

    init(maxBytes: Int) { self.maxBytes = max(maxBytes, 1) }

    /// Queues `batch` (one lock and at most one wake-up for all of it); false when the queue was
    /// closed (shutting down), or `shouldStop` became true while waiting for room.
    func put(_ batch: [PushItem], shouldStop: () -> Bool) -> Bool {
        let size = batch.reduce(0) { $0 + $1.bytes }
        condition.lock()
        defer { condition.unlock() }
        while !closed && bytes > 0 && bytes + size > maxBytes {
            if shouldStop() { return false }
            condition.wait(until: Date().addingTimeInterval(0.1))
        }
        if closed { return false }
        let wasEmpty = items.isEmpty
        items.append(contentsOf: batch)
        bytes += size
        if wasEmpty { condition.broadcast() }
        return true
    }

    /// Everything queued, moved into `out` (whose old contents go, its buffer becoming the
    /// queue's), waiting until `deadline` for something to arrive; empty at the deadline or when closed.
    func take(until deadline: Date, into out: inout [PushItem]) {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed {
            if !condition.wait(until: deadline) { break }
        }
        out.removeAll(keepingCapacity: true)
        swap(&out, &items)
        let wasFull = bytes > 0
        bytes = 0
        if wasFull { condition.broadcast() }  // a producer may be waiting for room
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    var queuedBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return bytes
    }
}
