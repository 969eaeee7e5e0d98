/// The constants of the chunk file format (docs/format/chunk.md). Every maximum is checked by the
/// reader before it allocates or slices, so a corrupt or hostile file cannot make it trap or balloon.
public enum ChunkLayout {
    /// "SKCK": Skald chunk.
    public static let magic: [UInt8] = Array("SKCK".utf8)
    /// The version this build writes.
    public static let currentVersion: UInt8 = 1
    /// Versions this build reads (write newest, read all).
    public static let readableVersions: Set<UInt8> = [1]

    /// magic(4) version(1) encoding(1) reserved(2) header length(4).
    public static let prefixSize = 12
    /// Index offset u64, index length u32, chunk checksum u32.
    public static let trailerSize = 16
    /// offset u64, compressed length u32, raw length u32, entries u32, min time i64, max time i64, CRC32C u32.
    public static let indexEntrySize = 40

    /// A tenant id is at most 150 bytes (Loki's rule); anything longer is corruption.
    public static let maxTenantBytes = 150
    /// Loki's default limits allow 30 names of 1024 bytes and values of 2048; 1 MiB leaves room for
    /// raised limits while still refusing nonsense lengths.
    public static let maxLabelsBytes = 1 << 20
    /// The header body holds tenant, labels and four 8-byte fields.
    public static let maxHeaderBytes = maxLabelsBytes + maxTenantBytes + 64
    /// A block holds at least one line, and a line may be as long as `max_line_size` allows; 256 MiB
    /// is the same ceiling the WAL puts on a record, far above any sane block size.
    public static let maxBlockRawBytes = 256 << 20
    /// A chunk targets 1.5 MiB compressed in 256 KiB blocks; a million blocks is corruption.
    public static let maxBlocks = 1 << 20
    /// Structured metadata pairs on one entry.
    public static let maxMetadataPairs = 1024
    /// The smallest encoded entry: timestamp delta, line length, metadata count, one byte each.
    public static let minEntryBytes = 3
}
