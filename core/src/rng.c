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
    /* Hidden from the optimiser: GCC would otherwise spell each product by a constant as a
     * dozen shifts and adds, since it takes an M0's multiplier to be the slow option. */
    __asm__("" : "+l"(cl), "+l"(ch));
    return mul_u32_wide(xl, cl) + ((uint64_t)(xl * ch + xh * cl) << 32);
#else
    return x * c;
#endif
}

#define SPLITMIX_C1 UINT64_C(0xBF58476D1CE4E5B9)
#define SPLITMIX_C2 UINT64_C(0x94D049BB133111EB)

#if NOPE_RNG_SOFT_MUL64 && defined(__GNUC__)
/* ARMv6-M: the whole mix by hand, 66 instructions where GCC's C takes about 120 (its eight low
 * registers spill). Each multiply by C: the cross terms xl*ch + xh*cl into the high word, then
 * xl*cl from four 16x16 products. Constants per multiply: ch, cl, cl & 0xFFFF, cl >> 16. */
static const uint32_t splitmix_constants[8] = {
    (uint32_t)(SPLITMIX_C1 >> 32), (uint32_t)SPLITMIX_C1, (uint32_t)SPLITMIX_C1 & 0xFFFFu, (uint32_t)SPLITMIX_C1 >> 16,
    (uint32_t)(SPLITMIX_C2 >> 32), (uint32_t)SPLITMIX_C2, (uint32_t)SPLITMIX_C2 & 0xFFFFu, (uint32_t)SPLITMIX_C2 >> 16,
};
/* (hi:lo) ^= (hi:lo) >> n, 0 < n < 32 */
#define MIX_XORSHIFT(n)             \
    "lsrs %2, %0, #" #n "\n\t"      \
    "lsls %3, %1, #(32-" #n ")\n\t" \
    "orrs %2, %3\n\t"               \
    "eors %0, %2\n\t"               \
    "lsrs %2, %1, #" #n "\n\t"      \
    "eors %1, %2\n\t"
/* (hi:lo) *= the constant whose four words start at byte `off` of the table */
#define MIX_MULTIPLY(off)                                               \
    "ldr %2, [%6, #" #off "]\n\t"      /* ch */                         \
    "muls %2, %0, %2\n\t"              /* xl ch */                      \
    "ldr %3, [%6, #(" #off "+4)]\n\t"  /* cl */                         \
    "muls %1, %3, %1\n\t"              /* xh cl */                      \
    "adds %1, %2\n\t"                  /* high word: the cross terms */ \
    "uxth %4, %0\n\t"                  /* a0 */                         \
    "lsrs %0, %0, #16\n\t"             /* a1 */                         \
    "ldr %2, [%6, #(" #off "+8)]\n\t"  /* b0 */                         \
    "ldr %3, [%6, #(" #off "+12)]\n\t" /* b1 */                         \
    "movs %5, %4\n\t"                                                   \
    "muls %5, %2, %5\n\t" /* p00 */                                     \
    "muls %4, %3, %4\n\t" /* p01 */                                     \
    "muls %2, %0, %2\n\t" /* p10 */                                     \
    "muls %0, %3, %0\n\t" /* p11 */                                     \
    "adds %1, %0\n\t"                                                   \
    "lsls %3, %4, #16\n\t"                                              \
    "lsrs %4, %4, #16\n\t"                                              \
    "adds %5, %3\n\t"                                                   \
    "adcs %1, %4\n\t"                                                   \
    "lsls %3, %2, #16\n\t"                                              \
    "lsrs %2, %2, #16\n\t"                                              \
    "adds %5, %3\n\t"                                                   \
    "adcs %1, %2\n\t"                                                   \
    "movs %0, %5\n\t"

