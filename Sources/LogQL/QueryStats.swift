import Synchronization

/// What a metric query read, for the `stats` of its answer (Loki's `summary.totalLinesProcessed`
/// and `totalBytesProcessed`): the lines in range handed to its workers (after the line filters
/// pushed into decoding; a block counted from its index adds its entries and decompressed size),
/// and their bytes. Shared by the query's workers. (Log queries count in `ReadPlan`: every line
/// in range before the filters.)
public final class QueryStats: Sendable {
    private let lines = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)

    public init() {}

    public func add(lines n: Int, bytes b: Int) {
        lines.add(n, ordering: .relaxed)
        bytes.add(b, ordering: .relaxed)
    }

    public var linesProcessed: Int { lines.load(ordering: .relaxed) }
    public var bytesProcessed: Int { bytes.load(ordering: .relaxed) }
}
