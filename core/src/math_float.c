#include "nope/config.h"

/* float32 mode only: the fixed-point mode must contain no floating point at all. */
#if NOPE_NUM == NOPE_NUM_F32

#include "nope/math_float.h"
#include "nope/wide.h"

#include <stdint.h>

/* Bit views of floats: a union is the C11-sanctioned way to reinterpret. */
typedef union {
    float f;
    uint32_t u;
} f32_view;
typedef union {
    double f;
    uint64_t u;
} f64_view;

static uint32_t f32_bits(float x)
{
    return (f32_view){.f = x}.u;
}

static float f32_from_bits(uint32_t u)
{
    return (f32_view){.u = u}.f;
}

static uint64_t f64_bits(double x)
{
    return (f64_view){.f = x}.u;
}

static double f64_from_bits(uint64_t u)
{
    return (f64_view){.u = u}.f;
}

/* 2^k as a float for -126 <= k <= 127. */
static float f32_pow2(int k)
{
    return f32_from_bits((uint32_t)(k + 127) << 23);
}

float nope_f32_exp(float x)
{
    /* ln 2 split so k * LN2_HI is exact for |k| < 2^8: LN2_HI has 16 significant bits. */
    const float LN2_HI = 0.693145751953125f;
    const float LN2_LO = 1.42860682e-06f;
    const float LOG2E = 1.44269504f;
    if (x != x)
        return x;
    if (x > 88.7228394f)
        return f32_from_bits(0x7F800000u);
    if (x < -103.972084f)
        return 0.0f;
    /* x = k ln2 + r with |r| <= ln2/2 (plus rounding), then e^r by its Taylor series to r^7:
     * the truncation error r^8/8! < 6e-9 is under a tenth of an ulp. */
    float kf = x * LOG2E;
    int k = (int)(kf < 0.0f ? kf - 0.5f : kf + 0.5f);
    float r = (x - (float)k * LN2_HI) - (float)k * LN2_LO;
    float p = 1.0f / 5040.0f;
    p = 1.0f / 720.0f + r * p;
    p = 1.0f / 120.0f + r * p;
    p = 1.0f / 24.0f + r * p;
    p = 1.0f / 6.0f + r * p;
    p = 0.5f + r * p;
    p = 1.0f + r * p;
    p = 1.0f + r * p;
    if (k > 127)
        return p * f32_pow2(127) * 2.0f;
    if (k < -126)
        return p * f32_pow2(k + 64) * f32_pow2(-64); /* subnormal result: scale in two steps */
    return p * f32_pow2(k);
}

float nope_f32_log(float x)
{
    const float LN2_HI = 0.693145751953125f;
    const float LN2_LO = 1.42860682e-06f;
    uint32_t u = f32_bits(x);
    if (x != x)
        return x;
    if (x < 0.0f)
        return f32_from_bits(0x7FC00000u);
    if (x == 0.0f)
        return f32_from_bits(0xFF800000u);
    if (u == 0x7F800000u)
        return x;
    int e = 0;
    if (u < 0x00800000u) { /* subnormal: make it normal first */
        x *= 8388608.0f;   /* 2^23 */
        u = f32_bits(x);
        e = -23;
    }
    e += (int)(u >> 23) - 127;
    /* m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: the series
     * to s^9 leaves 2 s^11 / 11 < 7e-10 out. */
    float m = f32_from_bits((u & 0x007FFFFFu) | 0x3F800000u);
    if (m > 1.41421356f) {
        m *= 0.5f;
        e += 1;
    }
    float f = m - 1.0f;
    float s = f / (2.0f + f);
    float s2 = s * s;
    float series = 1.0f / 9.0f;
    series = 1.0f / 7.0f + s2 * series;
    series = 1.0f / 5.0f + s2 * series;
    series = 1.0f / 3.0f + s2 * series;
    /* 2 atanh(s) = f - s f + 2 s^3 (...): written as f - s (f - 2 s^2 series') keeps the
     * leading term exact. */
    float log_m = f - s * (f - 2.0f * s2 * series);
    float ef = (float)e;
    return ef * LN2_HI + (log_m + ef * LN2_LO);
}