static inline uint64_t splitmix64_mix(uint64_t z)
{
    uint32_t lo = (uint32_t)z, hi = (uint32_t)(z >> 32), t0, t1, t2, t3;
    /* Reads only the constant table, whose address is an operand: no memory clobber needed. */
    __asm__(".syntax unified\n\t" MIX_XORSHIFT(30) MIX_MULTIPLY(0) MIX_XORSHIFT(27) MIX_MULTIPLY(16) MIX_XORSHIFT(31)
            : "+l"(lo), "+l"(hi), "=&l"(t0), "=&l"(t1), "=&l"(t2), "=&l"(t3)
            : "l"(splitmix_constants)
            : "cc");
    return ((uint64_t)hi << 32) | lo;
}
#else
static inline uint64_t splitmix64_mix(uint64_t z)
{
    z = mul_u64_low(z ^ (z >> 30), SPLITMIX_C1);
    z = mul_u64_low(z ^ (z >> 27), SPLITMIX_C2);
    return z ^ (z >> 31);
}
#endif

#define GOLDEN_GAMMA UINT64_C(0x9E3779B97F4A7C15)

nope_rng_stream nope_rng_stream_make(uint64_t seed, uint32_t trial, uint32_t tag, uint32_t index)
{
    /* Each step is a bijection of the running key, so distinct (seed, trial, tag, index) give
     * distinct keys except with probability ~2^-64. */
    uint64_t key = splitmix64_mix(seed + GOLDEN_GAMMA);
    key = splitmix64_mix(key ^ (((uint64_t)trial << 32) | tag));
    key = splitmix64_mix(key + mul_u64_low((uint64_t)index + 1, GOLDEN_GAMMA));
    nope_rng_stream s = {key};
    return s;
}

