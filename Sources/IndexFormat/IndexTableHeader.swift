import Codecs

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

    /// Appends tenant, table name, time and LSN ranges and the three counts: the table's header
    /// section, and the same fields in each manifest entry.
    func append(to out: inout [UInt8]) {
        IndexTableWriter.appendString(tenant, to: &out)
        IndexTableWriter.appendString(tableName, to: &out)
        out.appendU64LE(UInt64(bitPattern: minTime))
        out.appendU64LE(UInt64(bitPattern: maxTime))
        out.appendU64LE(minLSN)
        out.appendU64LE(maxLSN)
        out.appendUVarint(UInt64(seriesCount))
        out.appendUVarint(UInt64(chunkCount))
        out.appendUVarint(UInt64(chunkBytes))
    }

    /// Reads what `append` wrote.
    static func read(_ c: inout ByteCursor) throws -> IndexTableHeader {
        let tenant = try c.string(c.length(max: IndexLayout.maxTenantBytes, "tenant"), "tenant")
        let name = try c.string(c.length(max: IndexLayout.maxPathBytes, "table name"), "table name")
        var h = IndexTableHeader(tenant: tenant, tableName: name)
        h.minTime = Int64(bitPattern: try c.u64le("min time"))
        h.maxTime = Int64(bitPattern: try c.u64le("max time"))
        h.minLSN = try c.u64le("min LSN")
        h.maxLSN = try c.u64le("max LSN")
        h.seriesCount = try IndexTable.count(&c, max: IndexLayout.maxSeries, "series count")
        h.chunkCount = try IndexTable.count(&c, max: Int(Int32.max), "chunk count")
        h.chunkBytes = try IndexTable.count(&c, max: Int.max / 2, "chunk bytes")
        return h
    }
}
