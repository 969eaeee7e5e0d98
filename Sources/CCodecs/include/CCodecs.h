// CCodecs: the one place where Skald touches C. Thin, allocation-free wrappers over the
// system's liblz4, libsnappy, zlib and libre2, plus CRC32C. Imported only by the Swift `Codecs` module.
#ifndef SKALD_CCODECS_H
#define SKALD_CCODECS_H

#include <stddef.h>
#include <stdint.h>

#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>

/// CRC32C (Castagnoli) of `len` bytes, continuing from `crc` (start with 0).
/// Uses the SSE4.2 crc32 instruction when the CPU has it, a slicing-by-8 table otherwise.
uint32_t skald_crc32c(uint32_t crc, const uint8_t *data, size_t len);

/// 1 when the hardware path is in use (for tests and the startup log).
int skald_crc32c_hardware(void);

/// Inflate `in` (zlib-wrapped when `format` is 1, gzip when 2, raw deflate when 0, auto zlib/gzip when 3)
/// into `out`, writing at most `out_cap` bytes.
/// Returns the number of bytes written, or:
///   -1 the input is not valid compressed data,
///   -2 the output would exceed `out_cap` (a decompression bomb or a too-small cap),
///   -3 the input ended before the compressed stream did.
long skald_inflate(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, int format);

/// Gzip-compress `in` into `out` (capacity `out_cap`). Returns bytes written or -1.
long skald_gzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, int level);

/// Upper bound of skald_gzip's output for `in_len` input bytes.
size_t skald_gzip_bound(size_t in_len);

/// 1 when `needle` occurs in `hay` (an empty needle always does), else 0.
int skald_contains(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t needle_len);
// Bytes of JSON string content from `p` before the first quote, backslash or control byte (`len` if none).
size_t skald_json_plain_run(const uint8_t *p, size_t len);
// The index of the byte of `needle` least common in log text (what `skald_contains_at` looks for).
size_t skald_rare_index(const uint8_t *needle, size_t needle_len);
// `skald_contains` with the rare byte's index `k` chosen beforehand.
int skald_contains_at(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t needle_len, size_t k);

/// A compiled RE2 pattern (Go's regexp syntax, linear-time matching), opaque to Swift.
typedef struct skald_re2 skald_re2;

#ifdef __cplusplus
extern "C" {
#endif
/// Compiles `pattern`; on failure returns NULL, sets `code` to RE2's error code and writes the
/// offending fragment of the pattern into `arg` (NUL-terminated, cut to `arg_cap`).
skald_re2 *skald_re2_new(const char *pattern, size_t len, int *code, char *arg, size_t arg_cap);
void skald_re2_delete(skald_re2 *re);
/// 1 when the whole of `data` matches, else 0.
int skald_re2_full_match(const skald_re2 *re, const uint8_t *data, size_t len);
/// 1 when some part of `data` matches, else 0.
int skald_re2_partial_match(const skald_re2 *re, const uint8_t *data, size_t len);
/// The number of capturing groups.
int skald_re2_group_count(const skald_re2 *re);
/// Copies the name of group `index` (1-based) into `out` (NUL-terminated, cut to `cap`); returns
/// its length, 0 for an unnamed group.
size_t skald_re2_group_name(const skald_re2 *re, int index, char *out, size_t cap);
/// Finds the leftmost match in `data`. On a match returns 1 and fills `offsets` with `groups + 1`
/// (start, end) pairs — the whole match, then each group — with -1 for a group that took no part;
/// else returns 0.
int skald_re2_match_groups(const skald_re2 *re, const uint8_t *data, size_t len, long *offsets, int groups);
/// Like skald_re2_match_groups, searching from byte `start` (context before it still counts for ^ and \b).
int skald_re2_match_groups_from(const skald_re2 *re, const uint8_t *data, size_t len, size_t start, long *offsets, int groups);
#ifdef __cplusplus
}
#endif

#endif