uint64_t nope_rng_u64(nope_rng_stream s, uint64_t c)
{
    return splitmix64_mix(s.key + mul_u64_low(c + 1, GOLDEN_GAMMA));
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

/* Magnitude bits m >= CELLS (see nope_rng_gauss_q24): m = 2^k (1 + j/CELLS) + f, k >= CELL_BITS,
 * lies in grid cell (k, j) and is interpolated at its point (f + 1/2). Smaller m are taken as
 * CELLS, in the first cell, and their value dropped by the caller. */
enum { CELL_BITS = NOPE_GAUSS_CELL_BITS, CELLS = 1 << NOPE_GAUSS_CELL_BITS };

static inline uint32_t grid_clamp(uint32_t m)
{
    return m > CELLS ? m : CELLS;
}

/* The cell's number in the table, from m and its shift k - CELL_BITS (0..23): < 3072, and
 * signed so that a vector gather may index with it. */
static inline int32_t grid_cell(uint32_t m, uint32_t shift)
{
    return (int32_t)(shift * CELLS + (m >> shift) - CELLS);
}

/* The value at m, with shift = k - CELL_BITS, in the cell whose ends are hi and lo. */
static inline int32_t grid_interpolate(uint32_t m, uint32_t shift, int32_t hi, int32_t lo)
{
    uint32_t f = m & ((UINT32_C(1) << shift) - 1);
    /* drop = round((hi - lo) (2f + 1) / 2^(shift + 1)), hi - lo < 2^17 (102904 at most) and
     * 2f + 1 < 2^24: one UMULL and a 64-bit shift on a 32-bit core that has them. */
    uint32_t d = (uint32_t)(hi - lo), t = 2 * f + 1;
#if defined(__arm__) && !NOPE_RNG_SOFT_MUL64
    uint32_t drop = (uint32_t)((mul_u32_wide(d, t) + (UINT32_C(1) << shift)) >> (shift + 1));
#else
    /* Elsewhere in 32-bit arithmetic (vector lanes, ARMv6-M): t = t_hi 2^u + t_lo with
     * t_hi < 2^14, so d t_hi < 2^31, and floor((A 2^u + B) / 2^(u+v)) =
     * floor((A + floor(B / 2^u)) / 2^v) gives the same integer as the 64-bit product. */
    uint32_t u = shift > 13 ? shift - 13 : 0;
    uint32_t t_hi = t >> u, t_lo = t & ((UINT32_C(1) << u) - 1);
    uint32_t drop = (d * t_hi + ((d * t_lo + (UINT32_C(1) << shift)) >> u)) >> (shift + 1 - u);
#endif
    return hi - (int32_t)drop;
}

/* |quantile| of the 31 magnitude bits m >= CELLS, times 2^24; a value to drop for smaller m. */
static inline int32_t grid_magnitude_q24(uint32_t m)
{
    m = grid_clamp(m);
    uint32_t shift = floor_log2_u32(m) - CELL_BITS;
    int32_t cell = grid_cell(m, shift);
    /* the cell's start (larger magnitude) and end */
    return grid_interpolate(m, shift, nope_gauss_grid_q24[cell], nope_gauss_grid_q24[cell + 1]);
}

static inline int32_t gauss_magnitude_q24(uint32_t m)
{
    return m < CELLS ? nope_gauss_tail_q24[m] : grid_magnitude_q24(m);
}

int32_t nope_rng_gauss_q24(uint32_t bits)
{
    int32_t magnitude = gauss_magnitude_q24(bits & UINT32_C(0x7FFFFFFF));
    return (bits >> 31) ? -magnitude : magnitude;
}

/* A magnitude times scale_q, on the draw grid, with the sign of bits (nope_rng_gauss_draw). */
static inline int32_t scaled_draw(int32_t magnitude, uint32_t bits, uint32_t scale_q)
{
    enum { SHIFT = 24 + NOPE_SCALE_FRAC_BITS - NOPE_DRAW_FRAC_BITS };
    /* |z| < 2^27 and scale_q < 2^32: the product fits 64 bits; round half away from zero so
     * the distribution stays symmetric. */
    int32_t scaled = (int32_t)((mul_u32_wide((uint32_t)magnitude, scale_q) + (UINT64_C(1) << (SHIFT - 1))) >> SHIFT);
    int32_t negate = -(int32_t)(bits >> 31); /* 0 or -1 */
    return (scaled ^ negate) - negate;
}

static inline int32_t gauss_draw_bits(uint32_t bits, uint32_t scale_q)
{
    return scaled_draw(gauss_magnitude_q24(bits & UINT32_C(0x7FFFFFFF)), bits, scale_q);
}

int32_t nope_rng_gauss_draw(nope_rng_stream s, uint64_t e, uint32_t scale_q)
{
    return gauss_draw_bits(nope_rng_u32(s, e), scale_q);
}

/* ---- Runs of draws ---- */

#define ALWAYS_INLINE static inline __attribute__((always_inline))

#if defined(__GNUC__) && (defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__))
/* (hi:lo) ^= (hi:lo) >> n, 0 < n < 32 */
#define V7M_XORSHIFT(n)                           \
    "lsr %[t], %[lo], #" #n "\n\t"                \
    "orr %[t], %[t], %[hi], lsl #(32-" #n ")\n\t" \
    "eor %[lo], %[lo], %[t]\n\t"                  \
    "eor %[hi], %[hi], %[hi], lsr #" #n "\n\t"
/* (hi:lo) *= (ch:cl) modulo 2^64: the cross terms and one UMULL */
#define V7M_MULTIPLY(cl, ch)                    \
    "mul %[t], %[lo], %[" #ch "]\n\t"           \
    "mla %[t], %[hi], %[" #cl "], %[t]\n\t"     \
    "umull %[lo], %[hi], %[lo], %[" #cl "]\n\t" \
    "add %[hi], %[hi], %[t]\n\t"
/* hash_pairs with the counter, the mix's constants and the output pointer in registers: 25
 * instructions a pair where GCC's loop took 34 (it made one constant again each pair). Only
 * the words at out are written (the "memory" clobber). */
#define NOPE_RNG_V7M_ASM 1
/* A function of its own: inlined into the run, GCC can find no 13 free registers for it. */
static __attribute__((noinline)) void hash_pairs(int32_t *out, uint64_t x0, size_t pairs)
{
    if (pairs == 0)
        return;
    uint32_t *w = (uint32_t *)out, *end = w + 2 * pairs;
    uint32_t xl = (uint32_t)x0, xh = (uint32_t)(x0 >> 32), lo, hi, t;
    __asm__ volatile(".syntax unified\n"
                     "1:\n\t"
                     "lsr %[t], %[xl], #30\n\t" /* the first xor-shift from the counter itself */
                     "orr %[t], %[t], %[xh], lsl #2\n\t"
                     "eor %[lo], %[xl], %[t]\n\t"
                     "eor %[hi], %[xh], %[xh], lsr #30\n\t"
                     "adds %[xl], %[xl], %[gl]\n\t"
                     "adc %[xh], %[xh], %[gh]\n\t" V7M_MULTIPLY(c1l, c1h) V7M_XORSHIFT(27) V7M_MULTIPLY(c2l, c2h)
                         V7M_XORSHIFT(31) "strd %[lo], %[hi], [%[w]], #8\n\t"
                                          "cmp %[w], %[end]\n\t"
                                          "bne 1b\n\t"
                     : [w] "+&r"(w), [xl] "+&r"(xl), [xh] "+&r"(xh), [lo] "=&r"(lo), [hi] "=&r"(hi), [t] "=&r"(t)
                     : [end] "r"(end), [gl] "r"((uint32_t)GOLDEN_GAMMA), [gh] "r"((uint32_t)(GOLDEN_GAMMA >> 32)),
                       [c1l] "r"((uint32_t)SPLITMIX_C1), [c1h] "r"((uint32_t)(SPLITMIX_C1 >> 32)),
                       [c2l] "r"((uint32_t)SPLITMIX_C2), [c2h] "r"((uint32_t)(SPLITMIX_C2 >> 32))
                     : "cc", "memory");
}
#else
#define NOPE_RNG_V7M_ASM 0
ALWAYS_INLINE void hash_pairs(int32_t *out, uint64_t x0, size_t pairs)
{
    uint32_t *words = (uint32_t *)out;
    uint64_t x = x0;
    for (size_t p = 0; p < pairs; p++) {
        uint64_t h = splitmix64_mix(x);
        words[2 * p] = (uint32_t)h;
        words[2 * p + 1] = (uint32_t)(h >> 32);
        x += GOLDEN_GAMMA;
    }
}
#endif

/* Each word in place to its draw, as if its magnitude were on the grid; returns whether any
 * was in the far tail instead. */
ALWAYS_INLINE uint32_t draw_words_grid(int32_t *out, size_t n, uint32_t scale_q)
{
    const uint32_t *words = (const uint32_t *)out;
    uint32_t tail_seen = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t bits = words[k], m = bits & UINT32_C(0x7FFFFFFF);
        tail_seen |= m < CELLS;
        out[k] = scaled_draw(grid_magnitude_q24(m), bits, scale_q);
    }
    return tail_seen;
}

