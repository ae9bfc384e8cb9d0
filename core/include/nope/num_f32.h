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

/* Sums over trials of a statistic and of its square. */
typedef struct {
    double sum, sum_sq;
} nope_moments;

static inline void nope_moments_add(nope_moments *m, nope_acc_t v)
{
    m->sum += v;
    m->sum_sq += v * v;
}

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
