public import CCodecs

/// CRC32C (Castagnoli), the checksum after every record, block and section Skald writes.
public enum CRC32C {
    /// The checksum of `bytes`, continuing from `crc` (0 to start).
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return skald_crc32c(crc, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    /// The checksum of a byte collection with contiguous storage.
    @inlinable
    public static func checksum<C: Collection>(_ bytes: C, continuing crc: UInt32 = 0) -> UInt32 where C.Element == UInt8 {
        if let r = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), continuing: crc) }) {
            return r
        }
        return Array(bytes).withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// Whether the SSE4.2 instruction is doing the work (reported once at startup).
    public static var usesHardware: Bool { skald_crc32c_hardware() == 1 }
}
