/// What replay found: how much it read and every piece of damage it repaired. Damage is reported
/// (log + /metrics), never fatal: the server always starts on whatever intact records exist.
public struct ReplayReport: Sendable {
    public enum DamageKind: String, Sendable {
        /// The last segment ended in a partial or corrupt record (a crash mid-write): truncated.
        case tornTail = "torn_tail"
        /// A corrupt region inside the log: the segment was rewritten without it, the original quarantined.
        case corruptRegion = "corrupt_region"
        /// A segment whose header is unreadable: quarantined whole.
        case badHeader = "bad_header"
        /// A gap in the segment numbering: a segment file is missing.
        case missingSegment = "missing_segment"
    }

    public struct Damage: Sendable, CustomStringConvertible {
        public let kind: DamageKind
        public let segment: UInt64
        public let offset: Int
        public let bytesLost: Int
        public let detail: String

        public var description: String {
            "\(kind.rawValue) in segment \(SegmentName.name(segment)) at offset \(offset): \(bytesLost) bytes lost (\(detail))"
        }
    }

    public var segments = 0
    public var records = 0
    public var bytes = 0
    public var firstLSN: UInt64 = 0
    public var lastLSN: UInt64 = 0
    /// Index for the next segment a writer should create: after every existing or quarantined one,
    /// or the newest one itself when it holds no record (it is rewritten, not added to).
    public var nextSegmentIndex: UInt64 = 1
    public var damage: [Damage] = []
    /// Every segment replayed, oldest first, with the highest LSN at or before its end (its own last
    /// record's, or the previous segment's if it holds none): a segment may be deleted once every
    /// record up to that LSN is in flushed chunks.
    public var segmentLastLSN: [(index: UInt64, lastLSN: UInt64)] = []

    public var bytesLost: Int { damage.reduce(0) { $0 + $1.bytesLost } }

    public init() {}
}

/// Replay progress for /ready: bytes of segment files read so far out of the total.
public struct ReplayProgress: Sendable {
    public var bytesRead: Int
    public var bytesTotal: Int
    public var records: Int

    public init(bytesRead: Int, bytesTotal: Int, records: Int) {
        self.bytesRead = bytesRead
        self.bytesTotal = bytesTotal
        self.records = records
    }
}
