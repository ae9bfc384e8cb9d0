#include "nope/rng.h"

#include "nope/config.h"

#include "gauss_table.h"

/* ---- Arithmetic the small cores lack ----
 * ARMv6-M (Cortex-M0/M0+/M23 baseline) has neither CLZ nor a 32x32->64 multiply: GCC would call
 * __clzsi2 and __aeabi_lmul (a full 64x64 product) for them. The forms below give the same
 * numbers with a few inline 32-bit instructions. */
#if defined(__arm__) && !defined(__ARM_FEATURE_CLZ)
#define NOPE_RNG_SOFT_CLZ 1
#else
#define NOPE_RNG_SOFT_CLZ 0
#endif
#if defined(__ARM_ARCH_6M__) || defined(__ARM_ARCH_8M_BASE__)
#define NOPE_RNG_SOFT_MUL64 1
#else
#define NOPE_RNG_SOFT_MUL64 0
#endif

/* floor(log2 v), v > 0: one instruction where the core counts leading zeros, else four halvings. */
static inline unsigned floor_log2_u32(uint32_t v)
{
#if NOPE_RNG_SOFT_CLZ
    unsigned k = 0;
    if (v >= UINT32_C(1) << 16) {
        v >>= 16;
        k += 16;
    }
    if (v >= UINT32_C(1) << 8) {
        v >>= 8;
        k += 8;
    }
    if (v >= UINT32_C(1) << 4) {
        v >>= 4;
        k += 4;
    }
    /* v < 16: floor(log2 v) of 1..15, two bits per entry */
    return k + ((UINT32_C(0xFFFFAA50) >> (2 * v)) & 3);
#else
    return 31u - (unsigned)__builtin_clz(v);
#endif
}

/* The full 64-bit product of two 32-bit numbers. */
static inline uint64_t mul_u32_wide(uint32_t a, uint32_t b)
{
#if NOPE_RNG_SOFT_MUL64
    /* Four 16x16 products; mid cannot overflow: (2^16-1)^2 + 2 (2^16-1) = 2^32 - 1. */
    uint32_t a0 = a & 0xFFFFu, a1 = a >> 16, b0 = b & 0xFFFFu, b1 = b >> 16;
    uint32_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint32_t mid = p01 + (p00 >> 16) + (p10 & 0xFFFFu);
    uint32_t hi = p11 + (mid >> 16) + (p10 >> 16);
    uint32_t lo = (mid << 16) | (p00 & 0xFFFFu);
    return ((uint64_t)hi << 32) | lo;
#else
    return (uint64_t)a * b;
#endif
}

/* The low 64 bits of x * c: one wide product and two 32-bit ones where 64x64 is not native. */
static inline uint64_t mul_u64_low(uint64_t x, uint64_t c)
{
#if NOPE_RNG_SOFT_MUL64
    uint32_t xl = (uint32_t)x, xh = (uint32_t)(x >> 32), cl = (uint32_t)c, ch = (uint32_t)(c >> 32);
    return mul_u32_wide(xl, cl) + ((uint64_t)(xl * ch + xh * cl) << 32);
#else
    return x * c;
#endif
}

static inline uint64_t splitmix64_mix(uint64_t z)
{
    z = mul_u64_low(z ^ (z >> 30), UINT64_C(0xBF58476D1CE4E5B9));
    z = mul_u64_low(z ^ (z >> 27), UINT64_C(0x94D049BB133111EB));
    return z ^ (z >> 31);
}

#define GOLDEN_GAMMA UINT64_C(0x9E3779B97F4A7C15)

nope_rng_stream nope_rng_stream_make(uint64_t seed, uint32_t trial, uint32_t tag, uint32_t index)
{
    /* Each step is a bijection of the running key, so distinct (seed, trial, tag, index) give
     * distinct keys except with probability ~2^-64. */
    uint64_t key = splitmix64_mix(seed + GOLDEN_GAMMA);
    key = splitmix64_mix(key ^ (((uint64_t)trial << 32) | tag));
    key = splitmix64_mix(key + mul_u64_low(GOLDEN_GAMMA, (uint64_t)index + 1));
    nope_rng_stream s = {key};
    return s;
}

uint64_t nope_rng_u64(nope_rng_stream s, uint64_t c)
{
    return splitmix64_mix(s.key + mul_u64_low(GOLDEN_GAMMA, c + 1));
}

uint32_t nope_rng_u32(nope_rng_stream s, uint64_t e)
{
    uint64_t bits = nope_rng_u64(s, e >> 1);
    return (uint32_t)((e & 1) ? (bits >> 32) : bits);
}

uint32_t nope_rng_below(uint32_t bits, uint32_t n)
{
    return (uint32_t)(mul_u32_wide(bits, n) >> 32);
}

/* |quantile| of the 31 magnitude bits m, times 2^24 (see nope_rng_gauss_q24). Branch-free apart
 * from the far tail's select, so a loop of it vectorises. */
