/* The x86-64 host's fast float32 kernels (see kernels_f32_x86.h for the contract). Written with
 * GCC vector extensions, not intrinsics headers: core is freestanding. Each kernel body is
 * compiled three times, for SSE2 (every x86-64), AVX2 and AVX-512F, and the CPU picks one.
 *
 * Bits: an output's value is the chain 0 + a_0 w_0 + a_1 w_1 + ... in ascending index, each
 * product rounded, then each sum (the build forbids contraction into FMA). A vector lane is one
 * output; lanes never mix, so the chain is the one the portable loop computes. */
#include "kernels_f32_x86.h"

#if NOPE_F32_X86

#include <stdint.h>

#include "nope/kernels.h"
#include "nope/math_float.h"

#include "x86_vec.h"

/* Steps of i per pass over a panel: the panel's k rows (KC x 64 floats, 64 KB) stay in L2 while
 * every block of rows of `in` goes by; outputs are loaded and stored once per pass. */
enum { KC = 256 };

/* ---- matmul: MR rows x NV vectors of outputs held in registers for k steps of i ----
 * Per step: NV loads of the panel's row, MR broadcasts of in[r][i], MR x NV products and sums.
 * Without FMA each output costs two operations per step, so MR x NV = 24 (AVX-512, 32
 * registers) or 8-12 (AVX2/SSE2, 16 registers) independent chains keep both FP ports busy. */
// clang-format off
#define DEFINE_MICRO(NAME, V, V_MEM, VW, MR_MAX, NV_MAX)                                                       \
    INLINE void NAME(float *out, size_t ldo, const float *in, size_t ldi, const float *w, size_t ldw, size_t k, \
                     const int mr, const int nv)                                                                \
    {                                                                                                           \
        V acc[MR_MAX][NV_MAX];                                                                                  \
        UNROLL for (int r = 0; r < mr; r++)                                                                     \
            UNROLL for (int v = 0; v < nv; v++)                                                                 \
                acc[r][v] = *(const V_MEM *)(out + r * ldo + v * VW);                                           \
        for (size_t i = 0; i < k; i++) {                                                                        \
            V wv[NV_MAX];                                                                                       \
            UNROLL for (int v = 0; v < nv; v++)                                                                 \
                wv[v] = *(const V_MEM *)(w + i * ldw + v * VW);                                                 \
            UNROLL for (int r = 0; r < mr; r++) {                                                               \
                const float a = in[r * ldi + i];                                                                \
                UNROLL for (int v = 0; v < nv; v++)                                                             \
                    acc[r][v] = acc[r][v] + a * wv[v];                                                          \
            }                                                                                                   \
        }                                                                                                       \
        UNROLL for (int r = 0; r < mr; r++)                                                                     \
            UNROLL for (int v = 0; v < nv; v++)                                                                 \
                *(V_MEM *)(out + r * ldo + v * VW) = acc[r][v];                                                 \
    }
// clang-format on

/* One group of nv vectors of columns (starting at out/w) over all rows: MR rows at a time, then
 * the last rows as one smaller block (sizes written `n % MR` so a build whose MR is 4 never makes a
 * block wider than its registers: those cases cannot occur there); k in passes of KC. */
#define DEFINE_GROUP(NAME, MICRO, MR)                                                                              \
    INLINE void NAME(float *out, size_t ldo, const float *in, size_t ldi, size_t rows, const float *w, size_t ldw, \
                     size_t k, const int nv)                                                                       \
    {                                                                                                              \
        for (size_t t0 = 0; t0 < k; t0 += KC) {                                                                    \
            size_t kc = k - t0 < KC ? k - t0 : KC;                                                                 \
            size_t r0 = 0;                                                                                         \
            for (; r0 + MR <= rows; r0 += MR)                                                                      \
                MICRO(out + r0 * ldo, ldo, in + r0 * ldi + t0, ldi, w + t0 * ldw, ldw, kc, MR, nv);                \
            switch (rows - r0) { /* the last rows as one smaller block: constant sizes stay in registers */        \
            case 5: MICRO(out + r0 * ldo, ldo, in + r0 * ldi + t0, ldi, w + t0 * ldw, ldw, kc, 5 % MR, nv); break; \
            case 4: MICRO(out + r0 * ldo, ldo, in + r0 * ldi + t0, ldi, w + t0 * ldw, ldw, kc, 4 % MR, nv); break; \
            case 3: MICRO(out + r0 * ldo, ldo, in + r0 * ldi + t0, ldi, w + t0 * ldw, ldw, kc, 3 % MR, nv); break; \
            case 2: MICRO(out + r0 * ldo, ldo, in + r0 * ldi + t0, ldi, w + t0 * ldw, ldw, kc, 2 % MR, nv); break; \
            case 1: MICRO(out + r0 * ldo, ldo, in + r0 * ldi + t0, ldi, w + t0 * ldw, ldw, kc, 1, nv); break;      \
            default: break;                                                                                        \
            }                                                                                                      \
        }                                                                                                          \
    }

