/* The integer math of the fixed-point mode: square roots, exp, tanh, GELU, log2, division and
 * the mode's counters. Each function states its formats and bit budget next to its code. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_FIXED

#include "nope/math_fixed.h"
#include "nope/wide.h"

uint64_t nope_fx_sat_count;

uint64_t nope_fx_saturations(void)
{
    return nope_fx_sat_count;
}

void nope_fx_saturations_reset(void)
{
    nope_fx_sat_count = 0;
}

static uint64_t underflow_count;

void nope_fx_underflow_count(void)
{
    underflow_count++;
}

uint64_t nope_fx_underflows(void)
{
    return underflow_count;
}

void nope_fx_underflows_reset(void)
{
    underflow_count = 0;
}

/* ---- The mode's counters (nope/num.h) ---- */

const char *nope_num_counter_name(unsigned k)
{
    return k == 0 ? "saturations" : k == 1 ? "underflows" : NULL;
}

uint64_t nope_num_counter(unsigned k)
{
    return k == 0 ? nope_fx_sat_count : k == 1 ? underflow_count : 0;
}

void nope_num_counter_add(unsigned k, uint64_t v)
{
    if (k == 0)
        nope_fx_sat_count += v;
    else if (k == 1)
        underflow_count += v;
}

void nope_num_counters_reset(void)
{
    nope_fx_saturations_reset();
    nope_fx_underflows_reset();
}

/* ---- Division ---- */

int64_t nope_fx_div_round(int64_t n, uint64_t d)
{
    if (n >= 0)
        return (int64_t)nope_fx_div_round_u64((uint64_t)n, d);
    if (d == 1)
        return n;
    /* n < 0: round(n / d) with ties up is minus (|n| / d rounded with ties down). */
    uint64_t mag = (uint64_t)(-(n + 1)) + 1u;
    uint64_t q = mag / d, r = mag % d; /* d >= 2: q < 2^63 */
    return -(int64_t)(q + (r > d - r ? 1u : 0u));
}

nope_num_t nope_fx_div(nope_num_t a, nope_num_t b)
{
    int64_t n = (int64_t)a * NOPE_FX_ONE; /* |n| <= 2^57 */
    int64_t den = b;
    if (den < 0) {
        n = -n;
        den = -den;
    }
    return nope_fx_sat32(nope_fx_div_round(n, (uint64_t)den));
}

/* ---- Square roots ---- */

#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
/* floor(sqrt(w)) for w in [2^62, 2^64), what nope_isqrt64 gives, from the core's 32-bit divide
 * instead of 32 digit steps: s1 = floor(sqrt(w / 2^32)) by Newton from above (the tangent at
 * 2^31 lies above sqrt), then the next 16 bits from one division (the schoolbook step, at most
 * a few units high), then exact by comparing squares. */
static uint32_t isqrt_top(uint64_t w)
{
    uint32_t hi = (uint32_t)(w >> 32); /* [2^30, 2^32) */
    uint32_t y = 46342u + (uint32_t)(((int32_t)(hi - 0x80000000u)) / 92682);
    for (;;) {
        uint32_t next = (y + hi / y) / 2;
        if (next >= y)
            break;
        y = next;
    }
    /* y = floor(sqrt(hi)) in [2^15, 2^16): r1 = hi - y^2 <= 2 y, so r1 2^15 + 2^15 < 2^32 */
    uint32_t r1 = hi - y * y;
    uint32_t q = ((r1 << 15) | ((uint32_t)w >> 17)) / y;
    uint64_t s = ((uint64_t)y << 16) + q;
    if (s > UINT32_MAX)
        s = UINT32_MAX;
    while (s * s > w)
        s--;
    while (s < UINT32_MAX && (s + 1) * (s + 1) <= w)
        s++;
    return (uint32_t)s;
}
#define RSQRT_ISQRT(w) isqrt_top(w)
#else
#define RSQRT_ISQRT(w) nope_isqrt64(w)
#endif

uint64_t nope_fx_rsqrt(uint64_t v, unsigned *shift)
{
    /* w = v 2^e in [2^62, 2^64) with e even, s = floor(sqrt(w)) in [2^31, 2^32) carries 31
     * correct bits; r = round(2^63 / s) in (2^31, 2^32], and 1/sqrt(v) = r 2^(e/2 - 63). */
    unsigned e = (64 - nope_bitlen64(v)) & ~1u;
    uint64_t s = RSQRT_ISQRT(v << e);
    *shift = 63 - e / 2;
    return ((UINT64_C(1) << 63) + s / 2) / s;
}

/* ---- Exponential and what is built on it ---- */

#define LN2_Q32 UINT64_C(2977044472) /* ln 2 * 2^32, rounded */
#define LOG2E_Q24 UINT64_C(24204406) /* log2(e) * 2^24, rounded (only estimates k) */
#define EXP_ZERO_Q32 (UINT64_C(22) << 32)

/* One Horner step h' = 1 - r h / n in Q32 (h in (0, 2^32], r < ln 2 2^32), on g = 2^32 - h so that
 * both fit 32 bits. t = round(r h / 2^32) = floor((r 2^32 - (r g - 2^31)) / 2^32)
 * = r - ceil((r g - 2^31) / 2^32) = r - floor((r g + 2^31 - 1) / 2^32): one 32 x 32 product.
 * t < 0.7 2^32 and t + n/2 < 2^32, so the division is done in 32 bits (a multiply by a constant
 * once inlined) and g' = round(t / n). Same quotients as the 64-bit h and division. */
static inline uint32_t exp_horner_step(uint32_t g, uint32_t r, uint32_t n)
{
    uint32_t t = r - (uint32_t)(((uint64_t)r * g + ((UINT64_C(1) << 31) - 1)) >> 32);
    return (t + n / 2) / n;
}

