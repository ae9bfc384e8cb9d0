/* The fixed-point mode (NOPE_NUM == NOPE_NUM_FIXED): every number is an integer, every
 * operation is integer arithmetic whose rounding is stated, and nothing depends on
 * implementation-defined behaviour (shifts of negative values go through nope_fx_floor_shr).
 * Included through nope/num.h; nope/num_f32.h is its float32 twin and defines the same names.
 *
 * Formats (Qm.n = sign, m integer bits, n fraction bits):
 *   activations  int32  Q(31-F).F, F = NOPE_Q_FRAC, default 24: range +-128, step 6e-8
 *   weights      int32  Q20, exactly the drawn integers (|w| < 2^24 for sigma <= 2)
 *   statistic    uint64 Q(2F): one trial's variance, exact up to its final rounding
 *   sums         exact: 96 bits for the statistic, 160 for its square (never overflow)
 *
 * Why F = 24: drawn inputs (a 2^-20 grid) convert exactly for any F >= 20; LayerNorm outputs
 * reach sqrt(d) <= 32 at the largest capacity, which leaves 4x headroom at F = 24; the smallest
 * signals (attention outputs near 1e-3 at the last position, variance 1e-6) keep 14 significant
 * bits. Against the float32 report for the same seed, a mean variance V of layer l differs by
 * at most 4 l 2^-F sqrt(V) + 2^-16 V (README states where; tests/scripts/fixed_vs_float.sh
 * checks it): the relative difference is about 2^-F / sqrt(V), small until a signal is only a
 * few steps wide, which the report counts as underflow (NOPE_FX_UNDERFLOW_VAR). Products
 * with weights are Q(F+20) in int64 and are rounded back once per output. Overflow policy:
 * saturate to the int32 range and count (nope_fx_saturations, printed by the report as
 * "# saturations=N", with a warning); the default configuration never saturates, --sigma 2 does. */
#ifndef NOPE_NUM_FIXED_H
#define NOPE_NUM_FIXED_H

#include <stdint.h>

#include "nope/config.h"
#include "nope/wide.h"

#if NOPE_NUM != NOPE_NUM_FIXED
#error "nope/num_fixed.h is the fixed-point mode's: include nope/num.h"
#endif

#ifndef NOPE_Q_FRAC
#define NOPE_Q_FRAC 24
#endif
#if NOPE_Q_FRAC < NOPE_DRAW_FRAC_BITS || NOPE_Q_FRAC > 26
#error "NOPE_Q_FRAC must be 20..26: >= 20 holds drawn values exactly, <= 26 holds LayerNorm's sqrt(d)"
#endif
#if NOPE_MAX_D > 1024 || NOPE_MAX_SEQ > 65536
#error "the fixed-point bounds are proven for NOPE_MAX_D <= 1024 (sums of squares) and NOPE_MAX_SEQ <= 65536 (slopes)"
#endif

#define NOPE_FX_STR2(x) #x
#define NOPE_FX_STR(x) NOPE_FX_STR2(x)

/* Activations: int32 with NOPE_Q_FRAC fraction bits. */
typedef int32_t nope_num_t;
/* One trial's variance: uint64 with 2 * NOPE_Q_FRAC fraction bits. */
typedef uint64_t nope_acc_t;
#define NOPE_NUM_NAME "fixed-q" NOPE_FX_STR(NOPE_Q_FRAC)
#define NOPE_FX_ONE ((int32_t)1 << NOPE_Q_FRAC)
#define NOPE_FX_STAT_FRAC (2 * NOPE_Q_FRAC)

/* Sums over trials of the statistic and of its square, both exact, so that shards of one run
 * merge, in any order, into the very bits of one run: v < 2^64 and at most 2^20 >= NOPE_MAX_TRIALS
 * trials give sum < 2^84 (3 words) and sum_sq < 2^148 (5 words). 32 bytes. */
#define NOPE_FX_SUM_WORDS 3
#define NOPE_FX_SQ_WORDS 5
typedef struct {
    uint32_t sum[NOPE_FX_SUM_WORDS];
    uint32_t sq[NOPE_FX_SQ_WORDS];
} nope_moments;

/* sum += v, sum_sq += v * v (moments_fixed.c). */
void nope_moments_add(nope_moments *m, nope_acc_t v);

/* The exact sum (< 2^84). */
static inline nope_u128 nope_fx_moments_sum(const nope_moments *m)
{
    nope_u128 r = {m->sum[2], (uint64_t)m->sum[1] << 32 | m->sum[0]};
    return r;
}

/* The mode's counters (nope/num.h): saturations, underflows. */
#define NOPE_NUM_COUNTERS 2

/* A drawn integer in units of 2^-20 as an activation: exact (|q| < 2^24, times 2^(F-20) <= 64). */
static inline nope_num_t nope_num_from_draw(int32_t q)
{
    return q * ((int32_t)1 << (NOPE_Q_FRAC - NOPE_DRAW_FRAC_BITS));
}

/* The per-run constants of kernels_fixed.c. */
typedef struct nope_kern_params {
    uint64_t eps_q58;        /* LayerNorm epsilon (<= 16) in Q58, rounded to nearest */
    uint32_t attn_scale_q31; /* 1 / sqrt(d / heads) in Q31, rounded to nearest */
} nope_kern_params;

/* Saturations since the run began (nope_kern_params_init resets it). */
uint64_t nope_fx_saturations(void);

/* A per-trial variance below 2^22 steps^2 (its vector's rms under 2^11 steps of 2^-F) is an
 * underflow: rounding each entry to the step can then move the variance by more than 2^-11
 * relative (about 2^-F / rms, docs/science.md), so the report counts them and warns. */
#define NOPE_FX_UNDERFLOW_VAR (UINT64_C(1) << 22)
/* Underflows since the run began (nope_kern_params_init resets it). */
uint64_t nope_fx_underflows(void);

#endif