/* Columns the vectors leave over (np not a multiple of VW): the portable loop's order. */
INLINE void matmul_columns(float *out, size_t ldo, const float *in, size_t ldi, size_t rows, const float *w, size_t ldw,
                           size_t k, size_t n_cols)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t i = 0; i < k; i++) {
            const float a = in[r * ldi + i];
            for (size_t j = 0; j < n_cols; j++)
                out[r * ldo + j] += a * w[i * ldw + j];
        }
}

/* A whole panel: groups of NV vectors, then single vectors, then single columns. */
#define DEFINE_PANEL(NAME, TARGET, V, V_MEM, VW, MR, NV)                                                               \
    DEFINE_MICRO(NAME##_micro, V, V_MEM, VW, MR, NV)                                                                   \
    DEFINE_GROUP(NAME##_group, NAME##_micro, MR)                                                                       \
    __attribute__((target(TARGET))) static void NAME(float *out, size_t ldo, const float *in, size_t ldi, size_t rows, \
                                                     const float *panel, size_t np, size_t k)                          \
    {                                                                                                                  \
        size_t j = 0;                                                                                                  \
        for (; j + NV * VW <= np; j += NV * VW)                                                                        \
            NAME##_group(out + j, ldo, in, ldi, rows, panel + j, np, k, NV);                                           \
        for (; j + VW <= np; j += VW)                                                                                  \
            NAME##_group(out + j, ldo, in, ldi, rows, panel + j, np, k, 1);                                            \
        if (j < np)                                                                                                    \
            matmul_columns(out + j, ldo, in, ldi, rows, panel + j, np, k, np - j);                                     \
    }

DEFINE_PANEL(panel_avx512, "avx512f,avx512vl", v16, v16_mem, 16, 6, 4)
DEFINE_PANEL(panel_avx2, "avx2", v8, v8_mem, 8, 4, 3)
DEFINE_PANEL(panel_sse2, "sse2", v4, v4_mem, 4, 4, 2)

/* ---- attention: the scores of sixteen keys at once ----
 * A lane is a key. Four values of eight keys are loaded as rows (key j beside key j + 4 in one
 * register, halves of 128 bits) and turned into columns by a 4 x 4 transpose inside each half,
 * so each step adds q[i] times key_n[i] in every lane. Two such groups of eight run side by
 * side: each lane's sum is one chain of dependent additions, and two chains hide its latency. */
typedef int32_t v8_mask __attribute__((vector_size(32)));
#define SHUF8(a, b, ...) __builtin_shuffle(a, b, (v8_mask){__VA_ARGS__})
#define LOAD4(p) (*(const v4_mem *)(p))
#define LOAD8(p) (*(const v8_mem *)(p))

/* (values i .. i + 3 of row lo, the same of row hi) as one register, two ways:
 *   PAIR: the two halves loaded and joined, a shuffle (the port the transpose needs);
 *   PAIR_BLEND: lo read from i on and hi from i - 4 on, eight values each, then blended (no
 *     shuffle). It reads four values either side of the pair, which must lie in the same
 *     array: the caller's rows lo are never the last key and rows hi never the first. */
#define PAIR(lo, hi, i) __builtin_shufflevector(LOAD4((lo) + (i)), LOAD4((hi) + (i)), 0, 1, 2, 3, 4, 5, 6, 7)
/* (lo's low half, hi's high half): vblendps, named, as the compiler would otherwise turn the
 * loads and this blend back into one shuffle. */
#define PAIR_BLEND(lo, hi, i) __builtin_ia32_blendps256(LOAD8((lo) + (i)), LOAD8((hi) + (i)-4), 0xF0)

/* acc += q[i + c] * (r0[i + c], ..., r7[i + c]) for c = 0 .. 3, in order; r0..r7 the keys'
 * rows, joined in pairs (r0, r4), (r1, r5), ... by JOIN. */
#define FOUR_STEPS(JOIN, acc, q, i, r0, r1, r2, r3, r4, r5, r6, r7)                                      \
    do {                                                                                                 \
        v8 a0 = JOIN(r0, r4, i), a1 = JOIN(r1, r5, i), a2 = JOIN(r2, r6, i), a3 = JOIN(r3, r7, i);       \
        v8 t0 = SHUF8(a0, a1, 0, 8, 1, 9, 4, 12, 5, 13), t1 = SHUF8(a0, a1, 2, 10, 3, 11, 6, 14, 7, 15); \
        v8 t2 = SHUF8(a2, a3, 0, 8, 1, 9, 4, 12, 5, 13), t3 = SHUF8(a2, a3, 2, 10, 3, 11, 6, 14, 7, 15); \
        acc = acc + (q)[(i) + 0] * SHUF8(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);                              \
        acc = acc + (q)[(i) + 1] * SHUF8(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);                            \
        acc = acc + (q)[(i) + 2] * SHUF8(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);                              \
        acc = acc + (q)[(i) + 3] * SHUF8(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);                            \
    } while (0)

/* acc += q[i] * (r0[i], ..., r7[i]): the last steps when dh is not a multiple of 4. */
#define ONE_STEP(acc, q, i, r0, r1, r2, r3, r4, r5, r6, r7)                              \
    do {                                                                                 \
        v8 c = {(r0)[i], (r1)[i], (r2)[i], (r3)[i], (r4)[i], (r5)[i], (r6)[i], (r7)[i]}; \
        acc = acc + (q)[i] * c;                                                          \
    } while (0)

/* Keys lie a whole row of the sequence apart, too far for the hardware to guess: ask for the
 * keys from `from` (up to 16 of them) now, so they come from L3 while these are used. One
 * request per 128 bytes: the L2 fetches lines in pairs. */
INLINE void prefetch_keys(const float *keys, size_t from, size_t n_keys, size_t dh, size_t stride)
{
    for (size_t j = from; j < from + 16 && j < n_keys; j++)
        for (size_t pair = 0; pair < dh; pair += 32)
            __builtin_prefetch(keys + j * stride + pair);
}

/* The scores, with JOIN making the register pairs of whole blocks (PAIR_BLEND needs AVX: the
 * attributes that follow). */
#define DEFINE_SCORES_BODY(NAME, JOIN, ...)                                                                         \
    __VA_ARGS__ INLINE void NAME(float *scores, const float *q, const float *keys, size_t n_keys, size_t dh,        \
                                 size_t stride, float scale)                                                        \
    {                                                                                                               \
        size_t n0 = 0;                                                                                              \
        /* Whole blocks of 16: rows addressed from four bases and the stride (few registers). Rows                \
     * 0-3 and 8-11 of a block are never the last key, rows 4-7 and 12-15 never the first, as                 \
     * PAIR_BLEND needs. */ \
        const size_t s = stride, s3 = 3 * stride;                                                                   \
        for (; n0 + 16 <= n_keys; n0 += 16) {                                                                       \
            const float *g0 = keys + n0 * stride, *g4 = g0 + 4 * s, *g8 = g0 + 8 * s, *g12 = g0 + 12 * s;           \
            prefetch_keys(keys, n0 + 16, n_keys, dh, stride);                                                       \
            v8 acc0 = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f}, acc1 = acc0;                                \
            size_t i = 0;                                                                                           \
            for (; i + 4 <= dh; i += 4) {                                                                           \
                FOUR_STEPS(JOIN, acc0, q, i, g0, g0 + s, g0 + 2 * s, g0 + s3, g4, g4 + s, g4 + 2 * s, g4 + s3);     \
                FOUR_STEPS(JOIN, acc1, q, i, g8, g8 + s, g8 + 2 * s, g8 + s3, g12, g12 + s, g12 + 2 * s, g12 + s3); \
            }                                                                                                       \
            for (; i < dh; i++) {                                                                                   \
                ONE_STEP(acc0, q, i, g0, g0 + s, g0 + 2 * s, g0 + s3, g4, g4 + s, g4 + 2 * s, g4 + s3);             \
                ONE_STEP(acc1, q, i, g8, g8 + s, g8 + 2 * s, g8 + s3, g12, g12 + s, g12 + 2 * s, g12 + s3);         \
            }                                                                                                       \
            *(v8_mem *)(scores + n0) = acc0 * scale;                                                                \
            *(v8_mem *)(scores + n0 + 8) = acc1 * scale;                                                            \
        }                                                                                                           \
        /* The last keys, eight lanes at a time; lanes past the last key repeat it (a valid                       \
     * address) and their results are dropped. */ \
        for (; n0 < n_keys; n0 += 8) {                                                                              \
            const float *k[8];                                                                                      \
            for (size_t j = 0; j < 8; j++)                                                                          \
                k[j] = keys + (n0 + j < n_keys ? n0 + j : n_keys - 1) * stride;                                     \
            v8 acc = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};                                              \
            size_t i = 0;                                                                                           \
            for (; i + 4 <= dh; i += 4)                                                                             \
                FOUR_STEPS(PAIR, acc, q, i, k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]);                        \
            for (; i < dh; i++)                                                                                     \
                ONE_STEP(acc, q, i, k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]);                                \
            acc = acc * scale;                                                                                      \
            for (size_t j = 0; j < 8 && n0 + j < n_keys; j++)                                                       \
                scores[n0 + j] = acc[j];                                                                            \
        }                                                                                                           \
    }