#if defined(__arm__) && !NOPE_RNG_SOFT_MUL64 && !NOPE_RNG_SOFT_CLZ
/* draw_words_grid for ARMv7-M mainline (CLZ, UMULL), the same integers in fewer instructions,
 * for scale_q < 2^28. With M = 2m + 1 (the sign shifted out) and c = clz(M) = 23 - shift:
 * - the cell's first 8 bits m >> shift are the top byte of N = M << c, so the cell's address is
 *   grid + 4 (22 - c) 128 + 4 (N >> 24);
 * - T = N << 8 is (2f + 1) 2^(31 - shift), so drop = round((hi - lo) (2f + 1) / 2^(shift + 1))
 *   is floor(((hi - lo) T + 2^31) / 2^32): the high word of one UMULL plus the low word's top bit;
 * - the scaled draw, floor((z scale_q + 2^27) / 2^28), is the same with scale_q 2^4 in place of
 *   scale_q. */
ALWAYS_INLINE uint32_t draw_words_grid_v7m(int32_t *out, size_t n, uint32_t scale_q)
{
    const int32_t *origin = nope_gauss_grid_q24 + 22 * CELLS;
    const uint32_t scale16 = scale_q << 4;
    uint32_t tail_seen = 0;
#if NOPE_RNG_V7M_ASM
    /* The same steps by hand, two words a loop (n is even): 23.5 instructions a draw where
     * GCC takes 28. The register `one` is 1 until a far-tail word is seen, then 3. */
#define V7M_DRAW_WORD                                                               \
    "ldr %[bits], [%[p]]\n\t"                                                       \
    "orr %[M], %[one], %[bits], lsl #1\n\t"                                         \
    "cmp %[M], #256\n\t" /* M < 257 (it is odd while one is 1) */                   \
    "itt lo\n\t"                                                                    \
    "movwlo %[M], #257\n\t"                                                         \
    "movlo %[one], #3\n\t" /* the far tail: the run is drawn again, any words do */ \
    "clz %[c], %[M]\n\t"                                                            \
    "lsl %[M], %[M], %[c]\n\t" /* N */                                              \
    "lsr %[t], %[M], #24\n\t"                                                       \
    "sub %[a], %[origin], %[c], lsl #9\n\t"                                         \
    "add %[a], %[a], %[t], lsl #2\n\t"                                              \
    "ldrd %[hi], %[lo], [%[a]]\n\t"                                                 \
    "sub %[lo], %[hi], %[lo]\n\t"                                                   \
    "lsl %[M], %[M], #8\n\t" /* T */                                                \
    "umull %[t], %[lo], %[lo], %[M]\n\t"                                            \
    "add %[lo], %[lo], %[t], lsr #31\n\t" /* drop */                                \
    "sub %[hi], %[hi], %[lo]\n\t"         /* the magnitude */                       \
    "umull %[t], %[hi], %[hi], %[scale16]\n\t"                                      \
    "add %[hi], %[hi], %[t], lsr #31\n\t"                                           \
    "eor %[hi], %[hi], %[bits], asr #31\n\t"                                        \
    "sub %[hi], %[hi], %[bits], asr #31\n\t"                                        \
    "str %[hi], [%[p]], #4\n\t"
    if (n == 0)
        return 0;
    int32_t *p = out, *end = out + n;
    uint32_t one = 1, bits, M, c, a, hi, lo, t;
    __asm__ volatile(".syntax unified\n"
                     "1:\n\t" V7M_DRAW_WORD V7M_DRAW_WORD "cmp %[p], %[end]\n\t"
                     "bne 1b\n\t"
                     : [p] "+&r"(p), [one] "+&r"(one), [bits] "=&r"(bits), [M] "=&r"(M), [c] "=&r"(c), [a] "=&r"(a),
                       [hi] "=&r"(hi), [lo] "=&r"(lo), [t] "=&r"(t)
                     : [end] "r"(end), [origin] "r"(origin), [scale16] "r"(scale16)
                     : "cc", "memory");
    tail_seen = one != 1;
#else
    for (size_t k = 0; k < n; k++) {
        uint32_t bits = (uint32_t)out[k], M = (bits << 1) | 1;
        uint32_t small = M < 2 * CELLS + 1;
        tail_seen |= small;
        M = small ? 2 * CELLS + 1 : M; /* m taken as CELLS, as grid_clamp */
        uint32_t c = (uint32_t)__builtin_clz(M), N = M << c;
        const int32_t *ends = origin - (int32_t)(c * CELLS) + (N >> 24);
        int32_t hi = ends[0], lo = ends[1];
        uint64_t p = (uint64_t)(uint32_t)(hi - lo) * (N << 8);
        uint32_t magnitude = (uint32_t)hi - ((uint32_t)(p >> 32) + ((uint32_t)p >> 31));
        uint64_t q = (uint64_t)magnitude * scale16;
        int32_t scaled = (int32_t)((uint32_t)(q >> 32) + ((uint32_t)q >> 31));
        int32_t negate = -(int32_t)(bits >> 31);
        out[k] = (scaled ^ negate) - negate;
    }
#endif
    return tail_seen;
}
#define NOPE_RNG_V7M_GRID 1
#else
#define NOPE_RNG_V7M_GRID 0
#endif

