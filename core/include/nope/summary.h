/* The summary of the statistics for the report, in decimals ready to print (layer and pos
 * 0-based): means, standard errors, layer 1's theory, slopes, the ratio to theory and the mode's
 * own notes. One implementation per numeric mode, each the other's twin: summary_f32.c in
 * double arithmetic, summary_fixed.c in exact integers. */
#ifndef NOPE_SUMMARY_H
#define NOPE_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/stats.h"

/* One row of the report's table. */
typedef struct {
    nope_dec var[NOPE_STAT_COUNT], se[NOPE_STAT_COUNT]; /* mean over trials, standard error */
    nope_dec attn_theory;                               /* layer 1 only: see nope_summary_has_theory */
    nope_dec attn_theory2; /* layer 1 only, NaN where nope_summary_theory2_defined is false */
} nope_summary_row;

/* Whether the report gives a theory for the layer: layer 1's only (0-based 0). */
static inline bool nope_summary_has_theory(uint32_t layer)
{
    return layer == 0;
}

/* The mean over trials of a statistic's sums and its standard error (a trained run's loss). */
void nope_summary_mean_se(const nope_moments *m, uint32_t trials, nope_dec *mean, nope_dec *se);

void nope_summary_row_get(const nope_config *cfg, uint32_t layer, uint32_t pos, nope_summary_row *row);

/* LayerNorm's factor c = v / (v + eps), v = s^2 (d-1)/d, s the input scale. */
nope_dec nope_summary_theory_c(const nope_config *cfg);

/* Least-squares slope of log(mean variance) against log(position), over all positions. */
nope_dec nope_summary_slope(const nope_config *cfg, uint32_t layer, nope_stat stat);

/* The numeric mode's own comment lines for the report ("saturations=0"): note k into buf
 * (NOPE_SUMMARY_NOTE_MAX bytes), false when there is no note k. */
#define NOPE_SUMMARY_NOTE_MAX 192
bool nope_summary_note(const nope_config *cfg, uint32_t k, char *buf);

/* The numeric mode's warning k (why its results cannot be trusted: "saturations=3: ..."), into
 * buf as for notes; false when there is no warning k. */
bool nope_summary_warning(const nope_config *cfg, uint32_t k, char *buf);

/* Mean over positions of layer 1's measured / theory ratio. */
nope_dec nope_summary_ratio(const nope_config *cfg);

/* Layer 1's theory beyond first order (nope/theory2.h): d^2 sigma^4 c G(m). Whether it is
 * computed for cfg, and the logits' scale s = sigma^2 d c it depends on. */
bool nope_summary_theory2_defined(const nope_config *cfg);
nope_dec nope_summary_theory2_scale(const nope_config *cfg);

/* Layer 1's measured / theory2 over positions: the mean, and the ratio furthest from 1 with its
 * position (0-based). For a defined theory2 only. */
void nope_summary_ratio2(const nope_config *cfg, nope_dec *mean, nope_dec *worst, uint32_t *worst_pos);

#endif