DEFINE_SCORES_BODY(scores_body_blend, PAIR_BLEND, __attribute__((target("avx"))))
DEFINE_SCORES_BODY(scores_body_shuffle, PAIR)

/* Values, like keys, a row of the sequence apart: fetched this many keys ahead. */
enum { PREFETCH_KEYS = 12 };

/* ---- attention: the weighted sum of values, NV vectors of outputs in registers over all keys ---- */
INLINE void weighted_chunk(float *o, const float *p, const float *values, size_t n_keys, size_t stride, const int nv)
{
    v8 acc[8];
    UNROLL for (int v = 0; v < nv; v++)
    {
        acc[v] = (v8){0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    }
    for (size_t n = 0; n < n_keys; n++) {
        const float a = p[n];
        const float *row = values + n * stride;
        if (n + PREFETCH_KEYS < n_keys) {
            UNROLL for (int v = 0; v < nv; v += 2)
            {
                __builtin_prefetch(row + PREFETCH_KEYS * stride + 8 * v);
            }
        }
        UNROLL for (int v = 0; v < nv; v++)
        {
            acc[v] = acc[v] + a * *(const v8_mem *)(row + 8 * v);
        }
    }
    UNROLL for (int v = 0; v < nv; v++)
    {
        *(v8_mem *)(o + 8 * v) = acc[v];
    }
}

INLINE void weighted_body(float *o, const float *p, const float *values, size_t n_keys, size_t dh, size_t stride)
{
    size_t i = 0;
    for (; i + 64 <= dh; i += 64)
        weighted_chunk(o + i, p, values + i, n_keys, stride, 8);
    switch ((dh - i) / 8) {
    case 7: weighted_chunk(o + i, p, values + i, n_keys, stride, 7); break;
    case 6: weighted_chunk(o + i, p, values + i, n_keys, stride, 6); break;
    case 5: weighted_chunk(o + i, p, values + i, n_keys, stride, 5); break;
    case 4: weighted_chunk(o + i, p, values + i, n_keys, stride, 4); break;
    case 3: weighted_chunk(o + i, p, values + i, n_keys, stride, 3); break;
    case 2: weighted_chunk(o + i, p, values + i, n_keys, stride, 2); break;
    case 1: weighted_chunk(o + i, p, values + i, n_keys, stride, 1); break;
    default: break;
    }
    i += (dh - i) / 8 * 8;
    for (; i < dh; i++) {
        float sum = 0.0f;
        for (size_t n = 0; n < n_keys; n++)
            sum += p[n] * values[n * stride + i];
        o[i] = sum;
    }
}

/* ---- exponentials sixteen at a time (EXP_NORMAL, x86_vec.h) ---- */
INLINE void exp_minus_body(float *p, size_t n, float top)
{
    size_t k = 0;
    for (; k + 16 <= n; k += 16) {
        v16 x = *(const v16_mem *)(p + k) - top;
        v16_int normal = (x >= -87.0f) & (x <= 88.0f);
        v16 e;
        EXP_NORMAL(ZERO_UNLESS(x, normal), e);
        *(v16_mem *)(p + k) = e;
        for (int j = 0; j < 16; j++)
            if (!normal[j])
                p[k + j] = nope_f32_exp(x[j]);
    }
    for (; k < n; k++)
        p[k] = nope_f32_exp(p[k] - top);
}

/* nope_kern_gelu_f32 with nope_f32_tanh inlined, as written there: tanh u = 1 - 2 / (e^{2|u|} + 1)
 * with u's sign, or 1 beyond |u| = 9.1, so e^{2|u|} needs arguments in [0, 18.2] only. A NaN
 * lane goes to the scalar function. */
INLINE void gelu_body(float *x, size_t n)
{
    const float SQRT_2_OVER_PI = 0.797884561f;
    size_t k = 0;
    for (; k + 16 <= n; k += 16) {
        v16 v = *(const v16_mem *)(x + k);
        v16 inner = SQRT_2_OVER_PI * (v + 0.044715f * v * v * v);
        v16_int negative = inner < 0.0f;
        v16 a = (v16)(((v16_int)-inner & negative) | ((v16_int)inner & ~negative));
        v16_int saturated = a > 9.1f, number = inner == inner;
        v16 e;
        EXP_NORMAL(2.0f * ZERO_UNLESS(a, ~saturated & number), e);
        v16 t = 1.0f - 2.0f / (e + 1.0f);
        const v16 one = (v16){0.0f} + 1.0f;
        t = (v16)(((v16_int)t & ~saturated) | ((v16_int)one & saturated));
        t = (v16)(((v16_int)-t & negative) | ((v16_int)t & ~negative));
        v16 y = 0.5f * v * (1.0f + t);
        *(v16_mem *)(x + k) = y;
        for (int j = 0; j < 16; j++)
            if (!number[j])
                x[k + j] = nope_kern_gelu_f32(v[j]);
    }
    for (; k < n; k++)
        x[k] = nope_kern_gelu_f32(x[k]);
}

#define DEFINE_ATTENTION(SUFFIX, TARGET, SCORES_BODY)                                                                 \
    __attribute__((target(TARGET))) static void scores_##SUFFIX(float *scores, const float *q, const float *keys,     \
                                                                size_t n_keys, size_t dh, size_t stride, float scale) \
    {                                                                                                                 \
        SCORES_BODY(scores, q, keys, n_keys, dh, stride, scale);                                                      \
    }                                                                                                                 \
    __attribute__((target(TARGET))) static void exp_minus_##SUFFIX(float *p, size_t n, float top)                     \
    {                                                                                                                 \
        exp_minus_body(p, n, top);                                                                                    \
    }                                                                                                                 \
    __attribute__((target(TARGET))) static void gelu_##SUFFIX(float *x, size_t n)                                     \
    {                                                                                                                 \
        gelu_body(x, n);                                                                                              \
    }                                                                                                                 \
    __attribute__((target(TARGET))) static void weighted_##SUFFIX(float *o, const float *p, const float *values,      \
                                                                  size_t n_keys, size_t dh, size_t stride)            \
    {                                                                                                                 \
        weighted_body(o, p, values, n_keys, dh, stride);                                                              \
    }

