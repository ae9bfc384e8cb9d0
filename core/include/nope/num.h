/* The numeric mode: what a number is in the model (nope_num_t), what a statistic is
 * (nope_acc_t), its sums over trials (nope_moments, nope_moments_add), how a drawn value becomes
 * a number (nope_num_from_draw), the kernels' per-run constants (nope_kern_params) and the
 * mode's name in the report (NOPE_NUM_NAME). The model and the experiment are written once over
 * these; each mode defines them in its own header (nope/num_f32.h, nope/num_fixed.h) and
 * implements them in kernels_<mode>.c and summary_<mode>.c. */
#ifndef NOPE_NUM_H
#define NOPE_NUM_H

#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32
#include "nope/num_f32.h"
#else
#include "nope/num_fixed.h"
#endif

#endif
