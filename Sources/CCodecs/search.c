// Substring search for LogQL's literal line filters: glibc's memmem (two-way, vectorised), which
// Swift's Glibc module does not expose because it needs _GNU_SOURCE.
#define _GNU_SOURCE
#include <string.h>
#include "CCodecs.h"

int skald_contains(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t needle_len) {
    if (needle_len == 0) return 1;
    if (hay == NULL || needle_len > hay_len) return 0;
    return memmem(hay, hay_len, needle, needle_len) != NULL;
}