DEFINE_ATTENTION(avx512, "avx512f,avx512vl", scores_body_blend)
DEFINE_ATTENTION(avx2, "avx2", scores_body_blend)
DEFINE_ATTENTION(sse2, "sse2", scores_body_shuffle)

/* ---- the CPU's choice (cpu_isa, x86_vec.h) ---- */
void nope_x86_matmul_panel(float *out, size_t ldo, const float *in, size_t ldi, size_t rows, const float *panel,
                           size_t np, size_t k)
{
    switch (cpu_isa()) {
    case ISA_AVX512: panel_avx512(out, ldo, in, ldi, rows, panel, np, k); break;
    case ISA_AVX2: panel_avx2(out, ldo, in, ldi, rows, panel, np, k); break;
    case ISA_SSE2: panel_sse2(out, ldo, in, ldi, rows, panel, np, k); break;
    }
}

void nope_x86_scores(float *scores, const float *q, const float *keys, size_t n_keys, size_t dh, size_t stride,
                     float scale)
{
    switch (cpu_isa()) {
    case ISA_AVX512: scores_avx512(scores, q, keys, n_keys, dh, stride, scale); break;
    case ISA_AVX2: scores_avx2(scores, q, keys, n_keys, dh, stride, scale); break;
    case ISA_SSE2: scores_sse2(scores, q, keys, n_keys, dh, stride, scale); break;
    }
}

void nope_x86_exp_minus(float *p, size_t n, float top)
{
    switch (cpu_isa()) {
    case ISA_AVX512: exp_minus_avx512(p, n, top); break;
    case ISA_AVX2: exp_minus_avx2(p, n, top); break;
    case ISA_SSE2: exp_minus_sse2(p, n, top); break;
    }
}

void nope_x86_gelu(float *x, size_t n)
{
    switch (cpu_isa()) {
    case ISA_AVX512: gelu_avx512(x, n); break;
    case ISA_AVX2: gelu_avx2(x, n); break;
    case ISA_SSE2: gelu_sse2(x, n); break;
    }
}

void nope_x86_weighted_sum(float *o, const float *p, const float *values, size_t n_keys, size_t dh, size_t stride)
{
    switch (cpu_isa()) {
    case ISA_AVX512: weighted_avx512(o, p, values, n_keys, dh, stride); break;
    case ISA_AVX2: weighted_avx2(o, p, values, n_keys, dh, stride); break;
    case ISA_SSE2: weighted_sse2(o, p, values, n_keys, dh, stride); break;
    }
}

#endif
