/* One build of the attention tile, included by attention_f32_x86.c once per instruction set under
 * `#pragma GCC target`, with TILE_NAME(x) naming this build's functions and its choices set:
 * TRANSPOSE_16, whether whole tiles of queries are transposed in registers (a build with
 * two-register shuffles); MR_S keys of scores at a time; the weighted sum in groups of NV_W
 * vectors of 16 columns for MR_W rows, then single vectors for MR_1 rows, then 4 columns for 8
 * rows. *
 * Every helper is compiled under the pragma, not merely inlined into a function that has it:
 * GCC lowers vector comparisons in a function without the target to scalar code before inlining
 * (lane by lane comparisons, about 300 instructions for one select). */

/* Is any lane of *m set? (By address: a 64-byte vector passed by value draws a note on its ABI.) */
INLINE int TILE_NAME(any_lane)(const v16_int *m)
{
    v8_int a = __builtin_shufflevector(*m, *m, 0, 1, 2, 3, 4, 5, 6, 7) |
               __builtin_shufflevector(*m, *m, 8, 9, 10, 11, 12, 13, 14, 15);
    v4_int b = __builtin_shufflevector(a, a, 0, 1, 2, 3) | __builtin_shufflevector(a, a, 4, 5, 6, 7);
    return (b[0] | b[1] | b[2] | b[3]) != 0;
}

/* Are the dh values of rows 0 .. rows-1 (stride apart) all finite? By exponent bits, sixteen
 * at a time, one reduction at the end. */
INLINE int TILE_NAME(rows_finite)(const float *x, size_t rows, size_t dh, size_t stride)
{
    const v16_int exponent = (v16_int){0} + 0x7F800000;
    v16_int wide = {0};
    uint32_t narrow = 0;
    for (size_t n = 0; n < rows; n++) {
        const float *row = x + n * stride;
        size_t i = 0;
        for (; i + 16 <= dh; i += 16)
            wide |= (*(const v16_int_mem *)(row + i) & exponent) == exponent;
        for (; i < dh; i++)
            narrow |= (((const u32_alias *)row)[i] & 0x7F800000u) == 0x7F800000u;
    }
    return !narrow && !TILE_NAME(any_lane)(&wide);
}

/* qt[i][j] = query j's value i (0 in lanes past the tile's nq queries). A whole tile in blocks
 * of 16 values where the build has two-register shuffles (TRANSPOSE_16): each of four stages
 * swaps one bit of the row index with the same bit of the column index; the copies are exact. */
// clang-format off
/* Rows r and r + h for every r without bit h: value c of each takes bit h from the row index. */
#define SWAP_BIT(x, h, LO, HI)                                                                 \
    UNROLL for (int r = 0; r < 16; r++) {                                                      \
        if (!(r & (h))) {                                                                      \
            v16 a_ = x[r], b_ = x[r + (h)];                                                    \
            x[r] = __builtin_shufflevector(a_, b_, LO);                                        \
            x[r + (h)] = __builtin_shufflevector(a_, b_, HI);                                  \
        }                                                                                      \
    }
#define LO8 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23
#define HI8 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31
#define LO4 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27
#define HI4 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31
#define LO2 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29
#define HI2 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31
#define LO1 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30
#define HI1 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31
// clang-format on
INLINE void TILE_NAME(pack_queries)(float *qt, const float *q, size_t nq, size_t dh, size_t stride)
{
    size_t i0 = 0;
    if (TRANSPOSE_16 && nq == QT)
        for (; i0 + 16 <= dh; i0 += 16) {
            v16 x[16];
            UNROLL for (int j = 0; j < 16; j++)
            {
                x[j] = *(const v16_mem *)(q + j * stride + i0);
            }
            SWAP_BIT(x, 8, LO8, HI8);
            SWAP_BIT(x, 4, LO4, HI4);
            SWAP_BIT(x, 2, LO2, HI2);
            SWAP_BIT(x, 1, LO1, HI1);
            UNROLL for (int i = 0; i < 16; i++)
            {
                *(v16_line *)(qt + (i0 + i) * QT) = x[i];
            }
        }
    for (size_t j = 0; j < QT; j++)
        for (size_t i = i0; i < dh; i++)
            qt[i * QT + j] = j < nq ? q[j * stride + i] : 0.0f;
}
#undef SWAP_BIT
#undef LO8
#undef HI8
#undef LO4
#undef HI4
#undef LO2
#undef HI2
#undef LO1
#undef HI1

/* ---- scores: st[n][j] = (q_j . key n) * scale for keys n0 .. n0 + mr - 1, mr chains ---- */
INLINE void TILE_NAME(scores_keys)(float *st, const float *qt, const float *keys, size_t n0, size_t dh, size_t stride,
                                   float scale, const int mr)
{
    v16 acc[8];
    const float *k = keys + n0 * stride;
    UNROLL for (int r = 0; r < mr; r++)
    {
        acc[r] = (v16){0.0f};
    }
    for (size_t i = 0; i < dh; i++) {
        const v16 qv = *(const v16_line *)(qt + i * QT);
        UNROLL for (int r = 0; r < mr; r++)
        {
            acc[r] = acc[r] + k[r * stride + i] * qv;
        }
    }
    UNROLL for (int r = 0; r < mr; r++)
    {
        *(v16_line *)(st + (n0 + r) * QT) = acc[r] * scale;
    }
}

/* ---- softmax down each lane: query j sees keys n <= m0 + j ----
 * Scores become probabilities in place; keys a query does not see get 0. Returns 0 (st then
 * undefined) when a score is not finite. */