uint32_t nope_fx_exp_neg_q31(uint64_t y)
{
    if (y >= EXP_ZERO_Q32)
        return 0;
    /* y = k ln2 + r, 0 <= r < ln2 (Q32). The estimate of k from 24-bit log2(e) is off by at
     * most one, which the two corrections fix; LN2_Q32's error times k <= 31 is < 2^-28. */
    int64_t k = (int64_t)(((y >> 8) * LOG2E_Q24) >> 48);
    int64_t r = (int64_t)y - k * (int64_t)LN2_Q32;
    while (r < 0) {
        k--;
        r += (int64_t)LN2_Q32;
    }
    while (r >= (int64_t)LN2_Q32) {
        k++;
        r -= (int64_t)LN2_Q32;
    }
    /* e^-r by Horner on 1 - r/1 (1 - r/2 (1 - r/3 ( ... (1 - r/11)))) in Q32: every partial
     * value is in (0, 1] and r < 0.7, so r * h < 2^64; the tail r^12/12! < 2^-34. The steps
     * are written out so each divisor is a constant (a multiply, not a division routine). */
    uint32_t r32 = (uint32_t)r, g = 0; /* g = 2^32 - h */
#if defined(__GNUC__) && (defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__))
    /* gcc otherwise multiplies each product by r's high word as well (an MLA a step, always 0):
     * the empty asm hides that r32 came from a 64-bit r. */
    __asm__("" : "+r"(r32));
#endif
    g = exp_horner_step(g, r32, 11);
    g = exp_horner_step(g, r32, 10);
    g = exp_horner_step(g, r32, 9);
    g = exp_horner_step(g, r32, 8);
    g = exp_horner_step(g, r32, 7);
    g = exp_horner_step(g, r32, 6);
    g = exp_horner_step(g, r32, 5);
    g = exp_horner_step(g, r32, 4);
    g = exp_horner_step(g, r32, 3);
    g = exp_horner_step(g, r32, 2);
    g = exp_horner_step(g, r32, 1);
    uint64_t h = (UINT64_C(1) << 32) - g;
    /* e^-y = h 2^-k in Q32, to Q31 rounded: <= 2^31. */
    unsigned s = (unsigned)k + 1;
    return (uint32_t)((h + (UINT64_C(1) << (s - 1))) >> s);
}

uint32_t nope_fx_tanh_q31(uint64_t u)
{
    /* tanh u = (1 - e) / (1 + e), e = e^-2u in Q31; (1 - e) 2^31 < 2^62. */
    if (u >= EXP_ZERO_Q32)
        return UINT32_C(1) << 31;
    uint64_t e = nope_fx_exp_neg_q31(2 * u);
    uint64_t one = UINT64_C(1) << 31;
    return (uint32_t)nope_fx_div_round_u64((one - e) << 31, one + e);
}

#define GELU_C_Q32 INT64_C(192049463)          /* 0.044715 * 2^32, rounded */
#define SQRT_2_OVER_PI_Q32 INT64_C(3426888095) /* sqrt(2/pi) * 2^32, rounded */

nope_num_t nope_fx_gelu(nope_num_t x)
{
    const int64_t limit = (int64_t)8 << NOPE_Q_FRAC;
    if (x >= limit)
        return x;
    if (x <= -limit)
        return 0;
    /* |x| < 8 = 2^(F+3) LSB: x^2 < 2^(F+6), x^3 < 2^(F+9) <= 2^35 (Q.F); x^3 C < 2^63. */
    int64_t x2 = nope_fx_round_shr((int64_t)x * x, NOPE_Q_FRAC);
    int64_t x3 = nope_fx_round_shr(x2 * x, NOPE_Q_FRAC);
    int64_t inner = x + nope_fx_round_shr(x3 * GELU_C_Q32, 32);             /* |inner| < 31 (Q.F) */
    int64_t u = nope_fx_round_shr(inner * SQRT_2_OVER_PI_Q32, NOPE_Q_FRAC); /* Q32, < 2^37 */
    int64_t t = nope_fx_tanh_q31((uint64_t)(u < 0 ? -u : u));
    if (u < 0)
        t = -t;
    /* 0.5 x (1 + t): (2^31 + t) in [0, 2^32], times |x| < 2^(F+3) < 2^30: < 2^62. */
    return (nope_num_t)nope_fx_round_shr((int64_t)x * ((INT64_C(1) << 31) + t), 32);
}

/* ---- Logarithm ---- */

int64_t nope_fx_log2_q30(uint64_t x)
{
    unsigned n = nope_bitlen64(x) - 1;
    /* Mantissa in [1, 2) as Q30, rounded to 31 bits (so it stays below 2^31 + 2^0). */
    uint64_t m;
    if (n > 30) {
        m = ((x >> (n - 31)) + 1) >> 1; /* never overflows, unlike x + 2^(n-31) */
        if (m >> 31) {                  /* rounding carried into the next power of two */
            m >>= 1;
            n++;
        }
    } else {
        m = x << (30 - n);
    }
    /* Each squaring doubles the fraction's log; a result >= 2 gives the next bit. */
    int64_t frac = 0;
    for (int bit = 29; bit >= 0; bit--) {
        m = (m * m + (UINT64_C(1) << 29)) >> 30; /* m < 2^31: m^2 < 2^62 */
        if (m >= (UINT64_C(1) << 31)) {
            m = (m + 1) >> 1;
            frac |= (int64_t)1 << bit;
        }
    }
    return (int64_t)n * ((int64_t)1 << 30) + frac;
}

#endif
