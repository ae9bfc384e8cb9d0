/* The statistics: per layer and position, moments over trials of the attention-output variance
 * and of the residual-stream variance (stats.c, shared by both modes), and their summary for the
 * report: means, standard errors, layer 1's theory, slopes (summary_<mode>.c). */
#ifndef NOPE_STATS_H
#define NOPE_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/num.h"

/* What is measured at each layer and position, per trial: the variance of the attention
 * output, and of the residual stream after the whole block. Code that depends on one is a switch
 * without default or a loop up to NOPE_STAT_COUNT. */
typedef enum { NOPE_STAT_ATTN = 0, NOPE_STAT_HID = 1, NOPE_STAT_COUNT = 2 } nope_stat;

/* Its name in the report ("attn", "hid"): the columns' prefix and the slopes' key. */
const char *nope_stat_name(nope_stat stat);

/* Forget everything accumulated (sizes come from cfg, checked against capacity). */
void nope_stats_reset(const nope_config *cfg);

/* One trial's statistic for layer (0-based) and position (0-based). */
void nope_stats_add(nope_stat stat, uint32_t layer, uint32_t pos, nope_acc_t v);

const nope_moments *nope_stats_get(nope_stat stat, uint32_t layer, uint32_t pos);

/* ---- Summary, in decimals ready for the report (layer and pos 0-based) ---- */
typedef struct {
    nope_dec var[NOPE_STAT_COUNT], se[NOPE_STAT_COUNT]; /* mean over trials, standard error */
    nope_dec attn_theory; /* layer 1 only: see nope_summary_has_theory */
} nope_summary_row;

bool nope_summary_has_theory(uint32_t layer);
void nope_summary_row_get(const nope_config *cfg, uint32_t layer, uint32_t pos, nope_summary_row *row);

/* LayerNorm's factor c = v / (v + eps), v = s^2 (d-1)/d, s the input scale. */
nope_dec nope_summary_theory_c(const nope_config *cfg);

/* Least-squares slope of log(mean variance) against log(position), over all positions. */
nope_dec nope_summary_slope(const nope_config *cfg, uint32_t layer, nope_stat stat);

/* The numeric mode's own comment lines for the report ("saturations=0"): note k into buf
 * (NOPE_SUMMARY_NOTE_MAX bytes), false when there is no note k. */
#define NOPE_SUMMARY_NOTE_MAX 128
bool nope_summary_note(const nope_config *cfg, uint32_t k, char *buf);

/* Mean over positions of layer 1's measured / theory ratio. */
nope_dec nope_summary_ratio(const nope_config *cfg);

#endif
