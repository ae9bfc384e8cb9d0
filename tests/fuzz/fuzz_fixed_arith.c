/* The fixed-point mode's exact integer helpers (math_fixed.h) against 128-bit references:
 *   floor_shr, round_shr (ties up), sat32 (clamps and counts each clamp), mul (round(a b / 2^F)
 *   saturated), div_round_u64 / div_round (round(n / d), ties up, any n), div (round(a 2^F / b)
 *   saturated), isqrt64 (floor(sqrt v), exact). Operands are raw bits, edges included. */
#include "fuzz_util.h"

#include "nope/math_fixed.h"

typedef __int128 i128;

static i128 floor_div_pow2(i128 x, unsigned s)
{
    i128 d = (i128)1 << s;
    i128 q = x / d;
    return (x % d != 0 && x < 0) ? q - 1 : q;
}

/* round(n / d) with ties up, exactly: floor((2n + d) / 2d). */
static i128 round_div(i128 n, i128 d)
{
    i128 num = 2 * n + d, den = 2 * d;
    i128 q = num / den;
    return (num % den != 0 && num < 0) ? q - 1 : q;
}

static int32_t sat_ref(i128 v, bool *sat)
{
    *sat = v > INT32_MAX || v < INT32_MIN;
    return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
}

static void check(int64_t x, uint64_t u, int32_t a, int32_t b, unsigned s)
{
    bool sat;
    uint64_t before;
    FUZZ_CHECK(nope_fx_floor_shr(x, s % 64) == (int64_t)floor_div_pow2(x, s % 64), "floor_shr(%lld, %u) = %lld",
               (long long)x, s % 64, (long long)nope_fx_floor_shr(x, s % 64));
    unsigned rs = 1 + s % 63;
    FUZZ_CHECK(nope_fx_round_shr(x, rs) == (int64_t)round_div(x, (i128)1 << rs),
               "round_shr(%lld, %u) = %lld, want %lld", (long long)x, rs, (long long)nope_fx_round_shr(x, rs),
               (long long)round_div(x, (i128)1 << rs));

    before = nope_fx_sat_count;
    int32_t want = sat_ref(x, &sat);
    FUZZ_CHECK(nope_fx_sat32(x) == want && nope_fx_sat_count == before + sat, "sat32(%lld) = %d (count +%llu)",
               (long long)x, (int)nope_fx_sat32(x), (unsigned long long)(nope_fx_sat_count - before));

    before = nope_fx_sat_count;
    want = sat_ref(round_div((i128)a * b, (i128)1 << NOPE_Q_FRAC), &sat);
    int32_t got = nope_fx_mul(a, b);
    FUZZ_CHECK(got == want && nope_fx_sat_count == before + sat,
               "mul(%d, %d) = %d, want %d (saturated %d, count +%llu)", (int)a, (int)b, (int)got, (int)want, (int)sat,
               (unsigned long long)(nope_fx_sat_count - before));

    uint64_t d = u ? u : 1;
    uint64_t x_u = (uint64_t)x;
    FUZZ_CHECK(nope_fx_div_round_u64(x_u, d) == (uint64_t)round_div(x_u, d), "div_round_u64(%llu, %llu) = %llu",
               (unsigned long long)x_u, (unsigned long long)d, (unsigned long long)nope_fx_div_round_u64(x_u, d));
    FUZZ_CHECK(nope_fx_div_round(x, d) == (int64_t)round_div(x, d), "div_round(%lld, %llu) = %lld, want %lld",
               (long long)x, (unsigned long long)d, (long long)nope_fx_div_round(x, d), (long long)round_div(x, d));

    if (b != 0) {
        before = nope_fx_sat_count;
        want = sat_ref(round_div(b < 0 ? -((i128)a * ((i128)1 << NOPE_Q_FRAC)) : (i128)a * ((i128)1 << NOPE_Q_FRAC),
                                 b < 0 ? -(i128)b : b),
                       &sat);
        got = nope_fx_div(a, b);
        FUZZ_CHECK(got == want && nope_fx_sat_count == before + sat, "div(%d, %d) = %d, want %d (saturated %d)", (int)a,
                   (int)b, (int)got, (int)want, (int)sat);
    }

    uint32_t r = nope_isqrt64(u);
    FUZZ_CHECK((unsigned __int128)r * r <= u && ((unsigned __int128)r + 1) * ((unsigned __int128)r + 1) > u,
               "isqrt64(%llu) = %u", (unsigned long long)u, (unsigned)r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    while (in.n >= 8) {
        uint64_t raw = take_u64(&in), u = take_u64(&in);
        unsigned s = take_u8(&in);
        int64_t x = (int64_t)raw;
        int32_t a = (int32_t)take_u32(&in), b = (int32_t)take_u32(&in);
        if (s & 0x40) /* small divisors and operands are where rounding ties live */
            u &= 0xFFF, b >>= (s & 31);
        if (s & 0x80)
            x >>= (raw & 63), a >>= (s & 31);
        check(x, u, a, b, s);
    }
    return 0;
}
