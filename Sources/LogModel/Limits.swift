/// Per-tenant limits (`limits_config`), with Loki 2.8's defaults. Every value says why it has it:
/// they are Loki's, so a config written for Loki behaves the same on Skald.
public struct Limits: Sendable, Equatable {
    /// `ingestion_rate_mb`: sustained per-tenant push rate, MiB/s (Loki default 4).
    public var ingestionRateMB: Double = 4
    /// `ingestion_burst_size_mb`: token-bucket size, MiB (Loki default 6).
    public var ingestionBurstSizeMB: Double = 6
    /// `max_global_streams_per_user` (5000) — active streams per tenant.
    public var maxGlobalStreamsPerUser: Int = 5000
    /// `max_streams_per_user` (0 = off): the local variant; the lower non-zero of the two applies.
    public var maxStreamsPerUser: Int = 0
    /// `per_stream_rate_limit` (3 MB) in bytes/s.
    public var perStreamRateLimit: Int = 3 << 20
    /// `per_stream_rate_limit_burst` (15 MB) in bytes.
    public var perStreamRateLimitBurst: Int = 15 << 20
    /// `max_label_names_per_series` (30 in 2.8).
    public var maxLabelNamesPerSeries: Int = 30
    /// `max_label_name_length` (1024).
    public var maxLabelNameLength: Int = 1024
    /// `max_label_value_length` (2048).
    public var maxLabelValueLength: Int = 2048
    /// `reject_old_samples` (true).
    public var rejectOldSamples: Bool = true
    /// `reject_old_samples_max_age` (1 week), nanoseconds.
    public var rejectOldSamplesMaxAge: Int64 = 168 * 3600 * 1_000_000_000
    /// `creation_grace_period` (10 m), nanoseconds: how far in the future an entry may be.
    public var creationGracePeriod: Int64 = 10 * 60 * 1_000_000_000
    /// `max_line_size` in bytes (0 = unlimited, 2.8's default).
    public var maxLineSize: Int = 0
    /// `max_line_size_truncate`: truncate over-long lines instead of rejecting them.
    public var maxLineSizeTruncate: Bool = false
    /// `unordered_writes` (true): accept out-of-order entries within the window below.
    public var unorderedWrites: Bool = true
    /// `max_entries_limit_per_query` (5000).
    public var maxEntriesLimitPerQuery: Int = 5000
    /// `max_query_series` (500).
    public var maxQuerySeries: Int = 500
    /// `max_query_length` (721 h), nanoseconds; 0 = off.
    public var maxQueryLength: Int64 = 721 * 3600 * 1_000_000_000
    /// `increment_duplicate_timestamp` (false): within one push, a line whose timestamp equals the
    /// previous entry's (of its stream) and whose text differs is moved 1 ns later, so both are kept.
    public var incrementDuplicateTimestamp: Bool = false
    /// `max_query_lookback` (0 = off), nanoseconds: queries see nothing older than now minus this;
    /// a range reaching further back is cut at it, one wholly beyond it is answered empty (or, where
    /// Loki refuses it, refused with its "no longer available" text).
    public var maxQueryLookback: Int64 = 0
    /// `query_timeout` (1 m), nanoseconds: a query still reading after this stops and answers 504; 0 = off.
    public var queryTimeout: Int64 = 60 * 1_000_000_000
    /// `split_queries_by_interval` (30 m), nanoseconds. Loki's query frontend splits metric range
    /// queries at this interval and, doing so, aligns their start down and end up to a multiple of
    /// the step; Skald evaluates in one pass but aligns the same way, so the points are Loki's. 0 = off.
    public var splitQueriesByInterval: Int64 = 30 * 60 * 1_000_000_000
    /// `volume_enabled` (true, as in Loki 3): the `index/volume` endpoints answer; false → 404.
    public var volumeEnabled: Bool = true
    /// `max_concurrent_tail_requests` (10): live tails a tenant may hold open at once.
    public var maxConcurrentTailRequests: Int = 10
    /// `retention_period` (0s): how long chunks are kept once `compactor.retention_enabled` is on;
    /// 0 keeps them for ever (Loki 2.8's meaning of 0). Nanoseconds.
    public var retentionPeriod: Int64 = 0
    /// `deletion_mode` (Loki's default `filter-and-delete`): whether the delete API takes requests,
    /// and whether the compactor then removes the lines from the chunk files.
    public enum DeletionMode: String, Sendable, Equatable {
        case disabled
        case filterOnly = "filter-only"
        case filterAndDelete = "filter-and-delete"
    }
    public var deletionMode: DeletionMode = .filterAndDelete
    /// `retention_stream`: per-selector periods (see `retentionPeriod(for:)`).
    public var retentionStreams: [RetentionStream] = []

    public init() {}

    /// The effective stream cap: the lower non-zero of the local and global limits (single node).
    public var effectiveMaxStreams: Int {
        switch (maxStreamsPerUser, maxGlobalStreamsPerUser) {
        case (0, 0): 0
        case (0, let g): g
        case (let l, 0): l
        case (let l, let g): min(l, g)
        }
    }
}
