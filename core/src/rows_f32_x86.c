/* LayerNorm of many rows on an x86-64 host (see rows_f32_x86.h for the contract): each vector
 * lane is one row. A row's Kahan sums are chains of dependent additions, four operations a
 * value; run one row at a time (or eight interleaved in scalar code) they wait on each add's
 * latency. Here NOPE_X86_LN_ROWS rows go through those chains side by side in a few registers,
 * after the rows are turned into columns (8 x 8 transposes in registers). Written with GCC
 * vector extensions, as kernels_f32_x86.c, since core is freestanding. */
#include "rows_f32_x86.h"

#if NOPE_F32_X86

#include <float.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/math_float.h"

typedef float ln_v8 __attribute__((vector_size(32)));
typedef float ln_v16 __attribute__((vector_size(64)));
typedef int32_t ln_v8_index __attribute__((vector_size(32)));
/* Memory of those shapes at any float address. */
typedef float ln_v8_mem __attribute__((vector_size(32), aligned(4), may_alias));
typedef float ln_v16_mem __attribute__((vector_size(64), aligned(4), may_alias));

#define LN_INLINE static inline __attribute__((always_inline))
#define LN_UNROLL _Pragma("GCC unroll 8")
#define LN_SHUF(a, b, ...) __builtin_shuffle(a, b, (ln_v8_index){__VA_ARGS__})

enum { G = NOPE_X86_LN_ROWS };

/* cols[(i0 + c) G + g0 + r] = x[r n + i0 + c] for r, c < 8: an 8 x 8 block of rows as columns
 * (unpacks, then shuffles within 128-bit halves, then across them). */
LN_INLINE void transpose8(float *cols, const float *x, size_t n)
{
    ln_v8 r[8], t[8], s[8];
    LN_UNROLL for (int k = 0; k < 8; k++) r[k] = *(const ln_v8_mem *)(x + k * n);
    LN_UNROLL for (int k = 0; k < 8; k += 2)
    {
        t[k] = LN_SHUF(r[k], r[k + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[k + 1] = LN_SHUF(r[k], r[k + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    LN_UNROLL for (int k = 0; k < 8; k += 4)
    {
        s[k] = LN_SHUF(t[k], t[k + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        s[k + 1] = LN_SHUF(t[k], t[k + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        s[k + 2] = LN_SHUF(t[k + 1], t[k + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        s[k + 3] = LN_SHUF(t[k + 1], t[k + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
    LN_UNROLL for (int c = 0; c < 4; c++)
    {
        *(ln_v8_mem *)(cols + c * G) = LN_SHUF(s[c], s[c + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        *(ln_v8_mem *)(cols + (c + 4) * G) = LN_SHUF(s[c], s[c + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
}

/* cols[i G + g] = x[g n + i] for g < G, i < n. */
LN_INLINE void rows_to_columns(float *cols, const float *x, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (size_t g = 0; g < G; g += 8)
            transpose8(cols + i * G + g, x + g * n + i, n);
    for (; i < n; i++)
        for (size_t g = 0; g < G; g++)
            cols[i * G + g] = x[g * n + i];
}

/* One group of G rows: the sums as kahan_add's in kernels_f32.c, lane by lane, then each row
 * normalised as nope_kern_layernorm does it. */
#define DEFINE_LN_GROUP(NAME, TARGET, V, V_MEM, VW, SQRT)                                                          \
    __attribute__((target(TARGET))) static void NAME(float *out, const float *x, size_t n, float eps, float *cols) \
    {                                                                                                              \
        enum { NV = G / VW };                                                                                      \
        const V zero = {0};                                                                                        \
        V sum[NV], carry[NV], mean[NV], sq[NV], sq_carry[NV];                                                      \
        rows_to_columns(cols, x, n);                                                                               \
        LN_UNROLL for (int v = 0; v < NV; v++) sum[v] = carry[v] = sq[v] = sq_carry[v] = zero;                     \
        for (size_t i = 0; i < n; i++)                                                                             \
            LN_UNROLL for (int v = 0; v < NV; v++)                                                                 \
            {                                                                                                      \
                V y = *(const V_MEM *)(cols + i * G + v * VW) - carry[v];                                          \
                V t = sum[v] + y;                                                                                  \
                carry[v] = (t - sum[v]) - y;                                                                       \
                sum[v] = t;                                                                                        \
            }                                                                                                      \
        LN_UNROLL for (int v = 0; v < NV; v++) mean[v] = sum[v] / (float)n;                                        \
        for (size_t i = 0; i < n; i++)                                                                             \
            LN_UNROLL for (int v = 0; v < NV; v++)                                                                 \
            {                                                                                                      \
                V dev = *(const V_MEM *)(cols + i * G + v * VW) - mean[v];                                         \
                V y = dev * dev - sq_carry[v];                                                                     \
                V t = sq[v] + y;                                                                                   \
                sq_carry[v] = (t - sq[v]) - y;                                                                     \
                sq[v] = t;                                                                                         \
            }                                                                                                      \
        for (int v = 0; v < NV; v++) {                                                                             \
            V term = sq[v] / (float)n + eps, root = SQRT(term);                                                    \
            for (int l = 0; l < VW; l++) {                                                                         \
                const size_t g = (size_t)(v * VW + l);                                                             \
                /* nope_f32_sqrt is the IEEE square root, which the vector gave: kept for what     \
                 * it treats apart (0, infinity, NaN, below 0) */               \
                const float r = term[l] > 0.0f && term[l] <= FLT_MAX ? root[l] : nope_f32_sqrt(term[l]);           \
                const float m = mean[v][l], rstd = 1.0f / r;                                                       \
                const float *xr = x + g * n;                                                                       \
                float *o = out + g * n;                                                                            \
                size_t i = 0;                                                                                      \
                for (; i + VW <= n; i += VW)                                                                       \
                    *(V_MEM *)(o + i) = (*(const V_MEM *)(xr + i) - m) * rstd;                                     \
                for (; i < n; i++)                                                                                 \
                    o[i] = (xr[i] - m) * rstd;                                                                     \
            }                                                                                                      \
        }                                                                                                          \
    }

/* The IEEE square root of each lane (rounding as the MXCSR says: to nearest). */
#define SQRT_AVX512(v) __builtin_ia32_sqrtps512_mask(v, v, 0xFFFF, 4 /* current direction */)
#define SQRT_AVX2(v) __builtin_ia32_sqrtps256(v)

DEFINE_LN_GROUP(ln_group_avx512, "avx512f,avx512vl", ln_v16, ln_v16_mem, 16, SQRT_AVX512)
DEFINE_LN_GROUP(ln_group_avx2, "avx2", ln_v8, ln_v8_mem, 8, SQRT_AVX2)

size_t nope_x86_layernorm_rows(float *out, const float *x, size_t rows, size_t n, float eps)
{
    static _Thread_local float cols[G * NOPE_MAX_D] __attribute__((aligned(64)));
    void (*group)(float *, const float *, size_t, float, float *) = 0;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"))
        group = ln_group_avx512;
    else if (__builtin_cpu_supports("avx2"))
        group = ln_group_avx2;
    if (!group || n > NOPE_MAX_D)
        return 0;
    size_t done = rows - rows % G;
    for (size_t r0 = 0; r0 < done; r0 += G)
        group(out + r0 * n, x + r0 * n, n, eps, cols);
    return done;
}

#endif
