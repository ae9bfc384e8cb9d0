/* nope/var_exact.h: the double code of nope_kern_var_unbiased, step by step in integers.
 *
 *   sum += (double)y[k]     exact: every float is a multiple of 2^emin below 2^top, so every
 *                           partial sum is an integer times 2^emin below 2^(top - emin + log2 n),
 *                           which 53 bits hold when checked below (else the double code runs)
 *   mean = sum / n          the integer quotient, extended bit by bit, rounded with a sticky bit
 *   dev = y[k] - mean       exact on the finer grid of the two (int64), then rounded
 *   sq += dev * dev         a 106-bit product rounded, then a sum of two positives rounded
 *   sq / (n - 1)            one double division, as the double code does
 *
 * Every rounding is to nearest, ties to even, of the exact value, which is what IEEE does for
 * normal results; the values here stay far from the double's subnormal and overflow range (float
 * inputs: |y| in [2^-149, 2^128), squares in [2^-600, 2^270)). Checked against the double code
 * on random and adversarial inputs in tests/unit/test_f32_var_exact.c. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32

#include <stdint.h>

#include "nope/var_exact.h"
#include "nope/wide.h"

/* A positive value m 2^e with m in [2^52, 2^53), or zero (m = 0). */
typedef struct {
    uint64_t m;
    int e;
} dbl;

static inline unsigned bitlen(uint64_t x)
{
#if defined(__GNUC__)
    return x == 0 ? 0 : 64u - (unsigned)__builtin_clzll(x); /* CLZ on ARMv7-M */
#else
    return nope_bitlen64(x);
#endif
}

/* (x + (sticky ? a fraction in (0, 1) : 0)) 2^e, x of len bits (len >= 55 if sticky), rounded. */
static inline dbl round53(uint64_t x, unsigned len, int e, bool sticky)
{
    dbl r;
    if (len <= 53) {
        r.m = x << (53 - len); /* exact; 0 stays 0 */
        r.e = e - (int)(53 - len);
        return r;
    }
    unsigned drop = len - 53;
    uint64_t half = UINT64_C(1) << (drop - 1);
    uint64_t rest = x & ((half << 1) - 1);
    uint64_t m = x >> drop;
    if (rest > half || (rest == half && (sticky || (m & 1))))
        m++;
    if (m >> 53) { /* rounded up to 2^53 */
        m >>= 1;
        drop++;
    }
    r.m = m;
    r.e = e + (int)drop;
    return r;
}

/* m 2^e, m < 2^64, rounded. */
static inline dbl round64(uint64_t m, int e)
{
    return round53(m, bitlen(m), e, false);
}

/* (hi 2^64 + lo) 2^e rounded. */
static inline dbl round128(nope_u128 v, int e)
{
    if (v.hi == 0)
        return round64(v.lo, e);
    unsigned s = bitlen(v.hi); /* keep the top 64 bits, the rest as a sticky bit */
    uint64_t x = s == 64 ? v.hi : v.hi << (64 - s) | v.lo >> s;
    bool sticky = (s == 64 ? v.lo : v.lo << (64 - s)) != 0;
    return round53(x, 64, e + (int)s, sticky);
}

/* a + b rounded, both normalized or zero. */
static inline dbl add_pos(dbl a, dbl b)
{
    if (a.m == 0)
        return b;
    if (b.m == 0)
        return a;
    if (a.e < b.e) {
        dbl t = a;
        a = b;
        b = t;
    }
    unsigned d = (unsigned)(a.e - b.e);
    if (d <= 10) { /* exact in 64 bits: a.m 2^d + b.m < 2^63 + 2^53 */
        uint64_t x = (a.m << d) + b.m;
        return round53(x, 53 + d + (unsigned)(x >> (53 + d)), b.e, false);
    }
    /* b below a's 10 guard bits: what falls off is a sticky bit; x >= 2^62 has 63 or 64 bits */
    unsigned sh = d - 10;
    uint64_t bs = sh >= 64 ? 0 : b.m >> sh;
    bool sticky = sh >= 64 || (b.m & ((UINT64_C(1) << sh) - 1)) != 0;
    uint64_t x = (a.m << 10) + bs;
    return round53(x, 63 + (unsigned)(x >> 63), a.e - 10, sticky);
}

/* A float's value as sign, integer m < 2^24 and exponent (m 2^e); false for NaN or infinity. */
typedef struct {
    uint32_t m;
    int e;
    bool neg;
} flt;

