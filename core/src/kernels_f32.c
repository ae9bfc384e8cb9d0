/* The float32 kernels. Sums run in ascending index with one rounding per + and *, so the
 * result is the same whether a compiler vectorises across outputs (it may: the loops are
 * written so that each output's chain of operations is independent) or not. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32

#include "nope/decimal.h"
#include "nope/kernels.h"
#include "nope/math_float.h"
#include "nope/profile.h"
#include "nope/var_exact.h"

#include "attend_arm.h"
#include "matmul_arm.h"

#include "kernels_f32_x86.h"
#include "rows_f32_x86.h"

/* On an x86-64 host, let the matmul come in a baseline and an AVX2 build chosen at run time:
 * both do the same IEEE operations in the same order (no FMA: -ffp-contract=off), so this is
 * speed only. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(NOPE_HOST_CLONES)
#define NOPE_HOT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define NOPE_HOT_CLONES
#endif

static struct nope_kern_params params;

const nope_kern_params *nope_kern_params_init(const nope_config *cfg)
{
    params.eps = (float)nope_dec_to_double(&cfg->eps);
    params.attn_scale = 1.0f / nope_f32_sqrt((float)(cfg->d / cfg->heads));
    return &params;
}

nope_num_t nope_kern_weight(const nope_weights *w, size_t n_out, size_t i, size_t j)
{
    if (w->stored) { /* a trained model's */
        nope_num_t v;
        nope_weights_stored_block(&v, w, n_out, i, 1, j, 1);
        return v;
    }
    return nope_num_from_draw(nope_rng_gauss_draw(w->stream, nope_weights_element(w, n_out, i, j), w->scale_q));
}

/* W[row0 .. row0+n_rows)[col0 .. col0+n_cols) into wbuf, row-major with n_cols per row. */
#if !NOPE_F32_X86
/* row[j] = nope_num_from_draw(q[j]) for j < n. */
static void draws_to_float(float *row, const int32_t *q, size_t n)
{
    size_t j = 0;
#if defined(__GNUC__) && defined(__ARM_FP) && (__ARM_FP & 4) && \
    (defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__))
    /* The FPU converts a fixed-point integer with 20 fraction bits itself: the same float as
     * (float)q * 2^-20 (both exact, |q| < 2^24), 8 at a time, 12 instructions where GCC's
     * loop takes 48. */
    _Static_assert(NOPE_DRAW_FRAC_BITS == 20, "the #20 below is NOPE_DRAW_FRAC_BITS");
    size_t n8 = n & ~(size_t)7;
    if (n8) {
        const int32_t *src = q, *end = q + n8;
        float *dst = row;
        __asm__ volatile(".syntax unified\n"
                         "1:\n\t"
                         "vldmia %[src]!, {s0-s7}\n\t"
                         "vcvt.f32.s32 s0, s0, #20\n\t"
                         "vcvt.f32.s32 s1, s1, #20\n\t"
                         "vcvt.f32.s32 s2, s2, #20\n\t"
                         "vcvt.f32.s32 s3, s3, #20\n\t"
                         "vcvt.f32.s32 s4, s4, #20\n\t"
                         "vcvt.f32.s32 s5, s5, #20\n\t"
                         "vcvt.f32.s32 s6, s6, #20\n\t"
                         "vcvt.f32.s32 s7, s7, #20\n\t"
                         "vstmia %[dst]!, {s0-s7}\n\t"
                         "cmp %[src], %[end]\n\t"
                         "bne 1b\n\t"
                         : [src] "+&r"(src), [dst] "+&r"(dst)
                         : [end] "r"(end)
                         : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "cc", "memory");
        j = n8;
    }
#endif
    for (; j < n; j++)
        row[j] = nope_num_from_draw(q[j]);
}
#endif

