/* The numeric mode: what a number is in the model (nope_num_t), what a statistic is
 * (nope_acc_t), and how a drawn value becomes a number. The model and the experiment are
 * written once over these; kernels_<mode>.c and summary_<mode>.c implement each mode. */
#ifndef NOPE_NUM_H
#define NOPE_NUM_H

#include <stdint.h>

#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32

/* Activations and weights: IEEE float32, every operation rounded once (no FMA, no fast-math). */
typedef float nope_num_t;
/* A per-trial statistic and the sums over trials: IEEE double (soft-float on small cores, and
 * still the same bits, since libgcc's double routines are correctly rounded). */
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

#else
#include "nope/num_fixed.h"
#endif

#endif