/* The far tail, 1 draw in 2^24: the bits were overwritten, so hash again and draw each pair
 * with the tail table. */
ALWAYS_INLINE void draw_tail_pairs(int32_t *out, uint64_t x0, size_t pairs, uint32_t scale_q)
{
    uint64_t x = x0;
    for (size_t p = 0; p < pairs; p++) {
        uint64_t h = splitmix64_mix(x);
        out[2 * p] = gauss_draw_bits((uint32_t)h, scale_q);
        out[2 * p + 1] = gauss_draw_bits((uint32_t)(h >> 32), scale_q);
        x += GOLDEN_GAMMA;
    }
}

/* out[2p], out[2p+1] = the draws of the low and high halves of the hash of counter value
 * x0 + p GOLDEN_GAMMA (p < pairs). The hashes go into out first, then each word in place
 * becomes its draw: plain loops that vectorise, and a small core pays two instructions a draw
 * for the round trip. The far tail's table stays out of the hot loop. */
ALWAYS_INLINE void draw_pairs_body(int32_t *out, uint64_t x0, size_t pairs, uint32_t scale_q)
{
    hash_pairs(out, x0, pairs);
#if NOPE_RNG_V7M_GRID
    uint32_t tail = scale_q < (UINT32_C(1) << 28) ? draw_words_grid_v7m(out, 2 * pairs, scale_q)
                                                  : draw_words_grid(out, 2 * pairs, scale_q);
#else
    uint32_t tail = draw_words_grid(out, 2 * pairs, scale_q);
#endif
    if (tail)
        draw_tail_pairs(out, x0, pairs, scale_q);
}