static void draw_block(float *wbuf, const nope_weights *w, size_t n_out, size_t row0, size_t n_rows, size_t col0,
                       size_t n_cols)
{
    if (w->stored) { /* a trained model's matrix: read, not drawn */
        nope_weights_stored_block(wbuf, w, n_out, row0, n_rows, col0, n_cols);
        return;
    }
#if NOPE_F32_X86
    /* The host's vector draws write the floats themselves, the whole block in one pipeline: the
     * same values as below. */
    uint64_t e0 = nope_weights_element(w, n_out, row0, col0);
    nope_rng_gauss_draw_rows_f32(wbuf, n_cols, w->stream, e0, nope_weights_element(w, n_out, row0 + 1, col0) - e0,
                                 n_rows, n_cols, w->scale_q, 1.0f / (float)(1L << NOPE_DRAW_FRAC_BITS));
#else
    for (size_t i = 0; i < n_rows; i++) {
        uint64_t e = nope_weights_element(w, n_out, row0 + i, col0);
        float *row = wbuf + i * n_cols;
        /* Integers drawn a run at a time into a small buffer of their own (no more than the
         * weight buffer holds, so a small board's stack grows by as little), then converted. */
        enum { RUN = NOPE_WEIGHT_BUF < 256 ? NOPE_WEIGHT_BUF : 256 };
        int32_t q[RUN];
        for (size_t j0 = 0; j0 < n_cols; j0 += RUN) {
            size_t n = n_cols - j0 < RUN ? n_cols - j0 : RUN;
            nope_rng_gauss_draw_run(q, w->stream, e + j0, n, w->scale_q);
            draws_to_float(row + j0, q, n);
        }
    }
#endif
}

/* out[r][col0 + j] += in[r][i] * wrow[j] for every row r and the n_cols columns of a strip. */
static void matmul_strip_row(float *out, const float *in, size_t rows, size_t n_in, size_t n_out, const float *wrow,
                             size_t i, size_t col0, size_t n_cols)
{
    for (size_t r = 0; r < rows; r++) {
        float *o = out + r * n_out + col0;
        const float ai = in[r * n_in + i];
        for (size_t j = 0; j < n_cols; j++)
            o[j] += ai * wrow[j];
    }
}

/* A buffer smaller than one row (the smallest boards): strips of columns, one row at a time. */
static void matmul_column_strips(float *out, const float *in, size_t rows, size_t n_in, size_t n_out,
                                 const nope_weights *w, float *wbuf, size_t wbuf_cap)
{
    for (size_t col0 = 0; col0 < n_out; col0 += wbuf_cap) {
        size_t n_cols = n_out - col0 < wbuf_cap ? n_out - col0 : wbuf_cap;
        for (size_t i = 0; i < n_in; i++) {
            NOPE_PROF(NOPE_PROF_DRAW, draw_block(wbuf, w, n_out, i, 1, col0, n_cols));
            NOPE_PROF_MATMUL(rows * n_cols, matmul_strip_row(out, in, rows, n_in, n_out, wbuf, i, col0, n_cols));
        }
    }
}

/* Tiles keep a strip of outputs in L1 and a block of weights in L2 on a host; on a small board
 * the tiles are simply larger than the matrices. */
enum { TILE_OUT = 256, TILE_IN = 64 };

NOPE_HOT_CLONES
static void matmul_tile(float *restrict out, const float *restrict in, size_t rows, size_t n_in, size_t n_out,
                        const float *restrict wrows, size_t in0, size_t in_n, size_t out0, size_t out_n)
{
#if defined(MATMUL_ARM_F32)
    matmul_arm_f32_tile(out, in, rows, n_in, n_out, wrows, in0, in_n, out0, out_n);
#else
    for (size_t r = 0; r < rows; r++) {
        float *restrict o = out + r * n_out + out0;
        const float *a = in + r * n_in + in0;
        for (size_t i = 0; i < in_n; i++) {
            const float ai = a[i];
            const float *restrict wr = wrows + i * n_out + out0;
            for (size_t j = 0; j < out_n; j++)
                o[j] += ai * wr[j];
        }
    }
#endif
}

#if NOPE_F32_X86
/* The host's matmul: each block of rows of W drawn into panels of NOPE_X86_PANEL columns (see
 * kernels_f32_x86.h), each panel multiplied as soon as it is drawn, while it is still in cache.
 * Returns 0, having done nothing, when the buffer cannot hold one whole row of W. */
static int matmul_panels(float *out, const float *in, size_t rows, size_t n_in, size_t n_out, const nope_weights *w,
                         float *wbuf, size_t wbuf_cap)
{
    /* Panels start on a 64-byte line, so no vector load straddles two lines. */
    size_t skip = (size_t)(-(uintptr_t)wbuf & 63) / sizeof(float);
    if (wbuf_cap < skip + n_out)
        return 0;
    float *base = wbuf + skip;
    size_t rows_per_fill = (wbuf_cap - skip) / n_out;
    if (rows_per_fill > n_in)
        rows_per_fill = n_in;
    for (size_t i0 = 0; i0 < n_in; i0 += rows_per_fill) {
        size_t fill = n_in - i0 < rows_per_fill ? n_in - i0 : rows_per_fill;
        for (size_t p0 = 0; p0 < n_out; p0 += NOPE_X86_PANEL) {
            size_t np = n_out - p0 < NOPE_X86_PANEL ? n_out - p0 : NOPE_X86_PANEL;
            float *panel = base + p0 * fill;
            draw_block(panel, w, n_out, i0, fill, p0, np);
            nope_x86_matmul_panel(out + p0, n_out, in + i0, n_in, rows, panel, np, fill);
        }
    }
    return 1;
}
#endif

