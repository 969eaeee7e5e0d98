import CCodecs

/// Substring search over raw bytes (glibc's `memmem`): LogQL's literal line filters.
public enum ByteSearch {
    /// A needle prepared once for many searches: its bytes held where they stay put, and the
    /// byte to look for first chosen. Immutable after it is made.
    public final class Needle: @unchecked Sendable {
        public let bytes: [UInt8]
        private let storage: UnsafeMutableRawBufferPointer
        private let rare: Int

        public init(_ bytes: [UInt8]) {
            self.bytes = bytes
            storage = .allocate(byteCount: max(bytes.count, 1), alignment: 1)
            storage.copyBytes(from: bytes)
            rare = bytes.isEmpty ? 0 : skald_rare_index(storage.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
        }

        deinit { storage.deallocate() }

        /// Whether `haystack` contains the needle.
        public func found(in haystack: UnsafeRawBufferPointer) -> Bool {
            skald_contains_at(haystack.baseAddress?.assumingMemoryBound(to: UInt8.self), haystack.count,
                              storage.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count, rare) == 1
        }
    }

    public static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        skald_contains(haystack.baseAddress?.assumingMemoryBound(to: UInt8.self), haystack.count,
                       needle.baseAddress?.assumingMemoryBound(to: UInt8.self), needle.count) == 1
    }
}