float nope_f32_sqrt(float x)
{
    uint32_t u = f32_bits(x);
    if (x != x || x == 0.0f || u == 0x7F800000u)
        return x; /* NaN, +-0 and +inf are their own square roots */
    if (x < 0.0f)
        return f32_from_bits(0x7FC00000u);
    int e;
    uint32_t mant;
    if (u < 0x00800000u) { /* subnormal: mant has no implicit one */
        e = -126 - 23;
        mant = u;
        while (mant < 0x00800000u) {
            mant <<= 1;
            e--;
        }
    } else {
        e = (int)(u >> 23) - 127 - 23;
        mant = (u & 0x007FFFFFu) | 0x00800000u;
    }
    /* x = mant 2^e, mant in [2^23, 2^24). Scale mant to [2^48, 2^50) with an even exponent
     * left over, so the integer root has 25 bits: 24 for the result and one to round with. */
    uint64_t wide = (uint64_t)mant << 25;
    int e2 = e - 25;
    if (e2 & 1) {
        wide <<= 1;
        e2 -= 1;
    }
    uint64_t root = nope_isqrt64(wide); /* in [2^24, 2^25): sqrt x = root 2^(e2/2) */
    int exact = root * root == wide;
    uint32_t q = (uint32_t)(root >> 1);
    if ((root & 1) && (!exact || (q & 1)))
        q++;             /* round to nearest, ties to even (a tie cannot occur, but stay IEEE-shaped) */
    int re = e2 / 2 + 1; /* sqrt x = q 2^re, q in [2^23, 2^24] */
    if (q == 0x01000000u) {
        q >>= 1;
        re += 1;
    }
    return f32_from_bits(((uint32_t)(re + 23 + 127) << 23) | (q & 0x007FFFFFu));
}

float nope_f32_tanh(float x)
{
    /* tanh x = 1 - 2 / (e^{2x} + 1) for x >= 0, odd. Beyond 9.02, e^{2x} makes it exactly 1. */
    float a = x < 0.0f ? -x : x;
    if (x != x)
        return x;
    float t = a > 9.1f ? 1.0f : 1.0f - 2.0f / (nope_f32_exp(2.0f * a) + 1.0f);
    return x < 0.0f ? -t : t;
}

double nope_f64_log(double x)
{
    const double LN2_HI = 6.93147180369123816490e-01; /* 32 significant bits: e * LN2_HI exact */
    const double LN2_LO = 1.90821492927058770002e-10;
    uint64_t u = f64_bits(x);
    if (x != x)
        return x;
    if (x < 0.0)
        return f64_from_bits(UINT64_C(0x7FF8000000000000));
    if (x == 0.0)
        return f64_from_bits(UINT64_C(0xFFF0000000000000));
    if (u == UINT64_C(0x7FF0000000000000))
        return x;
    int e = 0;
    if (u < UINT64_C(0x0010000000000000)) {
        x *= 4503599627370496.0; /* 2^52 */
        u = f64_bits(x);
        e = -52;
    }
    e += (int)(u >> 52) - 1023;
    double m = f64_from_bits((u & UINT64_C(0x000FFFFFFFFFFFFF)) | UINT64_C(0x3FF0000000000000));
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e += 1;
    }
    /* Same series as the float version, to s^21: the rest, 2 s^23 / 23 < 3e-19, is negligible. */
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double s2 = s * s;
    double series = 1.0 / 21.0;
    for (int n = 19; n >= 3; n -= 2)
        series = 1.0 / (double)n + s2 * series;
    double log_m = f - s * (f - 2.0 * s2 * series);
    double ed = (double)e;
    return ed * LN2_HI + (log_m + ed * LN2_LO);
}

double nope_f64_sqrt(double x)
{
    uint64_t u = f64_bits(x);
    if (x != x || x == 0.0 || u == UINT64_C(0x7FF0000000000000))
        return x;
    if (x < 0.0)
        return f64_from_bits(UINT64_C(0x7FF8000000000000));
    /* A subnormal is scaled up by 2^108 first (exact), and its root down by 2^54. */
    double scale = 1.0;
    if (u < UINT64_C(0x0010000000000000)) {
        x *= 324518553658426726783156020576256.0; /* 2^108 */
        u = f64_bits(x);
        scale = 1.0 / 18014398509481984.0; /* 2^-54 */
    }
    /* Start from the float root (within 2^-24 relative), or from halving the exponent (within a
     * factor sqrt 2) where a float would overflow or underflow; Newton squares the relative error
     * each step, so 10 steps reach the last bit from either start. */
    double y;
    if (x > 1e-37 && x < 1e38) {
        y = (double)nope_f32_sqrt((float)x);
    } else {
        int e = (int)((u >> 52) & 0x7FF) - 1023;
        y = f64_from_bits((uint64_t)(e / 2 + 1023) << 52);
    }
    for (int i = 0; i < 10; i++)
        y = 0.5 * (y + x / y);
    y *= scale;
    return y;
}

#endif
