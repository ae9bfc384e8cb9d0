/* The fixed-point kernels: the float32 kernels' twins in integer arithmetic (formats in
 * nope/num_fixed.h, rounding and saturation rules in nope/math_fixed.h). Every sum is exact in
 * a wide integer and rounded once per output, so no loop order or vectorisation can change a
 * bit; each accumulator carries its bound in a comment. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_FIXED

#include "nope/decimal.h"
#include "nope/kernels.h"
#include "nope/math_fixed.h"
#include "nope/profile.h"
#include "nope/wide.h"

#include "attend_arm.h"
#include "elementwise_arm.h"
#include "layernorm_arm.h"
#include "matmul_arm.h"

/* Speed only, as in kernels_f32.c: an AVX2 clone of the matmul tile on x86-64 hosts. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(NOPE_HOST_CLONES)
#define NOPE_HOT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define NOPE_HOT_CLONES
#endif

#define NOPE_FX_MAX_WIDTH (NOPE_MAX_D > NOPE_MAX_FFN ? NOPE_MAX_D : NOPE_MAX_FFN)
#define NOPE_FX_MIN(a, b) ((a) < (b) ? (a) : (b))
#define NOPE_FX_MAX(a, b) ((a) > (b) ? (a) : (b))
/* Matmul sums held at once (int64 each): a strip of columns for all rows of a block. More than
 * rows x min(width, NOPE_WEIGHT_BUF) is never used; 2^18 (2 MB) is plenty on a host. A board
 * may set it lower, down to NOPE_BLOCK_POS; the result does not depend on it. */
#ifndef NOPE_FX_ACC_CAP
#define NOPE_FX_ACC_CAP \
    NOPE_FX_MIN(NOPE_FX_MIN(NOPE_FX_MAX_WIDTH, NOPE_WEIGHT_BUF) * NOPE_BLOCK_POS, NOPE_FX_MAX(NOPE_BLOCK_POS, 262144))
#endif
#if NOPE_FX_ACC_CAP < NOPE_BLOCK_POS
#error "NOPE_FX_ACC_CAP must hold at least one column of a block: >= NOPE_BLOCK_POS"
#endif

/* LayerNorm epsilon in Q58: 1e-12 to 6 digits (Q(2F) would round it by 0.2%), and any eps
 * up to 16 (the CLI allows up to 1). */
enum { EPS_FRAC = 58 };

static struct nope_kern_params params;
/* (rows, strip width) matmul sums in Q(F+20), each kept within +-2^62. */
static int64_t matmul_acc[NOPE_FX_ACC_CAP];

