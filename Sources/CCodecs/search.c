// Substring search for LogQL's literal line filters. The needle's rarest byte (by how often bytes
// occur in log text, judged from their class) is looked for with memchr, which runs at memory
// speed, and each place it occurs checked. Where that byte turns out common, and in a short
// haystack (a line) when the needle has no rare byte (`error`), the search compares 16 positions
// at a time with the needle's first and last bytes together (SSE2), checking each pair found;
// where those are dense too, the rest goes to glibc's memmem (two-way, linear), which Swift's
// Glibc module does not expose because it needs _GNU_SOURCE. Every path is linear.
#define _GNU_SOURCE
#include <string.h>
#include "CCodecs.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

// Bytes at most this common are rare enough for memchr to skip most of the haystack.
#define RARE_ENOUGH 160
// Haystacks up to this long are searched by first and last byte when the needle has no rare byte.
#define SHORT_HAYSTACK 512

#ifdef __SSE2__
// First and last bytes compared 16 positions at a time; `needle_len` >= 2.
static int contains_by_ends(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t needle_len) {
    const __m128i first = _mm_set1_epi8((char)needle[0]);
    const __m128i last = _mm_set1_epi8((char)needle[needle_len - 1]);
    size_t i = 0, misses = 0;
    for (; i + needle_len - 1 + 16 <= hay_len; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(hay + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(hay + i + needle_len - 1));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));
        while (mask != 0) {
            unsigned bit = (unsigned)__builtin_ctz(mask);
            if (memcmp(hay + i + bit + 1, needle + 1, needle_len - 2) == 0) return 1;
            mask &= mask - 1;
            // Candidates are dense here: let the two-way search finish from this block.
            if (++misses > 64 && i < misses * 16) {
                return memmem(hay + i, hay_len - i, needle, needle_len) != NULL;
            }
        }
    }
    for (; i + needle_len <= hay_len; i++) {
        if (hay[i] == needle[0] && memcmp(hay + i, needle, needle_len) == 0) return 1;
    }
    return 0;
}
#endif

int skald_contains_at(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t needle_len, size_t k) {
    if (needle_len == 0) return 1;
    if (hay == NULL || needle_len > hay_len || k >= needle_len) return 0;
#ifdef __SSE2__
    // A short haystack (a line) is scanned whole in a few steps; in a long one (a block, a huge
    // line) memchr skips faster wherever the byte is absent, so it goes first.
    if (needle_len >= 2 && hay_len <= SHORT_HAYSTACK && byte_commonness(needle[k]) > RARE_ENOUGH) {
        return contains_by_ends(hay, hay_len, needle, needle_len);
    }
#endif
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
        // The byte is common here after all: search the rest by first and last byte (which
        // itself gives way to the two-way search where those are dense too).
        if (++misses > 64 && (size_t)(from - hay) < misses * 32) {
#ifdef __SSE2__
            if (needle_len >= 2) return contains_by_ends(start + 1, (size_t)(end - (start + 1)), needle, needle_len);
#endif
            return memmem(start + 1, (size_t)(end - (start + 1)), needle, needle_len) != NULL;
        }
    }
    return 0;
}

int skald_contains(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t needle_len) {
    if (needle_len == 0) return 1;
    return skald_contains_at(hay, hay_len, needle, needle_len, skald_rare_index(needle, needle_len));
}