INLINE int TILE_NAME(softmax_lanes)(float *st, size_t m0, size_t n_keys)
{
    const v16_int lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    /* Lanes >= n - m0 see key n: every lane while n <= m0. */
#define SEES(n) (lane >= (int32_t)(n) - (int32_t)m0)
    v16 top = *(const v16_line *)st;
    v16_int finite = (top - top) == 0.0f;
    for (size_t n = 1; n < n_keys; n++) {
        const v16 s = *(const v16_line *)(st + n * QT);
        finite &= (s - s) == 0.0f;
        v16_int take = (s > top) & SEES(n);
        top = (v16)(((v16_int)s & take) | ((v16_int)top & ~take));
    }
    finite = ~finite;
    if (TILE_NAME(any_lane)(&finite))
        return 0;
    /* Exponentials: lanes out of the vector's range (rare: a score 87 below its query's top)
     * keep x = s - top, which is then negative where every exponential is not, and are done by
     * the function itself afterwards, the sum then taken again in order. */
    v16 total = {0.0f};
    v16_int odd_seen = {0};
    for (size_t n = 0; n < n_keys; n++) {
        const v16 x = *(const v16_line *)(st + n * QT) - top;
        v16_int sees = SEES(n), normal = (x >= -87.0f) & (x <= 88.0f), odd = sees & ~normal;
        v16 e;
        EXP_NORMAL(ZERO_UNLESS(x, normal), e);
        e = ZERO_UNLESS(e, sees & normal);
        *(v16_line *)(st + n * QT) = (v16)(((v16_int)x & odd) | (v16_int)e);
        total = total + e;
        odd_seen |= odd;
    }
    if (TILE_NAME(any_lane)(&odd_seen)) {
        total = (v16){0.0f};
        for (size_t n = 0; n < n_keys; n++) {
            float *row = st + n * QT;
            for (int j = 0; j < QT; j++)
                if (row[j] < 0.0f)
                    row[j] = nope_f32_exp(row[j]);
            total = total + *(const v16_line *)row;
        }
    }
#undef SEES
    for (size_t n = 0; n < n_keys; n++)
        *(v16_line *)(st + n * QT) = *(const v16_line *)(st + n * QT) / total;
    return 1;
}

DEFINE_WEIGHTED(TILE_NAME(weighted16_rows), TILE_NAME(weighted16), v16, v16_mem, 16)
DEFINE_WEIGHTED(TILE_NAME(weighted4_rows), TILE_NAME(weighted4), v4, v4_mem, 4)

/* Columns c .. dh-1 left over by the vectors (dh not a multiple of 4): one chain each. */
INLINE void TILE_NAME(weighted_columns)(float *o, size_t stride, const float *pt, const float *values, size_t m0,
                                        size_t nq, size_t c, size_t dh)
{
    for (size_t j = 0; j < nq; j++)
        for (size_t i = c; i < dh; i++) {
            float sum = 0.0f;
            for (size_t n = 0; n <= m0 + j; n++)
                sum += pt[n * QT + j] * values[n * stride + i];
            o[j * stride + i] = sum;
        }
}

/* The tile (attention_f32_x86.h); 0 if a score or an output is not finite, q then unchanged (an
 * output written over it is given back from the packed copy, bit for bit). */
static int TILE_NAME(tile)(float *o, const float *q, const float *keys, const float *values, size_t m0, size_t nq,
                           size_t dh, size_t stride, float scale, float *scratch)
{
    const size_t n_keys = m0 + nq;
    float *qt = scratch, *st = scratch + dh * QT;
    TILE_NAME(pack_queries)(qt, q, nq, dh, stride);
    size_t n = 0;
    for (; n + MR_S <= n_keys; n += MR_S)
        TILE_NAME(scores_keys)(st, qt, keys, n, dh, stride, scale, MR_S);
    for (; n < n_keys; n++)
        TILE_NAME(scores_keys)(st, qt, keys, n, dh, stride, scale, 1);
    if (!TILE_NAME(softmax_lanes)(st, m0, n_keys))
        return 0;
    size_t c = 0;
    for (; c + 16 * NV_W <= dh; c += 16 * NV_W)
        TILE_NAME(weighted16)(o + c, stride, st, values + c, m0, nq, MR_W, NV_W);
    for (; c + 16 <= dh; c += 16)
        TILE_NAME(weighted16)(o + c, stride, st, values + c, m0, nq, MR_1, 1);
    for (; c + 4 <= dh; c += 4)
        TILE_NAME(weighted4)(o + c, stride, st, values + c, m0, nq, 8, 1);
    if (c < dh)
        TILE_NAME(weighted_columns)(o, stride, st, values, m0, nq, c, dh);
    /* With finite probabilities, an output is finite only if every value it took is finite (a
     * non-finite term keeps a sum non-finite), and then it is the reference's chain exactly.
     * Query j takes values 0 .. m0 + j, so finite outputs mean every value read was finite. */
    if (TILE_NAME(rows_finite)(o, nq, dh, stride))
        return 1;
    if (o == q)
        for (size_t j = 0; j < nq; j++)
            for (size_t i = 0; i < dh; i++)
                o[j * stride + i] = qt[i * QT + j];
    return 0;
}

/* This build's choices, for the next build to set again. */
#undef TILE_ISA
#undef TRANSPOSE_16
#undef MR_S
#undef NV_W
#undef MR_W
#undef MR_1
