#if canImport(Glibc)
import Glibc

// <malloc.h> is not part of the Glibc module: declare the one function.
@_silgen_name("malloc_trim") private func malloc_trim(_ pad: Int) -> Int32
#endif

/// Hands the allocator's free pages back to the system. Head blocks come and go by the thousand
/// under many streams, and without this the freed memory stays resident. Runs after each look at
/// the memory budget; `SKALD_NO_MALLOC_TRIM` turns it off (the memory benchmark's A/B switch).
enum AllocatorTrim {
    static let enabled = getenv("SKALD_NO_MALLOC_TRIM") == nil

    static func run() {
        #if canImport(Glibc)
        if enabled { _ = malloc_trim(0) }
        #endif
    }
}
