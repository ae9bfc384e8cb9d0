#include "nope/experiment.h"

#include "nope/decimal.h"
#include "nope/kernels.h"
#include "nope/model.h"
#include "nope/stats.h"

void nope_experiment_defaults(nope_config *cfg)
{
    static const nope_config zero;
    *cfg = zero;
    cfg->d = 64;
    cfg->heads = 4;
    cfg->layers = 4;
    cfg->ffn = 4 * 64;
    cfg->seq = 64;
    cfg->vocab = 256;
    cfg->trials = 1000;
    cfg->sigma = nope_dec_make(2, -2, false);
    cfg->sigma_in = nope_dec_make(2, -2, false);
    cfg->eps = nope_dec_make(1, -5, false);
    cfg->act = NOPE_ACT_RELU;
    cfg->input = NOPE_INPUT_GAUSSIAN;
    cfg->seed = 1;
    uint64_t scale_q = 0;
    nope_dec_to_ufix(&cfg->sigma, NOPE_SCALE_FRAC_BITS, &scale_q);
    cfg->sigma_q = (uint32_t)scale_q;
    cfg->sigma_in_q = (uint32_t)scale_q;
}

nope_status nope_experiment_check(const nope_config *cfg)
{
    if (cfg->d > NOPE_MAX_D || cfg->heads > NOPE_MAX_HEADS || cfg->layers > NOPE_MAX_LAYERS ||
        cfg->ffn > NOPE_MAX_FFN || cfg->seq > NOPE_MAX_SEQ || cfg->vocab > NOPE_MAX_VOCAB ||
        cfg->trials > NOPE_MAX_TRIALS || (cfg->heads > 0 && cfg->d / cfg->heads > NOPE_MAX_HEAD_DIM))
        return NOPE_ERR_CAPACITY;
    if (cfg->d < 2 || cfg->heads < 1 || cfg->d % cfg->heads != 0 || cfg->layers < 1 || cfg->ffn < 1 || cfg->seq < 2 ||
        cfg->vocab < 1 || cfg->trials < 2 || cfg->sigma_q == 0 || cfg->sigma_in_q == 0 ||
        (cfg->shards > 0 && (cfg->shard < 1 || cfg->shard > cfg->shards || cfg->shards > cfg->trials)))
        return NOPE_ERR_ARG;
    return NOPE_OK;
}

nope_status nope_experiment_run(const nope_config *cfg, nope_progress_fn progress, void *ctx)
{
    nope_status status = nope_experiment_check(cfg);
    if (status != NOPE_OK)
        return status;
    const nope_kern_params *kp = nope_kern_params_init(cfg);
    nope_stats_reset(cfg);
    uint32_t first, end;
    nope_experiment_trials(cfg, &first, &end);
    for (uint32_t t = first; t < end; t++) {
        nope_model_run_trial(cfg, kp, t);
        if (progress)
            progress(ctx, t + 1 - first, end - first);
    }
    return NOPE_OK;
}

void nope_experiment_trials(const nope_config *cfg, uint32_t *first, uint32_t *end)
{
    *first = 0;
    *end = cfg->trials;
    if (cfg->shards > 0) {
        *first = (uint32_t)((uint64_t)(cfg->shard - 1) * cfg->trials / cfg->shards);
        *end = (uint32_t)((uint64_t)cfg->shard * cfg->trials / cfg->shards);
    }
}
