import ServerApp

#if canImport(Glibc)
import Glibc
#endif

#if canImport(Glibc)
// Every push allocates ~1 MB buffers (the body, its decompressed form, the WAL record) and frees
// most of them milliseconds later. glibc's defaults serve such sizes with mmap/munmap, so each push
// paid for fresh zeroed pages (15% of server CPU in the profile, docs/performance.md). Serving them
// from the heap and keeping freed memory for reuse removes that cost.
// <malloc.h> is not part of the Glibc module: declare the one function and its three constants.
@_silgen_name("mallopt") func mallopt(_ param: Int32, _ value: Int32) -> Int32
let M_TRIM_THRESHOLD: Int32 = -1, M_TOP_PAD: Int32 = -2, M_MMAP_THRESHOLD: Int32 = -3
if getenv("SKALD_DEFAULT_MALLOC") == nil { // escape hatch, and the A/B switch for the benchmark
    _ = mallopt(M_MMAP_THRESHOLD, 32 << 20) // glibc's maximum on 64-bit
    _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
    _ = mallopt(M_TOP_PAD, 16 << 20)
}
#endif

// Thin main: everything lives in ServerApp so it can be tested in-process.
let code = await SkaldCommand.main(arguments: Array(CommandLine.arguments.dropFirst()))
exit(code)
