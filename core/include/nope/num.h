/* The numeric mode: what a number is in the model (nope_num_t), what a statistic is
 * (nope_acc_t), its sums over trials (nope_moments, nope_moments_add), how a drawn value becomes
 * a number (nope_num_from_draw), the kernels' per-run constants (nope_kern_params) and the
 * mode's name in the report (NOPE_NUM_NAME). The model and the experiment are written once over
 * these; each mode defines them in its own header (nope/num_f32.h, nope/num_fixed.h) and
 * implements them in kernels_<mode>.c and summary_<mode>.c. */
#ifndef NOPE_NUM_H
#define NOPE_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32
#include "nope/num_f32.h"
#else
#include "nope/num_fixed.h"
#endif

/* into += from: the sums of two sets of trials (a merge of shards); false, into unchanged, when
 * the result would leave the sums' range (only a forged partial gets there). */
bool nope_moments_merge(nope_moments *into, const nope_moments *from);

/* The moments as text (no ',' or whitespace) into buf of NOPE_MOMENTS_TEXT_MAX bytes, its
 * length; and back: false for text that nope_moments_text did not write. */
#define NOPE_MOMENTS_TEXT_MAX 192
size_t nope_moments_text(char *buf, const nope_moments *m);
bool nope_moments_from_text(nope_moments *m, const char *text, size_t len);

/* The mode's event counts since they were last reset, k < NOPE_NUM_COUNTERS (fixed point:
 * saturations, underflows; float32: sums that had to round): the report's notes and warnings
 * read them, a partial carries them, a merge adds them up. */
const char *nope_num_counter_name(unsigned k);
uint64_t nope_num_counter(unsigned k);
void nope_num_counter_add(unsigned k, uint64_t v);
void nope_num_counters_reset(void);

#endif