static inline int32_t gauss_magnitude_q24(uint32_t m)
{
    enum { CELL_BITS = NOPE_GAUSS_CELL_BITS, CELLS = 1 << NOPE_GAUSS_CELL_BITS };
    /* m = 2^k (1 + j/CELLS) + f, k >= CELL_BITS: grid cell (k, j), interpolated at its point
     * (f + 1/2). For m < CELLS the tail table holds the value; the grid is then read (and its
     * value dropped) at m = CELLS, so every index stays in the table. */
    uint32_t mg = m > CELLS ? m : CELLS;
    uint32_t shift = floor_log2_u32(mg) - CELL_BITS; /* 0..23 */
    uint32_t cell = shift * CELLS + (mg >> shift) - CELLS;
    uint32_t f = mg & ((UINT32_C(1) << shift) - 1);
    int32_t hi = nope_gauss_grid_q24[cell];     /* larger magnitude, at the cell's start */
    int32_t lo = nope_gauss_grid_q24[cell + 1]; /* smaller magnitude, at its end */
    /* drop = round((hi - lo) (2f + 1) / 2^(shift + 1)) in 32-bit arithmetic: hi - lo < 2^17
     * (102904 at most), and t = 2f + 1 < 2^24 is split as t_hi 2^u + t_lo with t_hi < 2^14, so
     * (hi - lo) t_hi < 2^31 and floor((A 2^u + B) / 2^(u+v)) = floor((A + floor(B / 2^u)) / 2^v)
     * gives the same integer as the 64-bit product would. */
    uint32_t d = (uint32_t)(hi - lo), t = 2 * f + 1;
    uint32_t u = shift > 13 ? shift - 13 : 0;
    uint32_t t_hi = t >> u, t_lo = t & ((UINT32_C(1) << u) - 1);
    uint32_t drop = (d * t_hi + ((d * t_lo + (UINT32_C(1) << shift)) >> u)) >> (shift + 1 - u);
    int32_t grid_value = hi - (int32_t)drop;
    return m < CELLS ? nope_gauss_tail_q24[m] : grid_value;
}

int32_t nope_rng_gauss_q24(uint32_t bits)
{
    int32_t magnitude = gauss_magnitude_q24(bits & UINT32_C(0x7FFFFFFF));
    return (bits >> 31) ? -magnitude : magnitude;
}

/* 32 random bits to a scaled draw (nope_rng_gauss_draw). */
static inline int32_t gauss_draw_bits(uint32_t bits, uint32_t scale_q)
{
    enum { SHIFT = 24 + NOPE_SCALE_FRAC_BITS - NOPE_DRAW_FRAC_BITS };
    uint32_t z_abs = (uint32_t)gauss_magnitude_q24(bits & UINT32_C(0x7FFFFFFF));
    /* |z| < 2^27 and scale_q < 2^32: the product fits 64 bits; round half away from zero so
     * the distribution stays symmetric. */
    int32_t scaled = (int32_t)((mul_u32_wide(z_abs, scale_q) + (UINT64_C(1) << (SHIFT - 1))) >> SHIFT);
    int32_t negate = -(int32_t)(bits >> 31); /* 0 or -1 */
    return (scaled ^ negate) - negate;
}

int32_t nope_rng_gauss_draw(nope_rng_stream s, uint64_t e, uint32_t scale_q)
{
    return gauss_draw_bits(nope_rng_u32(s, e), scale_q);
}

/* ---- Runs of draws ---- */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(NOPE_HOST_CLONES)
/* Speed only: the same integer operations, vectorised where the host has AVX2 or AVX-512
 * (64-bit multiplies, leading-zero counts, table gathers), chosen at run time. */
#define NOPE_RNG_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define NOPE_RNG_CLONES
#endif

/* out[2p], out[2p+1] = the low and high halves of the hash of counter value x0 + p GOLDEN_GAMMA
 * (p < pairs), then each word in place becomes its draw. Two plain loops so that each one
 * vectorises; on a small core the round trip through out costs two instructions a draw. */
NOPE_RNG_CLONES
static void draw_pairs(int32_t *out, uint64_t x0, size_t pairs, uint32_t scale_q)
{
    uint32_t *words = (uint32_t *)out;
    uint64_t x = x0;
    for (size_t p = 0; p < pairs; p++) {
        uint64_t h = splitmix64_mix(x);
        words[2 * p] = (uint32_t)h;
        words[2 * p + 1] = (uint32_t)(h >> 32);
        x += GOLDEN_GAMMA;
    }
    for (size_t k = 0; k < 2 * pairs; k++)
        out[k] = gauss_draw_bits(words[k], scale_q);
}

void nope_rng_gauss_draw_run(int32_t *out, nope_rng_stream s, uint64_t e0, size_t n, uint32_t scale_q)
{
    if (n == 0)
        return;
    size_t k = 0;
    if (e0 & 1) { /* the high half of a pair whose low half is not wanted */
        out[0] = gauss_draw_bits((uint32_t)(nope_rng_u64(s, e0 >> 1) >> 32), scale_q);
        k = 1;
    }
    /* Element e0 + k is even from here: counter value c = (e0 + k) / 2 feeds the mix with
     * key + GOLDEN_GAMMA (c + 1), one addition of GOLDEN_GAMMA per pair. Elements count modulo
     * 2^64, so counters modulo 2^63: a run that wraps starts again from counter 0. */
    const uint64_t COUNTERS = UINT64_C(1) << 63;
    uint64_t c = ((e0 + k) >> 1) & (COUNTERS - 1);
    size_t pairs = (n - k) / 2;
    /* Chunks bound the work between two counter products; any size gives the same numbers. */
    enum { CHUNK = 1024 };
    while (pairs > 0) {
        size_t run = pairs < CHUNK ? pairs : CHUNK;
        if (run > COUNTERS - c)
            run = (size_t)(COUNTERS - c);
        draw_pairs(out + k, s.key + mul_u64_low(GOLDEN_GAMMA, c + 1), run, scale_q);
        c = (c + run) & (COUNTERS - 1);
        k += 2 * run;
        pairs -= run;
    }
    if (k < n) /* the low half of a last pair */
        out[k] = gauss_draw_bits((uint32_t)nope_rng_u64(s, c), scale_q);
}
