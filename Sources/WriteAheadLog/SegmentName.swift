/// Segment files are named by their index, zero-padded to 8 digits (`00000042`), so a plain
/// directory listing sorts them. Anything else in the directory is not a segment.
public enum SegmentName {
    public static func name(_ index: UInt64) -> String {
        let s = String(index)
        return s.count >= 8 ? s : String(repeating: "0", count: 8 - s.count) + s
    }

    public static func index(_ name: String) -> UInt64? {
        guard name.count >= 8, name.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(name)
    }

    /// Suffix of a segment set aside because it held corruption (kept for forensics, never replayed).
    public static let quarantineSuffix = ".corrupt"
    /// Suffix of a repaired copy awaiting its rename into place.
    public static let repairedSuffix = ".repaired"
}
