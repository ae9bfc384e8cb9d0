/* nope_dec_parse on any bytes (as a NUL-terminated string): never crashes, and for every string
 * it accepts:
 *   - strtod accepts the same text completely (the grammar is a subset of C's);
 *   - the decimal is canonical (no trailing zeros in digits, zero is +0e0) and exact: printing
 *     digits and exponent back and reading them with strtold gives the value strtold gives;
 *   - nope_dec_to_double agrees with strtod within 1e-15 relative (decimal.h: digits and powers
 *     of ten in double arithmetic) where the value is a normal double;
 *   - nope_dec_to_ufix at a fuzzed number of fraction bits equals the exact rounding (ties away
 *     from zero) computed in 128-bit integers, and fails only for negatives, frac_bits > 62 or
 *     results of 2^62 and more (decimal.h says "over 2^63"; the core stops at whole parts over
 *     2^(62 - frac_bits), so results in [2^62, 2^63] may fail too: a documentation mismatch).
 * nope_dec_parse_u64 is checked on the same bytes against strtoull. */
#include <errno.h>

#include "fuzz_util.h"

#include "nope/decimal.h"

typedef unsigned __int128 u128;

/* round-half-away(digits 10^e10 2^f) exactly, or false when it is 2^63 or more. */
static bool ufix_ref(uint64_t digits, int32_t e10, unsigned f, uint64_t *out)
{
    const u128 limit = (u128)1 << 63;
    if (digits == 0) {
        *out = 0;
        return true;
    }
    if (e10 >= 0) {
        if (e10 > 19)
            return false;
        u128 v = digits;
        for (int32_t k = 0; k < e10; k++)
            v *= 10;
        if (v >= limit)
            return false;
        v <<= f;
        if (v >= limit)
            return false;
        *out = (uint64_t)v;
        return true;
    }
    if (-e10 > 38) { /* 10^38 > digits 2^63: the value is below 2^-64 of a unit */
        *out = 0;
        return true;
    }
    u128 den = 1;
    for (int32_t k = 0; k < -e10; k++)
        den *= 10;
    u128 twice = ((u128)digits << (f + 1)) / den; /* floor(2 v 2^f) */
    u128 r = (twice + 1) >> 1;
    if (r >= limit)
        return false;
    *out = (uint64_t)r;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned frac_bits = data[0] % 64;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    nope_dec v;
    if (nope_dec_parse(text, &v) == NOPE_OK) {
        FUZZ_CHECK(v.special == NOPE_DEC_FINITE, "parse(\"%s\"): special %d", text, v.special);
        FUZZ_CHECK(v.digits < UINT64_C(1000000000000000000), "parse(\"%s\"): %llu has more than 18 digits", text,
                   (unsigned long long)v.digits);
        FUZZ_CHECK(v.digits == 0 ? (v.exp10 == 0 && !v.neg) : v.digits % 10 != 0,
                   "parse(\"%s\"): not canonical: %s%llue%d", text, v.neg ? "-" : "", (unsigned long long)v.digits,
                   (int)v.exp10);
        char *end;
        errno = 0;
        long double ref_ld = strtold(text, &end);
        FUZZ_CHECK(*end == '\0' && end != text, "parse accepts \"%s\", strtold stops at \"%s\"", text, end);
        char back[64];
        snprintf(back, sizeof back, "%s%llue%d", v.neg ? "-" : "", (unsigned long long)v.digits, (int)v.exp10);
        long double back_ld = strtold(back, NULL);
        FUZZ_CHECK(back_ld == ref_ld || (isnan(back_ld) && isnan(ref_ld)), "parse(\"%s\") = %s, which is %La, not %La",
                   text, back, back_ld, ref_ld);
        double ref = strtod(text, NULL), got = nope_dec_to_double(&v);
        if (isfinite(ref) && fabs(ref) >= DBL_MIN)
            FUZZ_CHECK(fabs(got - ref) <= 1e-15 * fabs(ref),
                       "to_double(parse(\"%s\") = %s) = %.17g, strtod %.17g: relative %.3g > 1e-15", text, back, got,
                       ref, fabs(got - ref) / fabs(ref));
        uint64_t fx = 0, want = 0;
        bool ok = nope_dec_to_ufix(&v, frac_bits, &fx);
        bool want_ok = !v.neg && frac_bits <= 62 && ufix_ref(v.digits, v.exp10, frac_bits, &want);
        if (ok)
            FUZZ_CHECK(want_ok && fx == want, "to_ufix(%s, %u) = %llu, exact rounding %s%llu", back, frac_bits,
                       (unsigned long long)fx, want_ok ? "" : "(out of range) ", (unsigned long long)want);
        else
            FUZZ_CHECK(!want_ok || want >= (UINT64_C(1) << 62), "to_ufix(%s, %u) fails, exact rounding is %llu", back,
                       frac_bits, (unsigned long long)want);
    }
    uint64_t u;
    if (nope_dec_parse_u64(text, &u) == NOPE_OK) {
        char *end;
        errno = 0;
        unsigned long long ref = strtoull(text, &end, 10);
        FUZZ_CHECK(text[0] >= '0' && text[0] <= '9' && *end == '\0' && errno == 0 && ref == u,
                   "parse_u64(\"%s\") = %llu, strtoull %llu (errno %d)", text, (unsigned long long)u, ref, errno);
    } else if (text[0] >= '0' && text[0] <= '9') {
        char *end;
        errno = 0;
        strtoull(text, &end, 10);
        FUZZ_CHECK(*end != '\0' || errno == ERANGE, "parse_u64(\"%s\") fails, strtoull accepts it", text);
    }
    free(text);
    return 0;
}
