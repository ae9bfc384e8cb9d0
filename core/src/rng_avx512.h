/* Blocks of Gaussian draws on an x86-64 host with AVX-512 (F, CD, DQ, BW, VL: x86-64-v4), for
 * rng.c only, which includes this after its scalar sampler: the same integers as
 * gauss_draw_bits, word for word: about 1 ns a draw filling a 64 x 64 panel, where 64-draw runs
 * through the three array passes before took 2.1 ns (thread CPU time, this project's Xeon).
 *
 * Where the time goes, and why it is laid out so (Cascade Lake: 512-bit work runs on ports 0
 * and 5 only, shifts, conversions and leading-zero counts on port 0 alone; four uops a cycle):
 * - The table read. Hardware gathers are slower than scalar loads on the Xeons this was
 *   measured on (microcode since 2023), and scalar loads whose addresses come out of a vector
 *   cost a shuffle each. So the vector stores its cells, and a scalar step reads each cell's two
 *   ends with one 8-byte load into a buffer: load and store ports, which the vector work leaves
 *   idle.
 * - A cell's number needs no shifts: M = 2m + 1 converted to float rounding toward zero has
 *   floor(log2 M) in its exponent and the 7 bits after the leading one on top of its mantissa,
 *   so the float's upper 16 bits, which the scalar step loads as such, are the cell's number
 *   plus CELL_BASE.
 * - With c = clz(M) and T = M << (c + 8) = (2f + 1) 2^(31 - shift), the interpolation's drop is
 *   the high word of (hi - lo) T + 2^31 (see draw_words_grid_v7m), and the scaled draw
 *   floor((z scale_q + 2^27) / 2^28) is the high word of z (scale_q 2^4) + 2^31: 32 x 32 -> 64
 *   products (VPMULUDQ) on the even and the odd words separately, exact, whose high words are
 *   taken by shuffles (port 5) instead of shifts. Hence scale_q < 2^28 here (sigma < 16).
 * - Three steps (hash, table, finish) are pipelined over blocks of 16 draws: while block b is
 *   hashed, block b - 1's ends are read and block b - 2 finished, so that every port is busy at
 *   once. Each step reads what the one before wrote a block earlier: the cells from the store
 *   buffer, the ends once written back (a vector load of eight scalar stores cannot be
 *   forwarded). A ring of RING blocks holds what is in flight; the main loop is unrolled over
 *   the ring so every buffer address is a constant offset (indexed stores would take the load
 *   ports' address units). */
#ifndef NOPE_RNG_AVX512_H
#define NOPE_RNG_AVX512_H

#define AVX512_TARGET __attribute__((target("arch=x86-64-v4,prefer-vector-width=512")))
#define AVX512_INLINE static inline __attribute__((always_inline)) AVX512_TARGET

typedef uint64_t u64x8 __attribute__((vector_size(64)));
typedef uint32_t u32x16 __attribute__((vector_size(64)));
typedef int32_t i32x16 __attribute__((vector_size(64)));
typedef float f32x16 __attribute__((vector_size(64)));
typedef long long builtin_i64x8 __attribute__((vector_size(64))); /* the builtins' own */
/* Memory of those shapes at any 4-byte aligned address. */
typedef uint64_t u64x8_mem __attribute__((vector_size(64), aligned(8), may_alias));
typedef uint32_t u32x16_mem __attribute__((vector_size(64), aligned(4), may_alias));

/* The float's upper 16 bits less the cell's number (see above): the exponent's bias and the
 * magnitude's 7 + CELL_BITS place-value bits. */
enum { CELL_BASE = (127 + 8) * CELLS, BLOCK = 16, RING = 8, LAG_ENDS = 4, LAG_FINISH = 8 };
_Static_assert(CELL_BITS == 7, "the float's top 7 mantissa bits are the cell within its octave");

/* Largest scale_q the finish step takes: scale_q 2^4 is a 32-bit factor. */
#define AVX512_SCALE_LIMIT (UINT32_C(1) << 28)

/* What the steps pass on, RING blocks of it. */
typedef struct {
    uint32_t words[RING * BLOCK]; /* the hash words, for the sign */
    uint32_t cells[RING * BLOCK]; /* M as float: cell number + CELL_BASE in the upper half */
    uint32_t ts[RING * BLOCK];    /* T */
    uint64_t ends[RING * BLOCK];  /* each cell's ends, start low: even words', then odd words' */
} avx512_ring;

/* The 64-bit products of the even 32-bit words of a and b (the odd words are ignored). */
AVX512_INLINE u64x8 mul_even(u64x8 a, u64x8 b)
{
    return (u64x8)__builtin_ia32_pmuludq512_mask((i32x16)a, (i32x16)b, (builtin_i64x8){0}, 0xFF);
}

