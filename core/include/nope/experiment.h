/* The experiment: T trials of the model, each with weights and inputs drawn afresh from
 * (seed, trial), their variances gathered into the statistics. */
#ifndef NOPE_EXPERIMENT_H
#define NOPE_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"

/* The defaults of the host program (issue #2): d=64, heads=4, layers=4, ffn=4d, seq=64,
 * vocab=256, sigma=sigma_in=0.02, eps=1e-5, relu, gaussian, 1000 trials, seed 1. */
void nope_experiment_defaults(nope_config *cfg);

/* NOPE_OK, or the first dimension over capacity (NOPE_ERR_CAPACITY) or out of range
 * (NOPE_ERR_ARG). Nothing is run. */
nope_status nope_experiment_check(const nope_config *cfg);

/* Called after each trial; may be NULL. */
typedef void (*nope_progress_fn)(void *ctx, uint32_t trials_done, uint32_t trials_total);

/* The trials [*first, *end) this run makes: all of them, or shard k of K's share,
 * [floor((k-1) T / K), floor(k T / K)): every trial in exactly one shard. */
void nope_experiment_trials(const nope_config *cfg, uint32_t *first, uint32_t *end);

/* Check, then run the trials (all, or the shard's). The results stay in the statistics for
 * nope_report_write or nope_partial_write. */
nope_status nope_experiment_run(const nope_config *cfg, nope_progress_fn progress, void *ctx);

#endif
