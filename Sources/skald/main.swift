import ServerApp

#if canImport(Glibc)
import Glibc
#endif

// Linking CAllocator makes jemalloc the process's allocator, with the options in
// Sources/CAllocator/allocator.c (MALLOC_CONF overrides them). Nothing to call here.

// Thin main: everything lives in ServerApp so it can be tested in-process.
let code = await SkaldCommand.main(arguments: Array(CommandLine.arguments.dropFirst()))
exit(code)
