/// One pipeline stage, built per target (stages that join lines keep state per file).
public protocol Stage: Sendable {
    /// Processes `entry` in place.
    mutating func process(_ entry: inout AgentEntry) -> StageOutcome
    /// The file offset of the earliest line the stage holds and has not given back yet (CRI
    /// partials, a multiline block), nil when it holds nothing: the file's position waits there.
    var heldFrom: Int64? { get }
    /// Entries the stage has finished with since it was last asked (a multiline block ended by
    /// a new first line, a full block, or — with `now` — one that waited `max_wait_time`): they go
    /// on through the stages after this one.
    mutating func release(now: Int64?) -> [AgentEntry]
}

extension Stage {
    public var heldFrom: Int64? { nil }
    public mutating func release(now: Int64?) -> [AgentEntry] { [] }
}

/// What a stage did with an entry.
public enum StageOutcome: Sendable, Equatable {
    /// Go on to the next stage.
    case keep
    /// Dropped on purpose; `reason` labels `promtail_dropped_entries_total`-style counting.
    case drop(reason: String)
    /// Taken in to be joined with other lines (a CRI partial line, a multiline block): nothing is
    /// sent yet, and the file's position must not move past it until the joined entry is acknowledged.
    case held
}

/// A stage configuration that cannot work: which stage, where, why.
public struct StageError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
