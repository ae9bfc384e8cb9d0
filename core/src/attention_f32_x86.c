/* Causal attention on the x86-64 host, a tile of sixteen queries of one head at a time (contract
 * in attention_f32_x86.h). One query at a time, the scores, the softmax and the weighted sum are
 * each a thin loop over keys; sixteen queries side by side turn them into blocked products whose
 * lanes are queries (scores, softmax) or columns (the weighted sum), each lane its own chain.
 *
 * Why the bits are nope_kern_attend's, query by query:
 *   scores  lane j of key n is 0 + k_0 q_0 + k_1 q_1 + ... ascending i, times the scale: the
 *           reference's chain (k q = q k exactly: IEEE products commute);
 *   softmax lane j scans keys n <= m0 + j in ascending order with `>` (the same first maximum),
 *           takes each exponential with nope_f32_exp's operations (EXP_NORMAL, or the function
 *           itself out of its range), sums them from 0 in ascending order (keys past the query
 *           add nothing: an exact +0 to a sum that is never -0) and divides each by the sum;
 *   output  column i of query j is 0 + p_0 v_0 + ... + p_m v_m ascending n, and stops at its own
 *           last key m = m0 + j (a register block of rows runs the keys every row sees, then a
 *           triangle of the rows that see one more key each).
 * Infinities and NaN would still give the same values, but a NaN's payload can depend on which
 * operand of an addition the compiler puts first; a tile whose scores or outputs are not all
 * finite (a non-finite value read makes its output so) is handed to nope_kern_attend itself,
 * query by query, so even those bits cannot move. */
#include "attention_f32_x86.h"

#if NOPE_F32_X86

#include <stdint.h>

#include "nope/math_float.h"

#include "x86_vec.h"

enum { QT = NOPE_X86_ATTEND_TILE };
_Static_assert(NOPE_X86_ATTEND_TILE == 16, "a tile's queries are the sixteen lanes of a v16");

/* A scratch row of sixteen floats, on its 64-byte line. */
typedef float v16_line __attribute__((vector_size(64), may_alias));
typedef uint32_t u32_alias __attribute__((may_alias));
typedef int32_t v16_int_mem __attribute__((vector_size(64), aligned(4), may_alias));
typedef int32_t v8_int __attribute__((vector_size(32)));
typedef int32_t v4_int __attribute__((vector_size(16)));

/* ---- the weighted sum: o_j = sum over n <= m0 + j of p[n][j] value_n ----
 * ROWS: rows j0 .. j0 + mr - 1 of the tile, nv vectors of VW columns each: keys 0 .. n_all - 1
 * (n_all = m0 + j0 + 1) are every row's, then key n_all - 1 + t only rows t and up see. o and
 * values point at the first column. ALL: every row of the tile, blocks of mr, then one by one. */
#define DEFINE_WEIGHTED(ROWS, ALL, V, V_MEM, VW)                                                                       \
    INLINE void ROWS(float *o, size_t stride, const float *pt, const float *values, size_t n_all, size_t j0,           \
                     const int mr, const int nv)                                                                       \
    {                                                                                                                  \
        V acc[16][4];                                                                                                  \
        UNROLL for (int r = 0; r < mr; r++) UNROLL for (int v = 0; v < nv; v++) acc[r][v] = (V){0.0f};                 \
        for (size_t n = 0; n < n_all; n++) {                                                                           \
            const float *row = values + n * stride, *p = pt + n * QT + j0;                                             \
            V vv[4];                                                                                                   \
            UNROLL for (int v = 0; v < nv; v++) vv[v] = *(const V_MEM *)(row + v * VW);                                \
            UNROLL for (int r = 0; r < mr; r++)                                                                        \
            {                                                                                                          \
                const float a = p[r];                                                                                  \
                UNROLL for (int v = 0; v < nv; v++) acc[r][v] = acc[r][v] + a * vv[v];                                 \
            }                                                                                                          \
        }                                                                                                              \
        UNROLL for (int t = 1; t < mr; t++)                                                                            \
        {                                                                                                              \
            const size_t n = n_all - 1 + t;                                                                            \
            const float *row = values + n * stride, *p = pt + n * QT + j0;                                             \
            V vv[4];                                                                                                   \
            UNROLL for (int v = 0; v < nv; v++) vv[v] = *(const V_MEM *)(row + v * VW);                                \
            UNROLL for (int r = t; r < mr; r++)                                                                        \
            {                                                                                                          \
                const float a = p[r];                                                                                  \
                UNROLL for (int v = 0; v < nv; v++) acc[r][v] = acc[r][v] + a * vv[v];                                 \
            }                                                                                                          \
        }                                                                                                              \
        UNROLL for (int r = 0; r < mr; r++) UNROLL for (int v = 0; v < nv; v++)                                        \
        {                                                                                                              \
            *(V_MEM *)(o + (j0 + r) * stride + v * VW) = acc[r][v];                                                    \
        }                                                                                                              \
    }                                                                                                                  \
    INLINE void ALL(float *o, size_t stride, const float *pt, const float *values, size_t m0, size_t nq, const int mr, \
                    const int nv)                                                                                      \
    {                                                                                                                  \
        size_t j0 = 0;                                                                                                 \
        for (; j0 + mr <= nq; j0 += mr)                                                                                \
            ROWS(o, stride, pt, values, m0 + j0 + 1, j0, mr, nv);                                                      \
        for (; j0 < nq; j0++)                                                                                          \
            ROWS(o, stride, pt, values, m0 + j0 + 1, j0, 1, nv);                                                       \
    }

/* The three builds: AVX-512 has 32 registers, the others 16 (a v16 is 2 or 4 of them); each
 * block keeps 8 to 16 chains going. */
#define TILE_CAT2(x, isa) x##_##isa
#define TILE_CAT(x, isa) TILE_CAT2(x, isa)
#define TILE_NAME(x) TILE_CAT(x, TILE_ISA)

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl")
#define TILE_ISA avx512
#define TRANSPOSE_16 1
#define MR_S 8
#define NV_W 2
#define MR_W 8
#define MR_1 8
#include "attention_tile_x86.h"
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2")
#define TILE_ISA avx2
#define TRANSPOSE_16 0
#define MR_S 4
#define NV_W 2
#define MR_W 2
#define MR_1 4
#include "attention_tile_x86.h"
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("sse2")
#define TILE_ISA sse2
#define TRANSPOSE_16 0
#define MR_S 2
#define NV_W 1
#define MR_W 2
#define MR_1 2
#include "attention_tile_x86.h"
#pragma GCC pop_options

void nope_x86_attend_tile(float *o, const float *q, const float *keys, const float *values, size_t m0, size_t nq,
                          size_t dh, size_t stride, float *scratch, const nope_kern_params *kp)
{
    int done = 0;
    switch (cpu_isa()) {
    case ISA_AVX512: done = tile_avx512(o, q, keys, values, m0, nq, dh, stride, kp->attn_scale, scratch); break;
    case ISA_AVX2: done = tile_avx2(o, q, keys, values, m0, nq, dh, stride, kp->attn_scale, scratch); break;
    case ISA_SSE2: done = tile_sse2(o, q, keys, values, m0, nq, dh, stride, kp->attn_scale, scratch); break;
    }
    if (done)
        return;
    /* Not all finite: the reference itself, query by query (each reads its q before writing o;
     * the tile left q as it found it). */
    for (size_t j = 0; j < nq; j++)
        nope_kern_attend(o + j * stride, q + j * stride, keys, values, m0 + j + 1, dh, stride, scratch, kp);
}

#endif
