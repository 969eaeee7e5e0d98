// Substring search for LogQL's literal line filters. The needle's rarest byte (by how often bytes
// occur in log text, judged from their class) is looked for with memchr, which runs at memory speed,
// and each place it occurs is checked; where that byte turns out common in the data, the rest of
// the haystack goes to glibc's memmem (two-way, linear), which Swift's Glibc module does not
// expose because it needs _GNU_SOURCE.
#define _GNU_SOURCE
#include <string.h>
#include "CCodecs.h"

// How common a byte is in log lines: higher is more common.
static int byte_commonness(uint8_t c) {
    // English letter frequency order, most common first.
    static const char *letters = "etaoinsrhldcumfpgwybvkxjqz";
    if (c == ' ') return 255;
    if (c >= 'a' && c <= 'z') return 250 - (int)(strchr(letters, c) - letters) * 4;
    if (c >= 'A' && c <= 'Z') return 140 - (int)(strchr(letters, c - 'A' + 'a') - letters) * 4;
    if (c >= '0' && c <= '9') return 200;
    switch (c) {
    case '.': case '=': case '"': case ':': case '/': case '-': case '_': case ',': return 190;
    case '\n': case '\t': return 150;
    default: break;
    }
    if (c >= 0x80) return 40;
    if (c < 0x20) return 10;
    return 90; // other punctuation
}

size_t skald_rare_index(const uint8_t *needle, size_t needle_len) {
    size_t k = 0;
    for (size_t i = 1; i < needle_len; i++) {
        if (byte_commonness(needle[i]) < byte_commonness(needle[k])) k = i;
    }
    return k;
}

int skald_contains_at(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t needle_len, size_t k) {
    if (needle_len == 0) return 1;
    if (hay == NULL || needle_len > hay_len || k >= needle_len) return 0;
    const uint8_t rare = needle[k];
    const uint8_t *end = hay + hay_len;
    // The rare byte of a match lies in [hay + k, end - (needle_len - 1 - k)).
    const uint8_t *from = hay + k;
    const uint8_t *limit = end - (needle_len - 1 - k);
    size_t misses = 0;
    while (from < limit) {
        const uint8_t *p = memchr(from, rare, (size_t)(limit - from));
        if (p == NULL) return 0;
        const uint8_t *start = p - k;
        if (memcmp(start, needle, needle_len) == 0) return 1;
        from = p + 1;
        // The byte is common here after all: let the two-way search finish.
        if (++misses > 64 && (size_t)(from - hay) < misses * 32) {
            return memmem(start + 1, (size_t)(end - (start + 1)), needle, needle_len) != NULL;
        }
    }
    return 0;
}

int skald_contains(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t needle_len) {
    if (needle_len == 0) return 1;
    return skald_contains_at(hay, hay_len, needle, needle_len, skald_rare_index(needle, needle_len));
}
