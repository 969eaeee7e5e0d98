import CCodecs

/// Substring search over raw bytes (glibc's `memmem`): LogQL's literal line filters.
public enum ByteSearch {
    public static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        skald_contains(haystack.baseAddress?.assumingMemoryBound(to: UInt8.self), haystack.count,
                       needle.baseAddress?.assumingMemoryBound(to: UInt8.self), needle.count) == 1
    }
}
