/// A log deletion request (`POST /loki/api/v1/delete`): lines of `tenant`'s streams matching
/// `query` (a stream selector with optional line filters) with timestamps in [start, end] are
/// filtered out of every answer from the moment it is accepted, and removed from the chunk files
/// once it can no longer be cancelled (`deletion_mode: filter-and-delete`).
public struct DeleteRequest: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case received
        case processed
    }

    public var requestID: String
    public var tenant: String
    public var query: String
    /// Unix nanoseconds, both ends included.
    public var start: Int64
    public var end: Int64
    /// Unix nanoseconds.
    public var createdAt: Int64
    public var status: Status

    public init(requestID: String, tenant: String, query: String, start: Int64, end: Int64, createdAt: Int64, status: Status = .received) {
        self.requestID = requestID
        self.tenant = tenant
        self.query = query
        self.start = start
        self.end = end
        self.createdAt = createdAt
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", tenant, query, start, end, createdAt = "created_at", status
    }
}
