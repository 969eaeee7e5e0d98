/// `schema_config.configs`: from which day which index table naming applies. A chunk is indexed in
/// the table of the period and bucket its first entry falls in (`<prefix><time ÷ period>`, Loki's
/// table naming); a query reads every table whose time range overlaps it, so a query spanning two
/// periods reads both.
public struct SchemaPeriods: Sendable, Equatable {
    public struct Period: Sendable, Equatable {
        /// Start of the period, nanoseconds since the epoch (a `from` date is midnight UTC).
        public var from: Int64
        /// `index.prefix` (Loki's default: `index_`).
        public var prefix: String
        /// `index.period` in nanoseconds (Loki's default and boltdb-shipper's requirement: 24h).
        public var period: Int64

        public init(from: Int64, prefix: String = "index_", period: Int64 = SchemaPeriods.day) {
            self.from = from
            self.prefix = prefix
            self.period = period
        }
    }

    public static let day: Int64 = 86_400 * 1_000_000_000

    /// Sorted by `from`; never empty.
    public let periods: [Period]

    /// With no `schema_config`: one period from the epoch, daily `index_` tables.
    public init(_ periods: [Period] = []) {
        let sorted = periods.filter { $0.period > 0 }.sorted { $0.from < $1.from }
        self.periods = sorted.isEmpty ? [Period(from: 0)] : sorted
    }

    /// The table name for a chunk whose first entry is at `time`. Times before the first period
    /// use the first period's naming.
    public func tableName(for time: Int64) -> String {
        let p = periods.last { $0.from <= time } ?? periods[0]
        let bucket = time >= 0 ? time / p.period : (time + 1) / p.period - 1
        return p.prefix + String(bucket)
    }
}
