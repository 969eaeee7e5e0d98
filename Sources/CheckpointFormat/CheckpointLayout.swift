import Codecs

/// The constants of the checkpoint format (docs/format/checkpoint.md). Every maximum is checked by
/// the readers before they allocate, so a corrupt file cannot make them trap.
public enum CheckpointLayout {
    /// "SKCP": Skald checkpoint.
    public static let magic: [UInt8] = Array("SKCP".utf8)
    /// The version this build writes.
    public static let currentVersion: UInt8 = 1
    /// Versions this build reads.
    public static let readableVersions: Set<UInt8> = [1]

    /// magic(4) version(1) reserved(3) LSN u64, created unix ns u64, CRC32C u32.
    public static let prefixSize = 28
    /// payload length u32, kind u8, CRC32C u32 (over kind and payload).
    public static let frameHeaderSize = 9
    /// The end frame's payload: chunk frames u64, lowest chunk LSN u64.
    public static let endPayloadSize = 16
    /// The end frame, header included: always the file's last bytes.
    public static let endFrameSize = frameHeaderSize + endPayloadSize
    /// One chunk frame holds one chunk file; 1 GiB is far above any chunk (targets are 1.5 MiB).
    public static let maxFrameBytes = 1 << 30

    /// File name prefix and suffix: `checkpoint-<LSN as 16 hex digits>.skcp`.
    public static let namePrefix = "checkpoint-"
    public static let nameSuffix = ".skcp"

    /// The file name of the checkpoint taken at `lsn`.
    public static func fileName(lsn: UInt64) -> String {
        namePrefix + hexDigits(lsn, width: 16) + nameSuffix
    }

    /// The LSN in a checkpoint's file name, or nil for any other name (temporary files included).
    public static func lsn(ofFileName name: String) -> UInt64? {
        guard name.hasPrefix(namePrefix), name.hasSuffix(nameSuffix) else { return nil }
        let digits = name.dropFirst(namePrefix.count).dropLast(nameSuffix.count)
        guard digits.count == 16, digits.allSatisfy(\.isHexDigit) else { return nil }
        return UInt64(digits, radix: 16)
    }

}
/// What a frame holds.
public enum CheckpointFrameKind: UInt8, Sendable {
    /// A stream's open chunk: its blocks so far, as a chunk file.
    case openChunk = 1
    /// A closed chunk not yet in the store, as a chunk file.
    case closedChunk = 2
    /// The last frame: how many chunk frames precede it and their lowest LSN.
    case end = 0xFF
}