static inline flt decode(float f)
{
    union {
        float f;
        uint32_t u;
    } bits = {f};
    unsigned biased = (bits.u >> 23) & 0xff;
    flt r;
    r.neg = (bits.u >> 31) != 0;
    r.m = biased == 0 ? bits.u & 0x7fffff : (bits.u & 0x7fffff) | UINT32_C(1) << 23;
    r.e = (biased == 0 ? 1 : (int)biased) - 150;
    return r;
}

static inline double to_double(dbl v)
{
    union {
        double d;
        uint64_t u;
    } bits = {0.0};
    if (v.m != 0)
        bits.u = (uint64_t)(v.e + 52 + 1023) << 52 | (v.m & ((UINT64_C(1) << 52) - 1));
    return bits.d;
}

bool nope_var_unbiased_exact(const float *y, size_t n, double *out)
{
    if (n < 2 || n > (UINT32_C(1) << 20))
        return false;
    /* The float exponents' range, zeros aside (subnormals as exponent field 1). */
    unsigned lo = 255, hi = 0;
    for (size_t k = 0; k < n; k++) {
        union {
            float f;
            uint32_t u;
        } bits = {y[k]};
        unsigned biased = (bits.u >> 23) & 0xff;
        if (biased == 255)
            return false;
        if ((bits.u & 0x7fffffff) == 0)
            continue;
        biased += biased == 0;
        lo = biased < lo ? biased : lo;
        hi = biased > hi ? biased : hi;
    }
    unsigned log2n = bitlen((uint64_t)n - 1); /* ceil(log2 n) */
    int emin = (int)lo - 150;
    if (hi == 0) { /* all zeros: sum, mean, deviations and sq are +0 */
        *out = 0.0 / (double)(n - 1);
        return true;
    }
    if ((hi - lo) + 24 + log2n > 53)
        return false;        /* the double sum might round */
    int top = (int)hi - 126; /* every |y| < 2^top */
    int64_t sum = 0;         /* the double sum, exactly: sum 2^emin, |sum| < 2^53 */
    for (size_t k = 0; k < n; k++) {
        flt f = decode(y[k]);
        if (f.m == 0)
            continue;
        int64_t v = (int64_t)((uint64_t)f.m << (f.e - emin));
        sum += f.neg ? -v : v;
    }
    /* mean = sum 2^emin / n rounded: the quotient extended to 55 bits, the remainder as sticky;
     * then without its trailing zeros, so that the grid below is no finer than it must be. */
    uint64_t a = (uint64_t)(sum < 0 ? -sum : sum);
    uint64_t mean_m = a; /* |mean| = mean_m 2^mean_e */
    int mean_e = emin - (int)log2n;
    if (a != 0 && (n & (n - 1)) != 0) {
        uint64_t q = a / n, r = a % n;
        int f = 0;
        while (q < (UINT64_C(1) << 54)) {
            r <<= 1;
            q <<= 1;
            if (r >= n) {
                r -= n;
                q |= 1;
            }
            f++;
        }
        dbl m = round53(q, 55, emin - f, r != 0);
        mean_m = m.m;
        mean_e = m.e;
    }
    while (mean_m != 0 && (mean_m & 1) == 0) {
        mean_m >>= 1;
        mean_e++;
    }
    /* Deviations on the grid 2^g, the finer of the floats' and the mean's: both within 62 bits. */
    int g = mean_m != 0 && mean_e < emin ? mean_e : emin;
    if (top - g > 62 || (int)bitlen(mean_m) + mean_e - g > 62)
        return false;
    int64_t mean_g = mean_m == 0 ? 0 : (int64_t)(mean_m << (mean_e - g));
    if (sum < 0)
        mean_g = -mean_g;
    dbl sq = {0, 0};
    for (size_t k = 0; k < n; k++) {
        flt f = decode(y[k]);
        int64_t v = f.m == 0 ? 0 : (int64_t)((uint64_t)f.m << (f.e - g));
        int64_t dev = (f.neg ? -v : v) - mean_g;
        uint64_t mag = (uint64_t)(dev < 0 ? -dev : dev);
        if (mag == 0)
            continue; /* sq + 0 = sq */
        dbl p;
        if (mag < (UINT64_C(1) << 32)) { /* an exact deviation and a 64-bit square: one UMULL */
            p = round64((uint64_t)(uint32_t)mag * (uint32_t)mag, 2 * g);
        } else {
            dbl dv = mag < (UINT64_C(1) << 53) ? (dbl){mag, g} : round64(mag, g);
            p = round128(nope_u128_mul64(dv.m, dv.m), 2 * dv.e);
        }
        sq = add_pos(sq, p);
    }
    *out = to_double(sq) / (double)(n - 1);
    return true;
}

#else
typedef int nope_var_exact_unused;
#endif
