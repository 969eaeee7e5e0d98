public import LogModel

/// Where a metric query's log lines come from: the streams matching a log query's selector, each
/// as a scan of its entries in [start, end). The source may already have applied `query.filters`
/// (they are pushed down); the evaluator runs the rest of the pipeline.
public protocol LogSource: Sendable {
    func scans(_ query: LogQuery, start: Int64, end: Int64) throws(EvaluationError) -> [any LineScan]
}

/// One stream's entries, read on demand.
public protocol LineScan: Sendable {
    var labels: LabelSet { get }
    /// About how many bytes reading it costs (to share scans fairly between workers).
    var cost: Int { get }
    /// Hands `visitor` each entry's timestamp and line (the bytes are valid only during the call),
    /// in time order, an exact duplicate (same timestamp and line) once. A block that can be taken
    /// whole — entirely in the range, no line filter to run, no other block's time span
    /// overlapping it (so no duplicate to drop) — may first be offered to `visitor.whole`; a block
    /// it accepts is not decoded. Returns a warning for each part that could not be read.
    func scan<V: LineVisitor>(_ visitor: inout V) -> [String]
}

/// What a scan hands its entries to.
public protocol LineVisitor {
    /// Whether the visitor accounts for a whole block of `entries` lines (`bytes` decompressed) in
    /// [minTime, maxTime] without seeing them.
    mutating func whole(minTime: Int64, maxTime: Int64, entries: Int, bytes: Int) -> Bool
    mutating func line(_ timestamp: Int64, _ line: UnsafeRawBufferPointer)
}

extension LineScan {
    /// Calls `body` with every entry (no block is taken whole).
    public func forEach(_ body: (Int64, UnsafeRawBufferPointer) -> Void) -> [String] {
        withoutActuallyEscaping(body) { body in
            var v = ClosureVisitor(body: body)
            return scan(&v)
        }
    }
}

private struct ClosureVisitor: LineVisitor {
    let body: (Int64, UnsafeRawBufferPointer) -> Void
    func whole(minTime: Int64, maxTime: Int64, entries: Int, bytes: Int) -> Bool { false }
    func line(_ timestamp: Int64, _ line: UnsafeRawBufferPointer) { body(timestamp, line) }
}