void nope_kern_matmul_drawn(nope_num_t *out, const nope_num_t *in, size_t rows, size_t n_in, size_t n_out,
                            const nope_weights *w, nope_num_t *wbuf, size_t wbuf_cap)
{
    for (size_t k = 0; k < rows * n_out; k++)
        out[k] = 0.0f;
#if NOPE_F32_X86
    if (matmul_panels(out, in, rows, n_in, n_out, w, wbuf, wbuf_cap))
        return;
#endif
    if (wbuf_cap < n_out) {
        matmul_column_strips(out, in, rows, n_in, n_out, w, wbuf, wbuf_cap);
        return;
    }
    size_t rows_per_fill = wbuf_cap / n_out;
    if (rows_per_fill > n_in)
        rows_per_fill = n_in;
    for (size_t i0 = 0; i0 < n_in; i0 += rows_per_fill) {
        size_t fill = n_in - i0 < rows_per_fill ? n_in - i0 : rows_per_fill;
        NOPE_PROF(NOPE_PROF_DRAW, draw_block(wbuf, w, n_out, i0, fill, 0, n_out));
        for (size_t out0 = 0; out0 < n_out; out0 += TILE_OUT) {
            size_t out_n = n_out - out0 < TILE_OUT ? n_out - out0 : TILE_OUT;
            for (size_t t0 = 0; t0 < fill; t0 += TILE_IN) {
                size_t in_n = fill - t0 < TILE_IN ? fill - t0 : TILE_IN;
                NOPE_PROF_MATMUL(rows * in_n * out_n, matmul_tile(out, in, rows, n_in, n_out, wbuf + t0 * n_out,
                                                                  i0 + t0, in_n, out0, out_n));
            }
        }
    }
}

/* Compensated (Kahan) summation: the rounding error of each addition is carried into the next,
 * so a sum of d values is good to a couple of ulps instead of d of them. LayerNorm divides by
 * the standard deviation, which turns any error in the mean into an error in every output.
 * Plain IEEE operations in a fixed order: the same bits everywhere (no fast-math to undo it). */
typedef struct {
    float sum, carry;
} kahan_sum;

static void kahan_add(kahan_sum *k, float x)
{
    float y = x - k->carry;
    float t = k->sum + y;
    k->carry = (t - k->sum) - y;
    k->sum = t;
}

void nope_kern_layernorm(nope_num_t *out, const nope_num_t *x, size_t n, const nope_kern_params *kp)
{
    kahan_sum total = {0.0f, 0.0f};
    for (size_t i = 0; i < n; i++)
        kahan_add(&total, x[i]);
    float mean = total.sum / (float)n;
    kahan_sum squares = {0.0f, 0.0f};
    for (size_t i = 0; i < n; i++) {
        float dev = x[i] - mean;
        kahan_add(&squares, dev * dev);
    }
    float rstd = 1.0f / nope_f32_sqrt(squares.sum / (float)n + kp->eps);
    for (size_t i = 0; i < n; i++)
        out[i] = (x[i] - mean) * rstd;
}

/* Rows a host normalises together: each row's Kahan chain is the very same sequence of
 * operations, but eight independent chains keep the FPU busy where one would wait on each add's
 * latency (LayerNorm was a sixth of a default trial). A small board has no such latency to hide
 * and every byte of stack counts, so it goes row by row. */
#if defined(__x86_64__) || defined(__aarch64__)
enum { LN_ROW_GROUP = 8 };
#else
enum { LN_ROW_GROUP = 1 };
#endif

