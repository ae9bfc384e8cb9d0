#include "nope/stats.h"

/* (layer, pos) moments, row-major by layer. */
static nope_moments attn_moments[NOPE_MAX_LAYERS * NOPE_MAX_SEQ];
static nope_moments hid_moments[NOPE_MAX_LAYERS * NOPE_MAX_SEQ];
static uint32_t stats_seq;

void nope_stats_reset(const nope_config *cfg)
{
    static const nope_moments zero;
    stats_seq = cfg->seq;
    for (uint32_t k = 0; k < cfg->layers * cfg->seq; k++) {
        attn_moments[k] = zero;
        hid_moments[k] = zero;
    }
}

void nope_stats_add_attn(uint32_t layer, uint32_t pos, nope_acc_t attn_var)
{
    nope_moments_add(&attn_moments[layer * stats_seq + pos], attn_var);
}

void nope_stats_add_hid(uint32_t layer, uint32_t pos, nope_acc_t hid_var)
{
    nope_moments_add(&hid_moments[layer * stats_seq + pos], hid_var);
}

const nope_moments *nope_stats_attn(uint32_t layer, uint32_t pos)
{
    return &attn_moments[layer * stats_seq + pos];
}

const nope_moments *nope_stats_hid(uint32_t layer, uint32_t pos)
{
    return &hid_moments[layer * stats_seq + pos];
}

bool nope_summary_has_theory(uint32_t layer)
{
    return layer == 0;
}