/* Draws as floats (nope_rng_gauss_draw_rows_f32) are the float32 mode's: the fixed-point mode's
 * core keeps free of floating point. */
#define NOPE_RNG_FLOATS (NOPE_NUM == NOPE_NUM_F32)

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(NOPE_HOST_CLONES)
/* Speed only: the same integer operations, vectorised where the host has AVX-512 (in 512-bit
 * vectors: 64-bit multiplies, leading-zero counts) or AVX2, chosen at run time. The table is
 * read in a pass of its own, both ends of a cell with one 8-byte load: hardware gathers were
 * three times slower than that on the Xeon this was measured on. */
enum { VECTOR_RUN = 512 }; /* draws per pass: the passes' arrays stay in L1 */

/* floor(log2 m) - CELL_BITS for CELLS <= m < 2^31 from a float's exponent, which vectorises
 * where the host has no vector CLZ (AVX2): exact, as m < 2^24 converts to float exactly and
 * otherwise m >> 8 does. */
static inline uint32_t grid_shift_by_float(uint32_t m)
{
    uint32_t big = (m >> 24) != 0 ? 8 : 0;
    union {
        float f;
        uint32_t b;
    } v = {.f = (float)(int32_t)(m >> big)};
    return (v.b >> 23) - 127 - CELL_BITS + big;
}