void nope_kern_layernorm_rows(nope_num_t *out, const nope_num_t *x, size_t rows, size_t n, const nope_kern_params *kp)
{
    size_t r0 = 0;
#if NOPE_F32_X86
    /* Whole groups of rows with a row in each vector lane (rows_f32_x86.c), the rest below. */
    r0 = nope_x86_layernorm_rows(out, x, rows, n, kp->eps);
#endif
    for (; LN_ROW_GROUP > 1 && r0 + LN_ROW_GROUP <= rows; r0 += LN_ROW_GROUP) {
        const float *xg = x + r0 * n;
        kahan_sum total[LN_ROW_GROUP], squares[LN_ROW_GROUP];
        float mean[LN_ROW_GROUP], rstd[LN_ROW_GROUP];
        for (size_t g = 0; g < LN_ROW_GROUP; g++)
            total[g] = squares[g] = (kahan_sum){0.0f, 0.0f};
        for (size_t i = 0; i < n; i++)
            for (size_t g = 0; g < LN_ROW_GROUP; g++)
                kahan_add(&total[g], xg[g * n + i]);
        for (size_t g = 0; g < LN_ROW_GROUP; g++)
            mean[g] = total[g].sum / (float)n;
        for (size_t i = 0; i < n; i++)
            for (size_t g = 0; g < LN_ROW_GROUP; g++) {
                float dev = xg[g * n + i] - mean[g];
                kahan_add(&squares[g], dev * dev);
            }
        for (size_t g = 0; g < LN_ROW_GROUP; g++) {
            rstd[g] = 1.0f / nope_f32_sqrt(squares[g].sum / (float)n + kp->eps);
            for (size_t i = 0; i < n; i++)
                out[(r0 + g) * n + i] = (xg[g * n + i] - mean[g]) * rstd[g];
        }
    }
    for (; r0 < rows; r0++)
        nope_kern_layernorm(out + r0 * n, x + r0 * n, n, kp);
}

void nope_kern_softmax(nope_num_t *p, size_t n)
{
    float top = p[0];
    for (size_t k = 1; k < n; k++)
        if (p[k] > top)
            top = p[k];
    float total = 0.0f;
#if NOPE_F32_X86
    nope_x86_exp_minus(p, n, top);
    for (size_t k = 0; k < n; k++)
        total += p[k];
#else
    for (size_t k = 0; k < n; k++) {
        p[k] = nope_f32_exp(p[k] - top);
        total += p[k];
    }
#endif
    for (size_t k = 0; k < n; k++)
        p[k] = p[k] / total;
}

void nope_kern_attend(nope_num_t *o, const nope_num_t *q, const nope_num_t *keys, const nope_num_t *values,
                      size_t n_keys, size_t dh, size_t stride, nope_num_t *scores, const nope_kern_params *kp)
{
#if NOPE_F32_X86
    nope_x86_scores(scores, q, keys, n_keys, dh, stride, kp->attn_scale);
    nope_kern_softmax(scores, n_keys);
    nope_x86_weighted_sum(o, scores, values, n_keys, dh, stride);
    return;
#endif
#ifdef ATTEND_ARM_F32
    for (size_t n = 0; n < n_keys; n++)
        scores[n] = attend_arm_f32_dot(q, keys + n * stride, dh) * kp->attn_scale;
    nope_kern_softmax(scores, n_keys);
    attend_arm_f32_weighted_sum(o, scores, values, n_keys, dh, stride);
    return;
#endif
    for (size_t n = 0; n < n_keys; n++) {
        const float *k = keys + n * stride;
        float dot = 0.0f;
        for (size_t i = 0; i < dh; i++)
            dot += q[i] * k[i];
        scores[n] = dot * kp->attn_scale;
    }
    nope_kern_softmax(scores, n_keys);
    for (size_t i = 0; i < dh; i++)
        o[i] = 0.0f;
    for (size_t n = 0; n < n_keys; n++) {
        const float a = scores[n];
        const float *v = values + n * stride;
        for (size_t i = 0; i < dh; i++)
            o[i] += a * v[i];
    }
}

float nope_kern_gelu_f32(float x)
{
    const float SQRT_2_OVER_PI = 0.797884561f;
    float inner = SQRT_2_OVER_PI * (x + 0.044715f * x * x * x);
    return 0.5f * x * (1.0f + nope_f32_tanh(inner));
}

/* Whole (rows, ffn) and (rows, d) blocks at a time: eight lanes where the host has AVX2, the
 * same operation on each value. */
NOPE_HOT_CLONES
void nope_kern_activate(nope_num_t *x, size_t n, nope_act act)
{
    switch (act) {
    case NOPE_ACT_RELU:
        for (size_t k = 0; k < n; k++)
            x[k] = x[k] > 0.0f ? x[k] : 0.0f;
        break;
    case NOPE_ACT_GELU:
#if NOPE_F32_X86
        nope_x86_gelu(x, n);
#else
        for (size_t k = 0; k < n; k++)
            x[k] = nope_kern_gelu_f32(x[k]);
#endif
        break;
    }
}

