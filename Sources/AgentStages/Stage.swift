/// One pipeline stage, built per target (stages that join lines keep state per file).
public protocol Stage: Sendable {
    /// Processes `entry` in place.
    mutating func process(_ entry: inout AgentEntry) -> StageOutcome
    /// Whether the stage holds lines it has not given back yet (CRI partials).
    var holding: Bool { get }
}

extension Stage {
    public var holding: Bool { false }
}

/// What a stage did with an entry.
public enum StageOutcome: Sendable, Equatable {
    /// Go on to the next stage.
    case keep
    /// Dropped on purpose; `reason` labels `promtail_dropped_entries_total`-style counting.
    case drop(reason: String)
    /// Taken in to be joined with later lines (a CRI partial line): nothing is sent yet, and the
    /// file's position must not move past it until the joined entry is acknowledged.
    case held
}

/// A stage configuration that cannot work: which stage, where, why.
public struct StageError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
