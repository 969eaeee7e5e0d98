#ifndef SKALD_CALLOCATOR_H
#define SKALD_CALLOCATOR_H

/// The jemalloc options the `skald` executable starts with (see allocator.c).
const char *skald_allocator_options(void);

#endif
