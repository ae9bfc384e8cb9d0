#include "nope/rng.h"

#include "nope/config.h"

#include "gauss_table.h"

static uint64_t splitmix64_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

#define GOLDEN_GAMMA UINT64_C(0x9E3779B97F4A7C15)

nope_rng_stream nope_rng_stream_make(uint64_t seed, uint32_t trial, uint32_t tag, uint32_t index)
{
    /* Each step is a bijection of the running key, so distinct (seed, trial, tag, index) give
     * distinct keys except with probability ~2^-64. */
    uint64_t key = splitmix64_mix(seed + GOLDEN_GAMMA);
    key = splitmix64_mix(key ^ (((uint64_t)trial << 32) | tag));
    key = splitmix64_mix(key + GOLDEN_GAMMA * ((uint64_t)index + 1));
    nope_rng_stream s = {key};
    return s;
}

uint64_t nope_rng_u64(nope_rng_stream s, uint64_t c)
{
    return splitmix64_mix(s.key + GOLDEN_GAMMA * (c + 1));
}

uint32_t nope_rng_u32(nope_rng_stream s, uint64_t e)
{
    uint64_t bits = nope_rng_u64(s, e >> 1);
    return (uint32_t)((e & 1) ? (bits >> 32) : bits);
}

uint32_t nope_rng_below(uint32_t bits, uint32_t n)
{
    return (uint32_t)(((uint64_t)bits * n) >> 32);
}

static unsigned floor_log2_u32(uint32_t v) /* v > 0 */
{
    unsigned k = 0;
    while (v >>= 1)
        k++;
    return k;
}

int32_t nope_rng_gauss_q24(uint32_t bits)
{
    enum { CELL_BITS = NOPE_GAUSS_CELL_BITS, CELLS = 1 << NOPE_GAUSS_CELL_BITS };
    uint32_t m = bits & UINT32_C(0x7FFFFFFF);
    int32_t magnitude;
    if (m < CELLS) {
        magnitude = nope_gauss_tail_q24[m];
    } else {
        /* m = 2^k (1 + j/CELLS) + f: grid cell (k, j), interpolated at its point (f + 1/2). */
        unsigned k = floor_log2_u32(m);
        unsigned shift = k - CELL_BITS;
        uint32_t j = (m >> shift) - CELLS;
        uint32_t f = m & ((UINT32_C(1) << shift) - 1);
        uint32_t cell = (k - CELL_BITS) * CELLS + j;
        int32_t hi = nope_gauss_grid_q24[cell];     /* larger magnitude, at the cell's start */
        int32_t lo = nope_gauss_grid_q24[cell + 1]; /* smaller magnitude, at its end */
        /* drop = (hi - lo) * (2f + 1) / 2^(shift + 1), rounded: < 2^27 * 2^25, fits 64 bits */
        uint64_t drop = (uint64_t)(uint32_t)(hi - lo) * (2 * (uint64_t)f + 1);
        magnitude = hi - (int32_t)((drop + (UINT64_C(1) << shift)) >> (shift + 1));
    }
    return (bits >> 31) ? -magnitude : magnitude;
}

int32_t nope_rng_gauss_draw(nope_rng_stream s, uint64_t e, uint32_t scale_q)
{
    enum { SHIFT = 24 + NOPE_SCALE_FRAC_BITS - NOPE_DRAW_FRAC_BITS };
    int32_t z = nope_rng_gauss_q24(nope_rng_u32(s, e));
    uint32_t z_abs = (uint32_t)(z < 0 ? -z : z);
    /* |z| < 2^27 and scale_q < 2^32: the product fits 64 bits; round half away from zero so
     * the distribution stays symmetric. */
    uint64_t scaled = ((uint64_t)z_abs * scale_q + (UINT64_C(1) << (SHIFT - 1))) >> SHIFT;
    return z < 0 ? -(int32_t)scaled : (int32_t)scaled;
}