const nope_kern_params *nope_kern_params_init(const nope_config *cfg)
{
    uint64_t eps = 0;
    if (!nope_dec_to_ufix(&cfg->eps, EPS_FRAC, &eps) || eps > UINT64_MAX / 2)
        eps = UINT64_MAX / 2; /* eps > 16: beyond any configuration the CLI accepts */
    params.eps_q58 = eps;
    unsigned shift;
    uint64_t r = nope_fx_rsqrt(cfg->d / cfg->heads, &shift); /* shift >= 32 */
    params.attn_scale_q31 = (uint32_t)((r + (UINT64_C(1) << (shift - 32))) >> (shift - 31));
    nope_fx_saturations_reset();
    nope_fx_underflows_reset();
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

/* ---- Matrix product ---- */

/* Tiles as in kernels_f32.c. TILE_IN also bounds a tile's growth: |a| <= 2^31 and |w| < 2^24
 * (sigma <= 2, |z| < 6.4) give products < 2^55, and 64 of them < 2^61. */
enum { TILE_OUT = 256, TILE_IN = 64 };
#define ACC_LIMIT (INT64_C(1) << 62)

NOPE_HOT_CLONES
static void matmul_tile(int64_t *restrict acc, const int32_t *restrict a, const int32_t *restrict wrows,
                        size_t w_stride, size_t in_n, size_t out_n)
{
    /* |acc| <= 2^62 on entry and in_n <= 64 products < 2^55 each are added: every partial
     * sum stays below 2^62 + 2^61 < 2^63. Clamping back to +-2^62 keeps the bound for the next
     * tile (anything that large saturates the output anyway: 2^62 LSB of Q(F+20) >> 2^31 LSB
     * of Q.F), so the exact sums need no scratch: each result is the same bits. */
#if defined(MATMUL_ARM_M0)
    matmul_m0_tile(acc, a, wrows, w_stride, in_n, out_n);
    return;
#endif
    for (size_t i = 0; i < in_n; i++) {
        const int64_t ai = a[i];
        const int32_t *restrict wr = wrows + i * w_stride;
        for (size_t j = 0; j < out_n; j++)
            acc[j] += ai * wr[j];
    }
    for (size_t j = 0; j < out_n; j++)
        acc[j] = acc[j] > ACC_LIMIT ? ACC_LIMIT : (acc[j] < -ACC_LIMIT ? -ACC_LIMIT : acc[j]);
}

/* wbuf (n_rows, cols) = W[row0 .. row0+n_rows)[col0 .. col0+cols), as drawn (Q20, exact). */
static void draw_block(int32_t *wbuf, const nope_weights *w, size_t n_out, size_t row0, size_t n_rows, size_t col0,
                       size_t cols)
{
    if (w->stored) { /* a trained model's matrix: read, not drawn */
        nope_weights_stored_block(wbuf, w, n_out, row0, n_rows, col0, cols);
        return;
    }
    for (size_t t = 0; t < n_rows; t++)
        nope_rng_gauss_draw_run(wbuf + t * cols, w->stream, nope_weights_element(w, n_out, row0 + t, col0), cols,
                                w->scale_q);
}

/* nope_fx_sat32(nope_fx_round_shr(x, s)) for a constant 1 <= s <= 30, the same value and
 * saturation count, in a few 32-bit steps: floor((x + 2^(s-1)) / 2^s) fits int32 exactly when
 * x + 2^(s-1) + 2^(s+31) wraps into [0, 2^(s+32)) as uint64 (no x near INT64_MAX or MIN can
 * wrap into it), and then it is bits s..s+31 of u = x + 2^(s-1). Anything else, rare, goes
 * the slow way, which clamps and counts. */
static inline int32_t round_sat(int64_t x, unsigned s)
{
    uint64_t u = (uint64_t)x + (UINT64_C(1) << (s - 1));
    if ((u + (UINT64_C(1) << (s + 31))) >> (s + 32) != 0)
        return nope_fx_sat32(nope_fx_round_shr(x, s));
    uint32_t q = (uint32_t)(u >> s);
    return q >> 31 ? -(int32_t)~q - 1 : (int32_t)q;
}

#if defined(MATMUL_ARM_SMLAL)
/* One tile of a strip on ARMv7-M: rows rn x tn inputs x cw columns into the strip's sums acc
 * (rn, cw), started from 0 on the product's first tile and, on its last, rounded into out
 * (rows out_stride apart) instead: the column pairs by the SMLAL routine (matmul_arm.h), an odd
 * last column by the portable tile. The same sums, clamps and roundings as the portable path. */
static void matmul_arm_redo(int32_t *out, const int64_t *src, const int32_t *a, const int32_t *w, size_t w_stride,
                            size_t in_n)
{
    int64_t sum[2] = {src ? src[0] : 0, src ? src[1] : 0};
    matmul_tile(sum, a, w, w_stride, in_n, 2);
    out[0] = round_sat(sum[0], NOPE_DRAW_FRAC_BITS);
    out[1] = round_sat(sum[1], NOPE_DRAW_FRAC_BITS);
}

static void matmul_arm_strip_tile(int64_t *acc, size_t cw, bool first, int32_t *out, size_t out_stride, bool last,
                                  const int32_t *a, size_t a_stride, const int32_t *w, size_t rn, size_t tn)
{
    matmul_arm_pairs(acc, cw, first, last ? out : NULL, out_stride, a, a_stride, w, cw, rn, tn, cw & ~(size_t)1,
                     matmul_arm_redo);
    if (cw % 2 == 0)
        return;
    for (size_t r = 0; r < rn; r++) {
        int64_t *sum = acc + r * cw + cw - 1;
        if (first)
            *sum = 0;
        matmul_tile(sum, a + r * a_stride, w + cw - 1, cw, tn, 1);
        if (last)
            out[r * out_stride + cw - 1] = round_sat(*sum, NOPE_DRAW_FRAC_BITS);
    }
}
#endif

void nope_kern_matmul_drawn(nope_num_t *out, const nope_num_t *in, size_t rows, size_t n_in, size_t n_out,
                            const nope_weights *w, nope_num_t *wbuf, size_t wbuf_cap)
{
    /* Strips of columns as wide as both the accumulator (for every row) and the weight buffer
     * (one row of the strip) allow: on a host one strip is the whole matrix; each weight is
     * drawn once per call whatever the sizes, and every sum is exact, so the bits are too. */
    size_t row_group = rows < NOPE_FX_ACC_CAP ? rows : NOPE_FX_ACC_CAP;
    for (size_t r0 = 0; r0 < rows; r0 += row_group) {
        size_t rn = rows - r0 < row_group ? rows - r0 : row_group;
        size_t width = NOPE_FX_ACC_CAP / rn;
        width = width < wbuf_cap ? width : wbuf_cap;
        width = width < n_out ? width : n_out;
        for (size_t c0 = 0; c0 < n_out; c0 += width) {
            size_t cw = n_out - c0 < width ? n_out - c0 : width;
            size_t per_fill = wbuf_cap / cw < n_in ? wbuf_cap / cw : n_in;
#if defined(MATMUL_ARM_SMLAL)
            /* All rows of the strip at once, TILE_IN inputs at a time; the sums stay in registers
             * within a tile, in matmul_acc only between tiles. */
            for (size_t i0 = 0; i0 < n_in; i0 += per_fill) {
                size_t fill = n_in - i0 < per_fill ? n_in - i0 : per_fill;
                NOPE_PROF(NOPE_PROF_DRAW, draw_block(wbuf, w, n_out, i0, fill, c0, cw));
                for (size_t t0 = 0; t0 < fill; t0 += TILE_IN) {
                    size_t tn = fill - t0 < TILE_IN ? fill - t0 : TILE_IN;
                    NOPE_PROF_MATMUL(rn * cw * tn,
                                     matmul_arm_strip_tile(matmul_acc, cw, i0 + t0 == 0, out + r0 * n_out + c0, n_out,
                                                           i0 + t0 + tn == n_in, in + r0 * n_in + i0 + t0, n_in,
                                                           wbuf + t0 * cw, rn, tn));
                }
            }
            continue;
#endif
            for (size_t k = 0; k < rn * cw; k++)
                matmul_acc[k] = 0;
            for (size_t i0 = 0; i0 < n_in; i0 += per_fill) {
                size_t fill = n_in - i0 < per_fill ? n_in - i0 : per_fill;
                NOPE_PROF(NOPE_PROF_DRAW, draw_block(wbuf, w, n_out, i0, fill, c0, cw));
                for (size_t r = 0; r < rn; r++)
                    for (size_t j0 = 0; j0 < cw; j0 += TILE_OUT)
                        for (size_t t0 = 0; t0 < fill; t0 += TILE_IN)
                            NOPE_PROF_MATMUL(
                                (fill - t0 < TILE_IN ? fill - t0 : TILE_IN) * (cw - j0 < TILE_OUT ? cw - j0 : TILE_OUT),
                                matmul_tile(matmul_acc + r * cw + j0, in + (r0 + r) * n_in + i0 + t0,
                                            wbuf + t0 * cw + j0, cw, fill - t0 < TILE_IN ? fill - t0 : TILE_IN,
                                            cw - j0 < TILE_OUT ? cw - j0 : TILE_OUT));
            }
            for (size_t r = 0; r < rn; r++)
                for (size_t j = 0; j < cw; j++)
                    out[(r0 + r) * n_out + c0 + j] = round_sat(matmul_acc[r * cw + j], NOPE_DRAW_FRAC_BITS);
        }
    }
}

/* ---- LayerNorm ---- */

void nope_kern_layernorm(nope_num_t *out, const nope_num_t *x, size_t n, const nope_kern_params *kp)
{
    /* Exactly: with S = sum x, D_i = n x_i - S = n (x_i - mean) (|D| <= n 2^32 <= 2^42, no
     * rounded mean) and out_i = D_i 2^F / sqrt(V), V = sum D^2 / n + eps 2^(2F) n^2 (in LSB^2),
     * where sum D^2 < 2^94 is exact in 128 bits and eps is Q58: v = V 2^(58-2F) =
     * sum D^2 2^(58-2F) / n + eps_q58 n^2 < 2^113. Only the division by n (1/2 of 2^-(58-2F)),
     * the square root (2^-30 relative) and the final rounding are inexact. */
#ifdef LAYERNORM_ARM_FIXED
    /* The loop below in Cortex-M code: sum x^2 in 96 bits, the same 128-bit value. */
    layernorm_arm_sums_job sums = {x, x + n, 0, 0, 0, 0, 0, 0, 0};
    layernorm_arm_sums(&sums);
    uint64_t sum_bits = (uint64_t)sums.sum_hi << 32 | sums.sum_lo;
    int64_t sum = sum_bits >> 63 ? -(int64_t)~sum_bits - 1 : (int64_t)sum_bits;
    uint64_t x2_low = sums.sq0, x2_high = (uint64_t)sums.sq2 << 32 | sums.sq1;
    int32_t lo = sums.lo, hi = sums.hi;
#else
    int64_t sum = 0;                  /* |sum| <= n 2^31 <= 2^41 */
    uint64_t x2_low = 0, x2_high = 0; /* sum x^2 = x2_high 2^32 + x2_low, each below 2^42 */
    int32_t lo = x[0], hi = x[0];
    for (size_t i = 0; i < n; i++) {
        uint64_t x2 = (uint64_t)((int64_t)x[i] * x[i]); /* one SMULL; two 64-bit adds, no carry test */
        sum += x[i];
        x2_low += (uint32_t)x2;
        x2_high += x2 >> 32;
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
#endif
    nope_u128 sum_x2 = nope_u128_add(nope_u128_shl(nope_u128_from_u64(x2_high), 32), nope_u128_from_u64(x2_low));
    if (lo == hi) { /* all equal: every deviation is 0 */
        for (size_t i = 0; i < n; i++)
            out[i] = 0;
        return;
    }
    /* sum D^2 = n^2 sum x^2 - 2 n S sum x + n S^2 = n (n sum x^2 - S^2): the same integer with
     * one 32x32 product per element instead of a 42x42 one. The largest |D| is at the smallest
     * or the largest x, as D grows with x. */
    uint64_t s_mag = (uint64_t)(sum < 0 ? -sum : sum);
    nope_u128 sq = nope_u128_mul_u32(
        nope_u128_sub(nope_u128_mul_u32(sum_x2, (uint32_t)n), nope_u128_mul64(s_mag, s_mag)), (uint32_t)n);
    uint64_t top_hi = (uint64_t)((int64_t)n * hi - sum), top_lo = (uint64_t)(sum - (int64_t)n * lo);
    uint64_t top = top_hi > top_lo ? top_hi : top_lo;
    nope_u128 eps = nope_u128_mul_u32(nope_u128_mul_u32(nope_u128_from_u64(kp->eps_q58), (uint32_t)n), (uint32_t)n);
    enum { UP = EPS_FRAC - NOPE_FX_STAT_FRAC }; /* 58 - 2F, 6..18 */
    sq = nope_u128_shl(sq, UP);                 /* sum D^2 2^(58 - 2F) < 2^112 */
    nope_u128 v = nope_u128_add(nope_u128_div_u32_round(sq, (uint32_t)n), eps);
    /* V 2^(58-2F) = v; v / 2^(2t) < 2^64 for the rsqrt: 1/sqrt(v) = r / 2^(shift + t). */
    unsigned bits = nope_u128_bitlen(v), t = bits > 64 ? (bits - 63) / 2 : 0;
    nope_u128 vn = t > 0 ? nope_u128_shr_round(v, 2 * t) : v;
    unsigned shift;
    uint64_t r = nope_fx_rsqrt(vn.lo, &shift); /* r <= 2^32 */
    /* out = D 2^F / sqrt(V) = D 2^(F + UP/2) r / 2^(shift + t) = D r / 2^(shift + t - 29), as
     * F + UP/2 = 29; D keeps 30 bits (rounded, |D| <= 2^30 even after rounding up: at most
     * 2^-30 of the largest output, 1/2 LSB) so that D r <= 2^62. k >= 1: shift >= 32, and with
     * drop > 0, D r >= 2^60 while the output is at most sqrt(n) 2^F <= 2^31. */
    unsigned drop = 0;
    while ((top >> drop) >= (UINT64_C(1) << 30))
        drop++;
    int k = (int)(shift + t) - (NOPE_Q_FRAC + UP / 2) - (int)drop;
    int32_t n32 = (int32_t)n; /* n <= NOPE_MAX_D: n x is one SMULL */
#ifdef LAYERNORM_ARM_FIXED
    if (k >= 33 && k <= 62) { /* the loop below in Cortex-M code (2^(k-1) has a zero low word) */
        layernorm_arm_scale_row(out, x, n, sum, drop, r, k);
        return;
    }
#endif
    if (k >= 32 && k <= 62) {
        /* round_shr(D r, k) = floor((D r + 2^(k-1)) / 2^k), |D r| <= 2^62: the high word of the
         * sum, floored by 2^(k-32) in 32 bits; it fits int32, so there is nothing to saturate. */
        uint64_t half = UINT64_C(1) << (k - 1);
        unsigned j = (unsigned)k - 32;
        for (size_t i = 0; i < n; i++) {
            int64_t dev = (int64_t)n32 * x[i] - sum;
            if (drop > 0)
                dev = nope_fx_round_shr(dev, drop);
            uint32_t high = (uint32_t)(((uint64_t)(dev * (int64_t)r) + half) >> 32);
            out[i] = high >> 31 ? -(int32_t)(~high >> j) - 1 : (int32_t)(high >> j);
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t dev = (int64_t)n32 * x[i] - sum;
        if (drop > 0)
            dev = nope_fx_round_shr(dev, drop);
        out[i] = k >= 1 ? nope_fx_sat32(nope_fx_round_shr(dev * (int64_t)r, (unsigned)k))
                        : nope_fx_sat32(dev < 0 ? INT64_MIN : INT64_MAX); /* unreachable: |out| <= sqrt(n) */
    }
}

void nope_kern_layernorm_rows(nope_num_t *out, const nope_num_t *x, size_t rows, size_t n, const nope_kern_params *kp)
{
    for (size_t r = 0; r < rows; r++)
        nope_kern_layernorm(out + r * n, x + r * n, n, kp);
}

/* ---- Softmax and attention ---- */

/* p (n) = softmax of scores (Q.F) in place, as probabilities in Q30. */
static void softmax_q30(int32_t *p, size_t n)
{
    int32_t top = p[0];
    for (size_t k = 1; k < n; k++)
        if (p[k] > top)
            top = p[k];
            /* e^(s - top) in Q31, kept in place: only e^0 = 2^31 does not fit int32, and it is stored
     * as 2^31 - 1 (a relative 2^-31, far below the Q30 result's LSB). */
#ifdef ATTEND_ARM_FIXED
    uint64_t total = attend_arm_exp_run(p, p + n, top); /* the loop below, in Cortex-M code */
#else
    uint64_t total = 0; /* >= 2^31 - 1 (the top term), <= n 2^31 */
    for (size_t k = 0; k < n; k++) {
        uint64_t y = (uint64_t)((int64_t)top - p[k]); /* < 2^32 */
        uint32_t e = nope_fx_exp_neg_q31(y << (32 - NOPE_Q_FRAC));
        p[k] = (int32_t)(e > INT32_MAX ? (uint32_t)INT32_MAX : e);
        total += (uint32_t)p[k];
    }
#endif
    /* p = e / total in Q30 through one reciprocal 2^63 / total in [2^22, 2^32]: e inv < 2^63. */
    uint64_t inv = nope_fx_div_round_u64(UINT64_C(1) << 63, total);
    for (size_t k = 0; k < n; k++)
        p[k] = (int32_t)(((uint64_t)(uint32_t)p[k] * inv + (UINT64_C(1) << 32)) >> 33);
}

void nope_kern_softmax(nope_num_t *p, size_t n)
{
    softmax_q30(p, n);
    for (size_t k = 0; k < n; k++)
        p[k] = (int32_t)nope_fx_round_shr(p[k], 30 - NOPE_Q_FRAC);
}

/* round(dot * scale / 2^(31+F)) for dot = hi 2^32 + lo (0 <= lo < 2^32) and scale in Q31,
 * saturated: with H = hi scale + floor(lo scale / 2^32) (exact, < 2^62 for |hi| < 2^31), the
 * dropped low 32 bits never change the rounding, so the result is round(H / 2^(F-1)). */
static int32_t scaled_score(nope_wide_sum dot, uint32_t scale)
{
    dot = nope_wide_sum_norm(dot);
    if (dot.hi >= ((int64_t)1 << 31) || dot.hi < -((int64_t)1 << 31)) /* |dot| >= 2^63: score >= 2^34 LSB */
        return nope_fx_sat32(dot.hi < 0 ? INT64_MIN : INT64_MAX);
    int64_t h = dot.hi * (int64_t)scale + (int64_t)((dot.lo * scale) >> 32);
    return nope_fx_sat32(nope_fx_round_shr(h, NOPE_Q_FRAC - 1));
}

/* scaled_score of a dot product known to be below 2^63 in magnitude (hi = floor(d / 2^32) fits
 * int32): the same H, from the two 32-bit halves of d, and the same rounding and clamp. */
static inline int32_t scaled_score64(int64_t d, uint32_t scale)
{
    uint64_t u = (uint64_t)d;
    uint32_t lo = (uint32_t)u, hi_bits = (uint32_t)(u >> 32);
    int64_t hi = hi_bits >> 31 ? -(int64_t)~hi_bits - 1 : (int64_t)hi_bits;
    int64_t h = hi * (int64_t)scale + (int64_t)(((uint64_t)lo * scale) >> 32);
    return round_sat(h, NOPE_Q_FRAC - 1);
}

#if defined(__GNUC__) && (defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__))
/* sum q[i] k[i] over groups of four, exact in int64 as the fast path promises: two LDMs and four
 * SMLALs a group (about 2 instructions a product; gcc's loop takes 3.5). The LDM register
 * lists must ascend, hence the named registers (r7, Thumb's frame pointer, left out). */
__attribute__((noinline)) static int64_t dot_groups_arm(const int32_t *q, const int32_t *k, size_t groups)
{
    uint32_t lo = 0, hi = 0;
    register int32_t a0 __asm__("r4"), a1 __asm__("r5"), a2 __asm__("r6"), a3 __asm__("r8");
    register int32_t b0 __asm__("r9"), b1 __asm__("r10"), b2 __asm__("r11"), b3 __asm__("r12");
    for (; groups > 0; groups--)
        __asm__("ldmia %[q]!, {%[a0], %[a1], %[a2], %[a3]}\n\t"
                "ldmia %[k]!, {%[b0], %[b1], %[b2], %[b3]}\n\t"
                "smlal %[lo], %[hi], %[a0], %[b0]\n\t"
                "smlal %[lo], %[hi], %[a1], %[b1]\n\t"
                "smlal %[lo], %[hi], %[a2], %[b2]\n\t"
                "smlal %[lo], %[hi], %[a3], %[b3]"
                : [q] "+r"(q), [k] "+r"(k), [lo] "+r"(lo), [hi] "+r"(hi), [a0] "=&r"(a0), [a1] "=&r"(a1),
                  [a2] "=&r"(a2), [a3] "=&r"(a3), [b0] "=&r"(b0), [b1] "=&r"(b1), [b2] "=&r"(b2), [b3] "=&r"(b3)
                :
                : "memory");
    uint64_t sum = (uint64_t)hi << 32 | lo;
    return sum >> 63 ? -(int64_t)~sum - 1 : (int64_t)sum;
}
#define DOT_GROUPS_ARM 1
#endif

void nope_kern_attend(nope_num_t *o, const nope_num_t *q, const nope_num_t *keys, const nope_num_t *values,
                      size_t n_keys, size_t dh, size_t stride, nope_num_t *scores, const nope_kern_params *kp)
{
    /* Each score exactly, q . k in Q(2F), scaled once by 1/sqrt(dh) and rounded. When
     * max|q| dh < 2^32 every partial sum is below 2^63 (fast path); otherwise products of two
     * int32 reach 2^62 and the sum is kept exact in a nope_wide_sum (|hi| <= dh 2^30,
     * lo < dh 2^32). Both give the same bits. */
    uint64_t q_max = 0;
    for (size_t i = 0; i < dh; i++) {
        uint64_t mag = (uint64_t)(q[i] < 0 ? -(int64_t)q[i] : q[i]);
        q_max = mag > q_max ? mag : q_max;
    }
    const bool fast = q_max * dh < (UINT64_C(1) << 32);
    size_t made = 0; /* scores made so far */
#ifdef ATTEND_ARM_FIXED
    /* All scores in one Cortex-M loop, unless one saturates: then all again below. */
    if (fast && dh % 4 == 0 && dh <= 4 * ATTEND_ARM_GROUPS && n_keys > 0 &&
        attend_arm_scores(scores, q, keys, n_keys, dh, stride, kp->attn_scale_q31))
        made = n_keys;
#endif
    for (size_t n = made; n < n_keys; n++) {
        const int32_t *k = keys + n * stride;
        nope_wide_sum dot = {0, 0};
        if (fast) {
            /* Four products a round (one SMLAL each on ARMv7-M); the int64 sum is exact in any order. */
            int64_t d = 0;
            size_t i = 0;
#ifdef DOT_GROUPS_ARM
            d = dot_groups_arm(q, k, dh / 4);
            i = dh / 4 * 4;
#endif
            for (; i + 4 <= dh; i += 4) {
                d += (int64_t)q[i] * k[i];
                d += (int64_t)q[i + 1] * k[i + 1];
                d += (int64_t)q[i + 2] * k[i + 2];
                d += (int64_t)q[i + 3] * k[i + 3];
            }
            for (; i < dh; i++)
                d += (int64_t)q[i] * k[i];
            scores[n] = scaled_score64(d, kp->attn_scale_q31);
            continue;
        } else {
            for (size_t i = 0; i < dh; i++)
                nope_wide_sum_add(&dot, (int64_t)q[i] * k[i]);
        }
        scores[n] = scaled_score(dot, kp->attn_scale_q31);
    }
    softmax_q30(scores, n_keys);
    /* o = sum p v: p in Q30 summing to about 2^30 and |v| <= 2^31, so |sum| < 2^62. Four outputs
     * a pass over the keys (their sums fit in registers on ARMv7-M), so each p is loaded once. */
#ifdef ATTEND_ARM_FIXED
    /* Two outputs a pass in Cortex-M code, unless one saturates: then all again below. */
    if (dh % 2 == 0 && n_keys > 0 && attend_arm_weighted(o, scores, values, n_keys, dh, stride))
        return;
#endif
    size_t i = 0;
    for (; i + 4 <= dh; i += 4) {
        int64_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
        const int32_t *v = values + i;
        for (size_t n = 0; n < n_keys; n++, v += stride) {
            int64_t p = scores[n];
            acc0 += p * v[0];
            acc1 += p * v[1];
            acc2 += p * v[2];
            acc3 += p * v[3];
        }
        o[i] = nope_fx_sat32(nope_fx_round_shr(acc0, 30));
        o[i + 1] = nope_fx_sat32(nope_fx_round_shr(acc1, 30));
        o[i + 2] = nope_fx_sat32(nope_fx_round_shr(acc2, 30));
        o[i + 3] = nope_fx_sat32(nope_fx_round_shr(acc3, 30));
    }
    for (; i < dh; i++) {
        int64_t acc = 0;
        for (size_t n = 0; n < n_keys; n++)
            acc += (int64_t)scores[n] * values[n * stride + i];
        o[i] = nope_fx_sat32(nope_fx_round_shr(acc, 30));
    }
}

/* ---- Elementwise ---- */

void nope_kern_activate(nope_num_t *x, size_t n, nope_act act)
{
    switch (act) {
    case NOPE_ACT_RELU: {
        size_t k = 0;
#ifdef ELEMENTWISE_ARM_RELU
        k = n / 4 * 4;
        if (k > 0)
            elementwise_arm_relu(x, x + k);
#endif
        for (; k < n; k++)
            x[k] = x[k] > 0 ? x[k] : 0;
        break;
    }
    case NOPE_ACT_GELU:
        for (size_t k = 0; k < n; k++)
            x[k] = nope_fx_gelu(x[k]);
        break;
    }
}

/* y + x, saturated and counted as nope_fx_sat32 does: the 32-bit sum wrapped exactly when both
 * terms have one sign and the sum the other; only then the slow path clamps and counts. */
static inline int32_t add_sat(int32_t y, int32_t x)
{
    uint32_t a = (uint32_t)y, b = (uint32_t)x, s = a + b;
    if (((s ^ a) & (s ^ b)) >> 31)
        return nope_fx_sat32((int64_t)y + x);
    return s >> 31 ? -(int32_t)~s - 1 : (int32_t)s;
}

void nope_kern_add(nope_num_t *y, const nope_num_t *x, size_t n)
{
    size_t k = 0;
#ifdef ELEMENTWISE_ARM_ADD
    /* Groups of four by QADD; one that saturates goes through add_sat, which counts. */
    const size_t n4 = n / 4 * 4;
    while (k < n4) {
        k = (size_t)(elementwise_arm_add(y + k, x + k, y + n4) - y);
        for (size_t end = k + 4; k < n4 && k < end; k++)
            y[k] = add_sat(y[k], x[k]);
    }
#endif
    for (; k < n; k++)
        y[k] = add_sat(y[k], x[k]);
}

/* ---- The statistic ---- */

nope_acc_t nope_kern_var_unbiased(const nope_num_t *y, size_t n)
{
    /* Exactly: var (n-1) n = n sum (y - mean)^2 - (S - n mean)^2 for any mean; with mean the
     * rounded average, |y - mean| < 2^32 so each square fits uint64 and the sum fits 128 bits. */
    int64_t sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += y[k];
    int64_t mean = nope_fx_div_round(sum, n);
    uint64_t sq_low = 0, sq_high = 0; /* sum of squares = sq_high 2^32 + sq_low, each < 2^42 */
    for (size_t k = 0; k < n; k++) {
        int64_t dev = y[k] - mean;
        uint32_t mag = (uint32_t)(dev < 0 ? -dev : dev); /* < 2^32 */
        uint64_t mag2 = (uint64_t)mag * mag;             /* one UMULL */
        sq_low += (uint32_t)mag2;
        sq_high += mag2 >> 32;
    }
    nope_u128 sq = nope_u128_add(nope_u128_shl(nope_u128_from_u64(sq_high), 32), nope_u128_from_u64(sq_low));
    int64_t off = sum - (int64_t)n * mean; /* |off| <= n/2 */
    nope_u128 num = nope_u128_sub(nope_u128_mul_u32(sq, (uint32_t)n), nope_u128_from_u64((uint64_t)(off * off)));
    uint64_t var = nope_u128_div_round_u64(num, (uint64_t)n * (n - 1));
    if (var < NOPE_FX_UNDERFLOW_VAR)
        nope_fx_underflow_count();
    return var;
}

#endif
