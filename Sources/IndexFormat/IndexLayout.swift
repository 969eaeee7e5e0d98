/// The constants of the index table and manifest formats (docs/format/index.md). Every maximum is
/// checked by the readers before they allocate or slice, so a corrupt file cannot make them trap.
public enum IndexLayout {
    /// "SKIX": Skald index table.
    public static let tableMagic: [UInt8] = Array("SKIX".utf8)
    /// "SKIM": Skald index manifest.
    public static let manifestMagic: [UInt8] = Array("SKIM".utf8)
    /// The version this build writes, for tables and manifests alike.
    public static let currentVersion: UInt8 = 1
    /// Versions this build reads.
    public static let readableVersions: Set<UInt8> = [1]

    /// magic(4) version(1) reserved(3).
    public static let prefixSize = 8
    /// Four sections (header, symbols, series, postings), each offset u64 + length u64.
    public static let sectionCount = 4
    public static let tocSize = sectionCount * 16
    /// TOC offset u64, file CRC32C u32.
    public static let trailerSize = 12

    /// One symbol (a label name or value) is at most 1 MiB, as a chunk's whole label string is.
    public static let maxSymbolBytes = 1 << 20
    /// Loki's default allows 15 labels per stream (`max_label_names_per_series`); 1024 is corruption.
    public static let maxLabelsPerSeries = 1024
    /// Bounds on counts, far above any real table, that keep a corrupt count from allocating wildly.
    public static let maxSymbols = 1 << 26
    public static let maxSeries = 1 << 26
    public static let maxChunksPerSeries = 1 << 24
    public static let maxTables = 1 << 20
    public static let maxPathBytes = 4096
    public static let maxTenantBytes = 150
}