/* Each 64-bit lane's high word copied into its low word (VPSHUFD, port 5). */
AVX512_INLINE u64x8 high_words_low(u64x8 a)
{
    return (u64x8)__builtin_ia32_pshufd512_mask((i32x16)a, 0xF5, (i32x16){0}, 0xFFFF);
}

/* Step 1 for the block in slot s: the hashes of counter values x + k GOLDEN_GAMMA, k < 8, as
 * 16 words (word 2k the low half of hash k), each word's cell and T; low keeps the smallest M
 * seen (the far tail is M < 2 CELLS + 1). */
AVX512_INLINE void avx512_hash_block(avx512_ring *ring, size_t s, u64x8 x, u32x16 *low)
{
    const u32x16 one = (u32x16){0} + 1, eight = (u32x16){0} + 8, floor_m = (u32x16){0} + (2 * CELLS + 1);
    u64x8 z = x;
    z = (z ^ (z >> 30)) * SPLITMIX_C1;
    z = (z ^ (z >> 27)) * SPLITMIX_C2;
    z ^= z >> 31;
    u32x16 w = (u32x16)z, M = (w + w) | one; /* the sign shifted out */
    *low = (u32x16)__builtin_ia32_pminud512_mask((i32x16)*low, (i32x16)M, (i32x16)M, 0xFFFF);
    M = (u32x16)__builtin_ia32_pmaxud512_mask((i32x16)M, (i32x16)floor_m, (i32x16)M, 0xFFFF); /* grid_clamp */
    f32x16 f = __builtin_ia32_cvtudq2ps512_mask((i32x16)M, (f32x16){0}, 0xFFFF, 0x0B);        /* toward zero */
    u32x16 c = (u32x16)__builtin_ia32_vplzcntd_512_mask((i32x16)M, (i32x16){0}, 0xFFFF);
    *(u32x16_mem *)(ring->words + BLOCK * s) = w;
    *(u32x16_mem *)(ring->cells + BLOCK * s) = (u32x16)f;
    *(u32x16_mem *)(ring->ts + BLOCK * s) = M << (c + eight);
}

/* Step 2 for the block in slot s: each cell's two ends with one 8-byte load. */
static inline __attribute__((always_inline)) void avx512_block_ends(avx512_ring *ring, size_t s)
{
    const int32_t *grid = nope_gauss_grid_q24;
    _Pragma("GCC unroll 16") for (size_t k = 0; k < BLOCK; k++)
    {
        /* Each value read from memory into a general register, so no compiler makes this loop
         * the gathers, or the extracts and inserts (port 5), it is here to avoid: the volatile
         * read keeps the cell from being taken out of the vector that step 1 stored. */
        size_t cell = ((volatile const uint16_t *)(ring->cells + BLOCK * s + k))[1];
        uint64_t pair;
        __builtin_memcpy(&pair, grid + cell - CELL_BASE, 8);
        __asm__("" : "+r"(pair));
        ring->ends[BLOCK * s + (k % 2) * (BLOCK / 2) + k / 2] = pair;
    }
}

/* Step 3 for the block in slot s: its 16 draws on the draw grid, as gauss_draw_bits gives them,
 * with scale16 = scale_q 2^4. */
AVX512_INLINE i32x16 avx512_block_draws(const avx512_ring *ring, size_t s, u64x8 scale16)
{
    const u64x8 half = (u64x8){0} + (UINT64_C(1) << 31);
    /* lane 2i from the first vector's word 2i + 1, lane 2i + 1 from the second's */
    const i32x16 odd_words = {1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31};
    u64x8 t = *(const u64x8_mem *)(ring->ts + BLOCK * s);
    u64x8 ends_even = *(const u64x8_mem *)(ring->ends + BLOCK * s);
    u64x8 ends_odd = *(const u64x8_mem *)(ring->ends + BLOCK * s + BLOCK / 2);
    /* Low words only count from here: hi - lo, hi - drop, then z scale16 + 2^31 whole. */
    u64x8 drop_even = high_words_low(mul_even(ends_even - high_words_low(ends_even), t) + half);
    u64x8 drop_odd = high_words_low(mul_even(ends_odd - high_words_low(ends_odd), high_words_low(t)) + half);
    u64x8 scaled_even = mul_even(ends_even - drop_even, scale16) + half;
    u64x8 scaled_odd = mul_even(ends_odd - drop_odd, scale16) + half;
    i32x16 scaled = __builtin_ia32_vpermt2vard512_mask(odd_words, (i32x16)scaled_even, (i32x16)scaled_odd, 0xFFFF);
    /* Negative where the word's sign bit is set: 0 - scaled in those lanes. */
    uint16_t negative = __builtin_ia32_ptestmd512(*(const i32x16 *)(const u32x16_mem *)(ring->words + BLOCK * s),
                                                  (i32x16){0} + INT32_MIN, 0xFFFF);
    return __builtin_ia32_psubd512_mask((i32x16){0}, scaled, scaled, negative);
}

