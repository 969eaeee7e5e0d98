// A C face on Debian's libre2 so Swift can use linear-time, Go-syntax regular expressions.
// Compiled patterns are immutable and safe to match from several threads at once.
#include "CCodecs.h"

#include <re2/re2.h>

#include <cstdio>
#include <map>
#include <new>
#include <string>

struct skald_re2 {
    re2::RE2 re;
    skald_re2(const char *p, size_t n, const re2::RE2::Options &o) : re(re2::StringPiece(p, n), o) {}
};

extern "C" skald_re2 *skald_re2_new(const char *pattern, size_t len, int *code, char *arg, size_t arg_cap) {
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(64 << 20);
    skald_re2 *r = new (std::nothrow) skald_re2(pattern, len, options);
    if (r == nullptr) {
        *code = re2::RE2::ErrorPatternTooLarge;
        if (arg_cap > 0) arg[0] = 0;
        return nullptr;
    }
    if (!r->re.ok()) {
        *code = r->re.error_code();
        if (arg_cap > 0) std::snprintf(arg, arg_cap, "%s", r->re.error_arg().c_str());
        delete r;
        return nullptr;
    }
    return r;
}

extern "C" void skald_re2_delete(skald_re2 *r) { delete r; }

extern "C" int skald_re2_full_match(const skald_re2 *r, const uint8_t *data, size_t len) {
    return re2::RE2::FullMatch(re2::StringPiece(reinterpret_cast<const char *>(data), len), r->re) ? 1 : 0;
}

extern "C" int skald_re2_partial_match(const skald_re2 *r, const uint8_t *data, size_t len) {
    return re2::RE2::PartialMatch(re2::StringPiece(reinterpret_cast<const char *>(data), len), r->re) ? 1 : 0;
}

extern "C" int skald_re2_group_count(const skald_re2 *r) { return r->re.NumberOfCapturingGroups(); }

extern "C" size_t skald_re2_group_name(const skald_re2 *r, int index, char *out, size_t cap) {
    const std::map<int, std::string> &names = r->re.CapturingGroupNames();
    auto it = names.find(index);
    if (it == names.end()) {
        if (cap > 0) out[0] = 0;
        return 0;
    }
    if (cap > 0) std::snprintf(out, cap, "%s", it->second.c_str());
    return it->second.size();
}

extern "C" int skald_re2_match_groups(const skald_re2 *r, const uint8_t *data, size_t len, long *offsets, int groups) {
    return skald_re2_match_groups_from(r, data, len, 0, offsets, groups);
}

extern "C" int skald_re2_match_groups_from(const skald_re2 *r, const uint8_t *data, size_t len, size_t start, long *offsets, int groups) {
    if (groups < 0 || groups > 1000 || start > len) return 0;
    re2::StringPiece text(reinterpret_cast<const char *>(data), len);
    re2::StringPiece parts[1001];
    if (!r->re.Match(text, start, len, re2::RE2::UNANCHORED, parts, groups + 1)) return 0;
    for (int i = 0; i <= groups; i++) {
        if (parts[i].data() == nullptr) {
            offsets[2 * i] = -1;
            offsets[2 * i + 1] = -1;
        } else {
            offsets[2 * i] = static_cast<long>(parts[i].data() - text.data());
            offsets[2 * i + 1] = offsets[2 * i] + static_cast<long>(parts[i].size());
        }
    }
    return 1;
}
