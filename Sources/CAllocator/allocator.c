// The `skald` executable links jemalloc, which then serves every malloc in the process (the Swift
// runtime's included). jemalloc reads its options from this symbol at its first allocation; a
// MALLOC_CONF environment variable is applied after it, so operators can still override any of them.
//
// Why: with ten thousand slow streams, head blocks of every size are allocated and freed by the
// thousand each second. glibc's malloc keeps the freed memory resident in per-thread arenas
// (~100 MB above the heads in scripts/bench/memory); jemalloc with two arenas and a one-second
// decay hands it back. Measured in docs/performance.md.
//
//   background_thread  purging happens on jemalloc's own thread, not on a push's
//   dirty_decay_ms     freed pages go back to the system within about a second
//   muzzy_decay_ms     no second, lazier stage
//   narenas            two cores, two arenas: fewer half-empty pages
#include "CAllocator.h"

const char *malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:2";

const char *skald_allocator_options(void) { return malloc_conf; }
