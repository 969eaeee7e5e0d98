#if canImport(Glibc)
import Glibc

// <malloc.h> is not part of the Glibc module: declare the one function.
@_silgen_name("malloc_trim") private func malloc_trim(_ pad: Int) -> Int32
#endif

/// Hands glibc malloc's free pages back to the system after each look at the memory budget: head
/// blocks come and go by the thousand under many streams, and glibc keeps freed memory resident.
/// The `skald` executable runs on jemalloc (CAllocator), which returns pages on its own background
/// thread, so this only acts where glibc's allocator is in use (tests, embedders).
/// `SKALD_NO_MALLOC_TRIM` turns it off.
enum AllocatorTrim {
    /// Which allocator serves malloc in this process.
    static let allocator = AllocatorStats.isJemalloc ? "jemalloc" : "libc"

    static let enabled = allocator == "libc" && getenv("SKALD_NO_MALLOC_TRIM") == nil

    static func run() {
        #if canImport(Glibc)
        if enabled { _ = malloc_trim(0) }
        #endif
    }
}