NOPE_HOT_CLONES
void nope_kern_add(nope_num_t *y, const nope_num_t *x, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] += x[k];
}

#if defined(__x86_64__) || defined(__aarch64__)
typedef int32_t var_i32x8 __attribute__((vector_size(32)));
typedef float var_f32x4 __attribute__((vector_size(16)));
typedef double var_f64x4 __attribute__((vector_size(32)));

/* *sum = y[0] + y[1] + ... in doubles, in eight chains instead of one (a host waits out each
 * add's latency), when that is exact and so the very sum of the one chain: returns 0, having
 * done nothing, otherwise. Exact: every y[k] is a multiple of 2^(b - 150) and below
 * 2^(t - 126) in magnitude (b, t the least and greatest biased exponents, subnormals' taken as 1),
 * so every partial sum, in any order, is a multiple of 2^(b - 150) below n 2^(t - 126): 53 bits
 * hold it when t - b + bitlen(n) <= 29. NaN and infinity (exponent 255) never pass. */
NOPE_HOT_CLONES
static int exact_double_sum(const float *y, size_t n, double *sum)
{
    /* The magnitudes' bits, as signed integers, order as the magnitudes do (infinity and NaN
     * above all finite ones): the largest, and the smallest but for zeros, eight at a time. */
    const var_i32x8 all = {0, 0, 0, 0, 0, 0, 0, 0}, max = all + INT32_MAX;
    var_i32x8 most8 = all, least8 = max;
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        var_i32x8 mag;
        __builtin_memcpy(&mag, y + k, sizeof mag);
        mag &= max;
        var_i32x8 nonzero = mag | ((mag == all) & max), more = mag > most8, less = nonzero < least8;
        most8 = (mag & more) | (most8 & ~more);
        least8 = (nonzero & less) | (least8 & ~less);
    }
    int32_t most = 0, least = INT32_MAX;
    for (int j = 0; j < 8; j++) {
        most = most8[j] > most ? most8[j] : most;
        least = least8[j] < least ? least8[j] : least;
    }
    for (; k < n; k++) {
        int32_t mag;
        __builtin_memcpy(&mag, &y[k], sizeof mag);
        mag &= INT32_MAX;
        most = mag > most ? mag : most;
        least = mag != 0 && mag < least ? mag : least;
    }
    uint32_t top = (uint32_t)most >> 23, bottom = (uint32_t)least >> 23;
    top = top != 0 ? top : 1;
    bottom = bottom != 0 ? bottom : 1;
    unsigned bitlen = 0;
    for (size_t m = n; m != 0; m >>= 1)
        bitlen++;
    if (top == 255 || (top > bottom && top - bottom + bitlen > 29))
        return 0;
    var_f64x4 part0 = {0.0, 0.0, 0.0, 0.0}, part1 = part0;
    for (k = 0; k + 8 <= n; k += 8) {
        var_f32x4 a, b;
        __builtin_memcpy(&a, y + k, sizeof a);
        __builtin_memcpy(&b, y + k + 4, sizeof b);
        part0 += __builtin_convertvector(a, var_f64x4);
        part1 += __builtin_convertvector(b, var_f64x4);
    }
    double total = 0.0;
    for (; k < n; k++)
        total += (double)y[k];
    part0 += part1;
    *sum = total + ((part0[0] + part0[1]) + (part0[2] + part0[3]));
    return 1;
}
#endif

nope_acc_t nope_kern_var_unbiased(const nope_num_t *y, size_t n)
{
#if defined(__arm__) && !(defined(__ARM_FP) && (__ARM_FP & 8))
    /* No double hardware: the same doubles from integers (nope/var_exact.h), about 30% fewer
     * instructions than the soft-float calls on a Cortex-M4F */
    double exact;
    if (nope_var_unbiased_exact(y, n, &exact))
        return exact;
#endif
    double sum = 0.0;
#if defined(__x86_64__) || defined(__aarch64__)
    if (!exact_double_sum(y, n, &sum))
#endif
        for (size_t k = 0; k < n; k++)
            sum += (double)y[k];
    double mean = sum / (double)n;
    double sq = 0.0;
    for (size_t k = 0; k < n; k++) {
        double dev = (double)y[k] - mean;
        sq += dev * dev;
    }
    return sq / (double)(n - 1);
}

#endif
