// Bounded zlib inflate/deflate helpers: output never grows past the caller's cap, so a
// decompression bomb is reported (-2) instead of exhausting memory.
#include "CCodecs.h"

#include <string.h>

long skald_inflate(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, int format) {
    z_stream s;
    memset(&s, 0, sizeof(s));
    int window = format == 0 ? -15 : format == 1 ? 15 : format == 2 ? 15 + 16 : 15 + 32;
    if (inflateInit2(&s, window) != Z_OK) return -1;
    s.next_in = (Bytef *)in;
    s.avail_in = (uInt)(in_len > 0xFFFFFFFFu ? 0xFFFFFFFFu : in_len);
    s.next_out = out;
    s.avail_out = (uInt)(out_cap > 0xFFFFFFFFu ? 0xFFFFFFFFu : out_cap);
    int rc = inflate(&s, Z_FINISH);
    long produced = (long)s.total_out;
    int out_full = s.avail_out == 0;
    inflateEnd(&s);
    if (rc == Z_STREAM_END) return produced;
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR || rc == Z_MEM_ERROR) return -1;
    // Z_BUF_ERROR or Z_OK: either the output filled up, or the input ended before the stream did.
    return out_full ? -2 : -3;
}

size_t skald_gzip_bound(size_t in_len) { return in_len + in_len / 1000 + 64 + 18; }

long skald_gzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, int level) {
    z_stream s;
    memset(&s, 0, sizeof(s));
    if (deflateInit2(&s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    s.next_in = (Bytef *)in;
    s.avail_in = (uInt)in_len;
    s.next_out = out;
    s.avail_out = (uInt)out_cap;
    int rc = deflate(&s, Z_FINISH);
    long produced = (long)s.total_out;
    deflateEnd(&s);
    return rc == Z_STREAM_END ? produced : -1;
}