/* draw_words_grid in three passes: cells, their ends, the interpolation. */
ALWAYS_INLINE uint32_t draw_words_vector(int32_t *out, size_t n, uint32_t scale_q)
{
    const uint32_t *words = (const uint32_t *)out;
    uint32_t tail_seen = 0;
    int32_t cells[VECTOR_RUN];
    uint32_t shifts[VECTOR_RUN];
    uint64_t ends[VECTOR_RUN];
    for (size_t k0 = 0; k0 < n; k0 += VECTOR_RUN) {
        size_t len = n - k0 < VECTOR_RUN ? n - k0 : VECTOR_RUN;
        for (size_t k = 0; k < len; k++) {
            uint32_t m = words[k0 + k] & UINT32_C(0x7FFFFFFF);
            tail_seen |= m < CELLS;
            m = grid_clamp(m);
            shifts[k] = grid_shift_by_float(m);
            cells[k] = grid_cell(m, shifts[k]);
        }
        for (size_t k = 0; k < len; k++) /* a cell's two ends, little-endian: start low */
            __builtin_memcpy(&ends[k], &nope_gauss_grid_q24[cells[k]], 8);
        for (size_t k = 0; k < len; k++) {
            uint32_t bits = words[k0 + k];
            int32_t hi = (int32_t)(uint32_t)ends[k], lo = (int32_t)(uint32_t)(ends[k] >> 32);
            out[k0 + k] = scaled_draw(grid_interpolate(grid_clamp(bits & UINT32_C(0x7FFFFFFF)), shifts[k], hi, lo),
                                      bits, scale_q);
        }
    }
    return tail_seen;
}
/* draw_pairs_body with the vector passes, compiled once per instruction set. */
ALWAYS_INLINE void draw_pairs_vector(int32_t *out, uint64_t x0, size_t pairs, uint32_t scale_q)
{
    hash_pairs(out, x0, pairs);
    if (draw_words_vector(out, 2 * pairs, scale_q))
        draw_tail_pairs(out, x0, pairs, scale_q);
}
#include "rng_avx512.h"

static void draw_pairs_plain(int32_t *out, uint64_t x0, size_t pairs, uint32_t scale_q)
{
    draw_pairs_body(out, x0, pairs, scale_q);
}

AVX512_TARGET static void draw_pairs_avx512(int32_t *out, uint64_t x0, size_t pairs, uint32_t scale_q)
{
    if (scale_q >= AVX512_SCALE_LIMIT) /* sigma >= 16: never from the command line */
        draw_pairs_vector(out, x0, pairs, scale_q);
    else if (avx512_draw_rows(out, 0, 0, 0.0f, x0, 0, 1, pairs, scale_q))
        draw_tail_pairs(out, x0, pairs, scale_q);
}
#if NOPE_RNG_FLOATS
/* Rows of pairs into floats (avx512_draw_rows); returns 0, with the output to be drawn another
 * way, where the far tail was met or scale_q is too large. */
AVX512_TARGET static int draw_rows_avx512_f32(float *out, size_t out_stride, uint64_t x0, uint64_t x_stride,
                                              size_t rows, size_t pairs, uint32_t scale_q, float unit)
{
    return scale_q < AVX512_SCALE_LIMIT &&
           !avx512_draw_rows(out, out_stride, 1, unit, x0, x_stride, rows, pairs, scale_q);
}
#endif
__attribute__((target("arch=x86-64-v3"))) static void draw_pairs_avx2(int32_t *out, uint64_t x0, size_t pairs,
                                                                      uint32_t scale_q)
{
    draw_pairs_vector(out, x0, pairs, scale_q);
}

typedef void draw_pairs_fn(int32_t *out, uint64_t x0, size_t pairs, uint32_t scale_q);
/* The variant for this CPU, chosen at the first run (a run of 64 draws is short enough for a
 * look at the CPU's features each time to show). Every thread that races to choose writes the
 * same pointer. */
static draw_pairs_fn *draw_pairs_chosen;
static int draw_pairs_avx512_chosen;

static draw_pairs_fn *draw_pairs_variant(void)
{
    draw_pairs_fn *f = __atomic_load_n(&draw_pairs_chosen, __ATOMIC_RELAXED);
    if (f)
        return f;
    __builtin_cpu_init();
    int avx512 = __builtin_cpu_supports("x86-64-v4");
    f = avx512 ? draw_pairs_avx512 : __builtin_cpu_supports("x86-64-v3") ? draw_pairs_avx2 : draw_pairs_plain;
    __atomic_store_n(&draw_pairs_avx512_chosen, avx512, __ATOMIC_RELAXED);
    __atomic_store_n(&draw_pairs_chosen, f, __ATOMIC_RELAXED);
    return f;
}

static void draw_pairs(int32_t *out, uint64_t x0, size_t pairs, uint32_t scale_q)
{
    draw_pairs_variant()(out, x0, pairs, scale_q);
}

