/* The statistics: per layer and position, moments over trials of the attention-output variance
 * and of the residual-stream variance (stats.c, shared by both modes). Their summary for the
 * report is nope/summary.h. */
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

/* Forget everything accumulated, the numeric mode's counters too (sizes come from cfg, checked
 * against capacity). */
void nope_stats_reset(const nope_config *cfg);

/* One trial's statistic for layer (0-based) and position (0-based). */
void nope_stats_add(nope_stat stat, uint32_t layer, uint32_t pos, nope_acc_t v);

/* Add the sums of other trials (a shard's, nope/partial.h); false as nope_moments_merge. */
bool nope_stats_merge(nope_stat stat, uint32_t layer, uint32_t pos, const nope_moments *from);

const nope_moments *nope_stats_get(nope_stat stat, uint32_t layer, uint32_t pos);

#endif
