/* The fixed-point transcendental helpers (math_fixed.h) against long double references:
 *   rsqrt(v), v >= 1: r / 2^shift within 2^-30 relative of 1/sqrt(v), r in [2^31, 2^32];
 *   exp_neg_q31(y), y in Q32: |e^-y 2^31 - result| <= 2 LSB, 0 for y >= 22;
 *   tanh_q31(u), u in Q32: <= 3 LSB of Q31;
 *   log2_q30(x), x >= 1: <= 4 LSB of Q30. Arguments are raw bits, also squeezed to the ranges
 *   where the functions are not yet constant. */
#include "fuzz_util.h"

#include "nope/math_fixed.h"

static void check(uint64_t v)
{
    uint64_t vr = v ? v : 1;
    unsigned shift = 0;
    uint64_t r = nope_fx_rsqrt(vr, &shift);
    long double want = 1.0L / sqrtl((long double)vr), got = ldexpl((long double)r, -(int)shift);
    FUZZ_CHECK(r >= (UINT64_C(1) << 31) && r <= (UINT64_C(1) << 32) && fabsl(got - want) <= want * 0x1p-30L,
               "rsqrt(%llu) = %llu / 2^%u = %.21Lg, want %.21Lg: relative %.3Lg > 2^-30", (unsigned long long)vr,
               (unsigned long long)r, shift, got, want, fabsl(got - want) / want);

    uint64_t y = v % (UINT64_C(23) << 32);
    uint32_t e = nope_fx_exp_neg_q31(y);
    long double e_want = expl(-ldexpl((long double)y, -32)) * 0x1p31L;
    FUZZ_CHECK(fabsl((long double)e - e_want) <= 2.0L,
               "exp_neg_q31(%llu / 2^32) = %u, want %.6Lf (error %.3Lg LSB > 2)", (unsigned long long)y, (unsigned)e,
               e_want, fabsl((long double)e - e_want));
    if (v >= (UINT64_C(22) << 32))
        FUZZ_CHECK(nope_fx_exp_neg_q31(v) == 0, "exp_neg_q31(%llu / 2^32) = %u, want 0 (y >= 22)",
                   (unsigned long long)v, (unsigned)nope_fx_exp_neg_q31(v));

    uint64_t t_in = v % (UINT64_C(24) << 32);
    uint32_t t = nope_fx_tanh_q31(t_in);
    long double t_want = tanhl(ldexpl((long double)t_in, -32)) * 0x1p31L;
    FUZZ_CHECK(fabsl((long double)t - t_want) <= 3.0L, "tanh_q31(%llu / 2^32) = %u, want %.6Lf (error %.3Lg LSB > 3)",
               (unsigned long long)t_in, (unsigned)t, t_want, fabsl((long double)t - t_want));

    int64_t l = nope_fx_log2_q30(vr);
    long double l_want = log2l((long double)vr) * 0x1p30L;
    FUZZ_CHECK(fabsl((long double)l - l_want) <= 4.0L, "log2_q30(%llu) = %lld, want %.6Lf (error %.3Lg LSB > 4)",
               (unsigned long long)vr, (long long)l, l_want, fabsl((long double)l - l_want));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    while (in.n >= 8) {
        uint64_t v = take_u64(&in);
        check(v);
        check(v >> (v & 63));
    }
    return 0;
}
