#include "nope/stats.h"

#include <stddef.h>

/* (layer, pos) moments of each statistic, row-major by layer. */
static nope_moments moments[NOPE_STAT_COUNT][NOPE_MAX_LAYERS * NOPE_MAX_SEQ];
static uint32_t stats_seq;

const char *nope_stat_name(nope_stat stat)
{
    switch (stat) {
    case NOPE_STAT_ATTN: return "attn";
    case NOPE_STAT_HID: return "hid";
    case NOPE_STAT_COUNT: break;
    }
    return NULL;
}

void nope_stats_reset(const nope_config *cfg)
{
    static const nope_moments zero;
    stats_seq = cfg->seq;
    nope_num_counters_reset();
    for (int s = 0; s < NOPE_STAT_COUNT; s++)
        for (uint32_t k = 0; k < cfg->layers * cfg->seq; k++)
            moments[s][k] = zero;
}

void nope_stats_add(nope_stat stat, uint32_t layer, uint32_t pos, nope_acc_t v)
{
    nope_moments_add(&moments[stat][layer * stats_seq + pos], v);
}

const nope_moments *nope_stats_get(nope_stat stat, uint32_t layer, uint32_t pos)
{
    return &moments[stat][layer * stats_seq + pos];
}

bool nope_stats_merge(nope_stat stat, uint32_t layer, uint32_t pos, const nope_moments *from)
{
    return nope_moments_merge(&moments[stat][layer * stats_seq + pos], from);
}