/* Step 3's draws stored at out + k (elements): as integers or, with to_float, as floats
 * (float)draw * unit; those lanes set in mask. */
AVX512_INLINE void avx512_store_block(void *out, int to_float, float unit, size_t k, uint16_t mask, i32x16 draws)
{
    if (to_float)
        __builtin_ia32_storeups512_mask((float *)out + k, __builtin_convertvector(draws, f32x16) * unit, mask);
    else
        __builtin_ia32_storedqusi512_mask((int *)out + k, draws, mask);
}

/* For r < rows and p < pairs: out[r out_stride + 2p] and [.. + 2p + 1] = the draws of the low
 * and high halves of the hash of counter value x0 + r x_stride + p GOLDEN_GAMMA (as
 * draw_pairs_body, row by row), as integers or, with to_float, as floats (float)draw * unit;
 * scale_q < AVX512_SCALE_LIMIT. Returns whether the far tail was met: then the output is to be
 * drawn again another way. Rows one after another keep the pipeline full: a row of 64 draws is
 * only four blocks. */
AVX512_INLINE uint32_t avx512_draw_rows(void *out, size_t out_stride, int to_float, float unit, uint64_t x0,
                                        uint64_t x_stride, size_t rows, size_t pairs, uint32_t scale_q)
{
    avx512_ring ring __attribute__((aligned(64)));
    size_t at[RING];     /* where each block in flight goes, in elements from out */
    uint16_t mask[RING]; /* and its lanes that are draws of the run */
    const u64x8 scale16 = (u64x8){0} + ((uint64_t)scale_q << 4), step = (u64x8){0} + 8 * GOLDEN_GAMMA;
    const u64x8 lanes = (u64x8){0, 1, 2, 3, 4, 5, 6, 7} * GOLDEN_GAMMA;
    uint64_t row_x = x0;
    u64x8 x = lanes + row_x;
    u32x16 low = (u32x16){0} + UINT32_MAX;
    size_t r = 0, p = 0; /* the next block to hash: row r from pair p */
    const size_t blocks = rows * ((pairs + BLOCK / 2 - 1) / (BLOCK / 2));
    /* A block part past a row hashes counters beyond it: harmless, were the far tail to show
     * there the run would merely be drawn the slow way. */
#define HASH(s)                                                          \
    do {                                                                 \
        avx512_hash_block(&ring, s, x, &low);                            \
        size_t left = 2 * (pairs - p);                                   \
        at[s] = r * out_stride + 2 * p;                                  \
        mask[s] = left >= BLOCK ? 0xFFFF : (uint16_t)((1u << left) - 1); \
        p += BLOCK / 2;                                                  \
        x += step;                                                       \
        if (p >= pairs) {                                                \
            r++, p = 0;                                                  \
            row_x += x_stride;                                           \
            x = lanes + row_x;                                           \
        }                                                                \
    } while (0)
#define FINISH(s) avx512_store_block(out, to_float, unit, at[s], mask[s], avx512_block_draws(&ring, s, scale16))
    /* Block b in slot b % RING: finish b - LAG_FINISH (whose slot b takes next), read block
     * b - LAG_ENDS's ends, hash b.
     * STEP(b) where every part is due; STEP_ANY(b) at either end of the run. */
#define STEP(b)                                                   \
    do {                                                          \
        FINISH(((b) + RING - LAG_FINISH) % RING);                 \
        avx512_block_ends(&ring, ((b) + RING - LAG_ENDS) % RING); \
        HASH((b) % RING);                                         \
    } while (0)
#define STEP_ANY(b)                                          \
    do {                                                     \
        if ((b) >= LAG_FINISH)                               \
            FINISH(((b)-LAG_FINISH) % RING);                 \
        if ((b) >= LAG_ENDS && (b)-LAG_ENDS < blocks)        \
            avx512_block_ends(&ring, ((b)-LAG_ENDS) % RING); \
        if ((b) < blocks)                                    \
            HASH((b) % RING);                                \
    } while (0)
    size_t b = 0;
    for (; b < RING; b++)
        STEP_ANY(b);
    _Static_assert(LAG_ENDS < LAG_FINISH && LAG_FINISH <= RING && RING == 8, "the unrolled steps below");
    for (; b + RING <= blocks; b += RING) {
        STEP(0);
        STEP(1);
        STEP(2);
        STEP(3);
        STEP(4);
        STEP(5);
        STEP(6);
        STEP(7);
    }
    for (; b < blocks + LAG_FINISH; b++)
        STEP_ANY(b);
#undef HASH
#undef FINISH
#undef STEP
#undef STEP_ANY
    return __builtin_ia32_ucmpd512_mask((i32x16)low, (i32x16)((u32x16){0} + (2 * CELLS + 1)), 1 /* less than */,
                                        0xFFFF) != 0;
}

#endif
