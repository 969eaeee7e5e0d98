// The JSON push decoder's string scan: how many bytes from `p` are ordinary string content, i.e.
// before the first quote, backslash or control byte (< 0x20), 16 at a time with SSE2 where the
// CPU has it. Returns `len` when there is none.
#include "CCodecs.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

size_t skald_json_plain_run(const uint8_t *p, size_t len) {
    size_t i = 0;
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    // A byte is below 0x20 when, with its top bit flipped, it compares less than 0x20 - 0x80.
    const __m128i flip = _mm_set1_epi8((char)0x80);
    const __m128i limit = _mm_set1_epi8((char)(0x20 - 0x80));
    for (; i + 16 <= len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                       _mm_cmplt_epi8(_mm_xor_si128(v, flip), limit));
        int mask = _mm_movemask_epi8(special);
        if (mask != 0) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < len; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\' || c < 0x20) return i;
    }
    return len;
}
