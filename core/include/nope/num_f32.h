/* The float32 mode (NOPE_NUM == NOPE_NUM_F32): activations and weights are IEEE float32, every
 * operation rounded once (no FMA, no fast-math); statistics and their sums are IEEE double
 * (soft-float on small cores, and still the same bits, since libgcc's double routines are
 * correctly rounded). Included through nope/num.h; nope/num_fixed.h is its fixed-point twin and
 * defines the same names. */
#ifndef NOPE_NUM_F32_H
#define NOPE_NUM_F32_H

#include <stdint.h>

#include "nope/config.h"

#if NOPE_NUM != NOPE_NUM_F32
#error "nope/num_f32.h is the float32 mode's: include nope/num.h"
#endif

/* Activations and weights. */
typedef float nope_num_t;
/* A per-trial statistic and the sums over trials. */
typedef double nope_acc_t;
#define NOPE_NUM_NAME "f32"

/* Sums over trials of a statistic and of its square, each exact: an integer of words times
 * 2^exp, exp the lowest set bit of any value added (moments_f32.c). A sum is then the same bits
 * whatever the order of its terms, so shards of one run merge into the report of one run. The
 * square is v * v rounded to double once per trial, the same wherever it is made. Room: values
 * of one sum may span 2^55 (sum) and 2^119 (squares: v over 2^59) for 2^20 trials; beyond that a
 * sum rounds and the run counts it (nope_num_counter "inexact", with a warning). A sum that met
 * a non-finite value is NaN: exp NOPE_F32_SUM_NAN. */
#define NOPE_F32_SUM_WORDS 4
#define NOPE_F32_SQ_WORDS 6
#define NOPE_F32_SUM_NAN INT16_MIN
typedef struct {
    int16_t sum_exp, sq_exp;
    uint32_t sum[NOPE_F32_SUM_WORDS];
    uint32_t sq[NOPE_F32_SQ_WORDS];
} nope_moments;

/* sum += v, sum_sq += v * v; v >= 0 (a variance). */
void nope_moments_add(nope_moments *m, nope_acc_t v);

/* The sums, rounded once to the nearest double (NaN after a non-finite value). */
double nope_f32_moments_sum(const nope_moments *m);
double nope_f32_moments_sum_sq(const nope_moments *m);

/* The mode's counters (nope/num.h): sums that had to round. */
#define NOPE_NUM_COUNTERS 1

/* A drawn integer in units of 2^-NOPE_DRAW_FRAC_BITS: exact, |q| < 2^24. */
static inline nope_num_t nope_num_from_draw(int32_t q)
{
    return (float)q * (1.0f / (float)(1L << NOPE_DRAW_FRAC_BITS));
}

/* The per-run constants of kernels_f32.c. */
typedef struct nope_kern_params {
    float eps;        /* LayerNorm epsilon, the float nearest the decimal given */
    float attn_scale; /* 1 / sqrt(d / heads) */
} nope_kern_params;

#endif