#if NOPE_RNG_FLOATS
/* nope_rng_gauss_draw_rows_f32 in one pipeline where AVX-512 draws and every row starts on a
 * pair (e0, e_stride and cols even) without wrapping; returns 0 having done nothing otherwise. */
static int draw_rows_f32_fast(float *out, size_t out_stride, nope_rng_stream s, uint64_t e0, uint64_t e_stride,
                              size_t rows, size_t cols, uint32_t scale_q, float unit)
{
    draw_pairs_variant();
    if (!__atomic_load_n(&draw_pairs_avx512_chosen, __ATOMIC_RELAXED) || ((e0 | e_stride | cols) & 1) || rows == 0)
        return 0;
    /* The last element, e0 + (rows - 1) e_stride + cols - 1, below 2^64: no element number wraps. */
    uint64_t room = UINT64_MAX - e0;
    if (e_stride != 0 && rows - 1 > room / e_stride)
        return 0;
    room -= (rows - 1) * e_stride;
    if (cols > room)
        return 0;
    uint64_t x0 = s.key + mul_u64_low((e0 >> 1) + 1, GOLDEN_GAMMA);
    return draw_rows_avx512_f32(out, out_stride, x0, mul_u64_low(e_stride >> 1, GOLDEN_GAMMA), rows, cols / 2, scale_q,
                                unit);
}
#endif
#else
static void draw_pairs(int32_t *out, uint64_t x0, size_t pairs, uint32_t scale_q)
{
    draw_pairs_body(out, x0, pairs, scale_q);
}
#if NOPE_RNG_FLOATS
static int draw_rows_f32_fast(float *out, size_t out_stride, nope_rng_stream s, uint64_t e0, uint64_t e_stride,
                              size_t rows, size_t cols, uint32_t scale_q, float unit)
{
    (void)out, (void)out_stride, (void)s, (void)e0, (void)e_stride, (void)rows, (void)cols, (void)scale_q, (void)unit;
    return 0;
}
#endif
#endif

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
    /* Chunks keep the words a pass hashes in L1 until it draws them; any size gives the same
     * numbers. */
    enum { CHUNK = 1024 };
    while (pairs > 0) {
        size_t run = pairs < CHUNK ? pairs : CHUNK;
        if (run > COUNTERS - c)
            run = (size_t)(COUNTERS - c);
        draw_pairs(out + k, s.key + mul_u64_low(c + 1, GOLDEN_GAMMA), run, scale_q);
        c = (c + run) & (COUNTERS - 1);
        k += 2 * run;
        pairs -= run;
    }
    if (k < n) /* the low half of a last pair */
        out[k] = gauss_draw_bits((uint32_t)nope_rng_u64(s, c), scale_q);
}

#if NOPE_RNG_FLOATS
void nope_rng_gauss_draw_run_f32(float *out, nope_rng_stream s, uint64_t e0, size_t n, uint32_t scale_q, float unit)
{
    nope_rng_gauss_draw_rows_f32(out, n, s, e0, n, 1, n, scale_q, unit);
}

void nope_rng_gauss_draw_rows_f32(float *out, size_t out_stride, nope_rng_stream s, uint64_t e0, uint64_t e_stride,
                                  size_t rows, size_t cols, uint32_t scale_q, float unit)
{
    if (draw_rows_f32_fast(out, out_stride, s, e0, e_stride, rows, cols, scale_q, unit))
        return;
    /* Elsewhere, or rows that start or end inside a pair: integers a piece at a time, converted. */
    enum { PIECE = 128 };
    int32_t q[PIECE];
    for (size_t r = 0; r < rows; r++)
        for (size_t j0 = 0; j0 < cols; j0 += PIECE) {
            size_t len = cols - j0 < PIECE ? cols - j0 : PIECE;
            nope_rng_gauss_draw_run(q, s, e0 + r * e_stride + j0, len, scale_q);
            for (size_t j = 0; j < len; j++)
                out[r * out_stride + j0 + j] = (float)q[j] * unit;
        }
}
#endif
