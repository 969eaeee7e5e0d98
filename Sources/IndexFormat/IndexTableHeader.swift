/// What an index table says about itself: whose it is, which period, and what it covers, so the
/// manifest and the tool can describe a table without reading its series.
public struct IndexTableHeader: Sendable, Equatable {
    public var tenant: String
    /// The schema period's table name (`index_20414`: prefix + period number).
    public var tableName: String
    /// Over every chunk in the table (0 and 0 when it has none).
    public var minTime: Int64
    public var maxTime: Int64
    public var minLSN: UInt64
    public var maxLSN: UInt64
    public var seriesCount: Int
    public var chunkCount: Int
    /// Sum of the chunk files' sizes (what the table's chunks occupy in the store).
    public var chunkBytes: Int

    public init(tenant: String, tableName: String, minTime: Int64 = 0, maxTime: Int64 = 0, minLSN: UInt64 = 0, maxLSN: UInt64 = 0,
                seriesCount: Int = 0, chunkCount: Int = 0, chunkBytes: Int = 0) {
        self.tenant = tenant
        self.tableName = tableName
        self.minTime = minTime
        self.maxTime = maxTime
        self.minLSN = minLSN
        self.maxLSN = maxLSN
        self.seriesCount = seriesCount
        self.chunkCount = chunkCount
        self.chunkBytes = chunkBytes
    }
}
