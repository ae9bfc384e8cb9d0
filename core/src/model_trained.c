/* A trained model through the random experiment's forward (nope/trained.h): the hooks model.c
 * calls, the embedded input, and the final LayerNorm, tied head and loss after the last layer. */
#include "nope/trained.h"

#if NOPE_NUM == NOPE_NUM_FIXED
#include "nope/math_fixed.h"
#else
#include "nope/math_float.h"
#endif
#include "nope/model.h"
#include "nope/stats.h"
#include "nope/text_windows.h"
#include "nope/wide.h"

/* The model of the run under way (NULL: the random model). Nothing else is static here: a random
 * run on the 16 KB micro:bit has not a byte to spare. */
static const nope_model_file *current;

const nope_model_file *nope_trained_model(void)
{
    return current;
}

void nope_trained_select(const nope_model_file *mf)
{
    current = mf;
}

nope_weights nope_trained_weights(uint32_t layer, uint32_t which)
{
    static const nope_mf_tensor tensor[] = {NOPE_MF_WQ, NOPE_MF_WK, NOPE_MF_WV, NOPE_MF_WO, NOPE_MF_W1, NOPE_MF_W2};
    nope_weights w = {{0}, 0, 0, 0, NULL};
    w.stored = current->bytes + nope_mf_tensor_offset(&current->dims, tensor[which], layer);
    return w;
}

/* Value k of a tensor whose bytes start at p, as this build's number (nope_model_file_num without
 * finding the tensor again: the hot loops below read thousands of values per position). */
static inline nope_num_t num_at(const uint8_t *p, size_t k)
{
#if NOPE_NUM == NOPE_NUM_F32
    return nope_mf_f32_from_bits(nope_mf_load_u32(p + 4 * k));
#else
    /* the embedding and LayerNorm tensors: the activation format */
    return nope_trained_activation_from_bits(nope_mf_load_u32(p + 4 * k));
#endif
}

static const uint8_t *tensor_bytes(nope_mf_tensor t, uint32_t layer)
{
    return current->bytes + nope_mf_tensor_offset(&current->dims, t, layer);
}

/* x = g x + b, entry by entry: float32 with one rounding per operation (no FMA), or fixed point
 * with the product rounded once (nope_fx_mul) and the sum saturated. */
static void affine(nope_num_t *x, size_t n, nope_mf_tensor gain, uint32_t layer)
{
    const uint8_t *gains = tensor_bytes(gain, layer), *biases = tensor_bytes((nope_mf_tensor)(gain + 1), layer);
    for (size_t i = 0; i < n; i++) {
        nope_num_t g = num_at(gains, i), b = num_at(biases, i);
#if NOPE_NUM == NOPE_NUM_F32
        x[i] = x[i] * g + b;
#else
        x[i] = nope_fx_sat32((int64_t)nope_fx_mul(x[i], g) + b);
#endif
    }
}

void nope_trained_layernorm_affine(nope_num_t *rows, size_t n_rows, size_t d, uint32_t layer, nope_mf_tensor gain)
{
    if (current == NULL)
        return; /* the random model: gain 1, bias 0, nothing to do */
    for (size_t r = 0; r < n_rows; r++)
        affine(rows + r * d, d, gain, layer);
}

/* logits[t] = z . E[t], one at a time (the vocabulary may be larger than any buffer): float32
 * summed in ascending i; fixed point exact in a wide sum, rounded once to Q(F) (int64: no
 * saturation, a logit may exceed the activations' +-128). */
#if NOPE_NUM == NOPE_NUM_F32
typedef float logit_t;
#else
typedef int64_t logit_t;
#endif
static logit_t logit(const nope_num_t *z, size_t d, const uint8_t *embed, uint32_t token)
{
    const uint8_t *row = embed + 4 * (size_t)token * d;
#if NOPE_NUM == NOPE_NUM_F32
    float dot = 0.0f;
    for (size_t i = 0; i < d; i++)
        dot += z[i] * num_at(row, i);
    return dot;
#else
    nope_wide_sum dot = {0, 0};
    for (size_t i = 0; i < d; i++)
        nope_wide_sum_add(&dot, (int64_t)z[i] * num_at(row, i));
    dot = nope_wide_sum_norm(dot); /* dot = hi 2^32 + lo, |hi| < d 2^30 */
    /* round(dot / 2^F) = round((hi 2^(32-F) + lo / 2^F)): exact in int64 since |hi| < 2^40. */
    int64_t whole = dot.hi * ((int64_t)1 << (32 - NOPE_Q_FRAC));
    return whole + (int64_t)((dot.lo + (UINT64_C(1) << (NOPE_Q_FRAC - 1))) >> NOPE_Q_FRAC);
#endif
}

/* -log2 softmax(z E^T)[target], in bits, in the statistic's format: the largest logit first,
 * then the sum of exp(logit - largest) in a second pass over the vocabulary. */
static nope_acc_t loss_bits(const nope_num_t *z, size_t d, uint32_t vocab, uint32_t target)
{
    const uint8_t *embed = tensor_bytes(NOPE_MF_EMBED, 0);
    logit_t top = logit(z, d, embed, 0), mine = 0;
    for (uint32_t t = 1; t < vocab; t++) {
        logit_t l = logit(z, d, embed, t);
        top = l > top ? l : top;
    }
#if NOPE_NUM == NOPE_NUM_F32
    float total = 0.0f; /* ascending t, each term in (0, 1] */
    for (uint32_t t = 0; t < vocab; t++) {
        logit_t l = logit(z, d, embed, t);
        total += nope_f32_exp(l - top);
        if (t == target)
            mine = l;
    }
    /* ln(total) + (top - mine) nats, in bits: double from here, like the statistics. */
    return ((double)nope_f32_log(total) + ((double)top - (double)mine)) * 1.4426950408889634;
#else
    /* e^-(top - l) in Q31 (nope_fx_exp_neg_q31, 0 beyond 22 nats); total >= 2^31 - 1 (the top
     * term, e^0 = 2^31 held as 2^31 - 1) and <= vocab 2^31 < 2^55. */
    uint64_t total = 0;
    for (uint32_t t = 0; t < vocab; t++) {
        logit_t l = logit(z, d, embed, t);
        uint64_t gap = (uint64_t)(top - l); /* Q(F), >= 0 */
        uint32_t e = gap >> (NOPE_Q_FRAC + 5) ? 0u : nope_fx_exp_neg_q31(gap << (32 - NOPE_Q_FRAC));
        total += e > INT32_MAX ? (uint32_t)INT32_MAX : e;
        if (t == target)
            mine = l;
    }
    /* bits = log2(total / 2^31) + (top - mine) log2(e), in Q30, then Q(2F) for the statistic:
     * log2(e) in Q30 is 1549082005 (1.4426950409 * 2^30, rounded). */
    int64_t lse_q30 = nope_fx_log2_q30(total) - ((int64_t)31 << 30);
    uint64_t gap = (uint64_t)(top - mine); /* Q(F); capped at 2^32 (256 nats) so the product fits */
    gap = gap > (UINT64_C(1) << 32) ? UINT64_C(1) << 32 : gap;
    int64_t gap_q30 = nope_fx_round_shr((int64_t)gap * 1549082005, NOPE_Q_FRAC);
    int64_t bits_q30 = lse_q30 + gap_q30;
    return bits_q30 <= 0 ? 0u : (uint64_t)bits_q30 << (NOPE_FX_STAT_FRAC - 30);
#endif
}

/* The final LayerNorm with its gain and bias, the tied head and the loss, position by position. */
static void add_losses(const nope_config *cfg, const nope_kern_params *kp, const uint8_t *window, nope_moments *loss)
{
    const nope_num_t *x = nope_model_resid();
    nope_num_t final_z[NOPE_MAX_D]; /* one position's LN(x; gf, bf) */
    for (uint32_t m = 0; m < cfg->seq; m++) {
        nope_kern_layernorm(final_z, x + (size_t)m * cfg->d, cfg->d, kp);
        affine(final_z, cfg->d, NOPE_MF_LNF_GAIN, 0);
        nope_moments_add(&loss[m], loss_bits(final_z, cfg->d, cfg->vocab, window[m + 1]));
    }
}

/* x_m = E[t_m] for the window's first seq bytes. */
static void embed(const nope_config *cfg, const uint8_t *window)
{
    nope_num_t *x = nope_model_resid();
    const uint8_t *embed = tensor_bytes(NOPE_MF_EMBED, 0);
    for (uint32_t m = 0; m < cfg->seq; m++)
        for (uint32_t i = 0; i < cfg->d; i++)
            x[(size_t)m * cfg->d + i] = num_at(embed, (size_t)window[m] * cfg->d + i);
}

/* The kernels' constants with the model's own epsilon, exactly its float32 (the config's decimal
 * is for the report). */
static nope_kern_params params_for(const nope_config *cfg, uint32_t eps_bits)
{
    nope_kern_params kp = *nope_kern_params_init(cfg);
#if NOPE_NUM == NOPE_NUM_F32
    kp.eps = nope_mf_f32_from_bits(eps_bits);
#else
    /* eps = m 2^(e - 150), a normal float in 1e-12 .. 1: in Q58, m 2^(e - 92), rounded to nearest
     * (ties up) when e < 92; below 2^59 since eps <= 1. */
    uint64_t m = (eps_bits & UINT32_C(0x7fffff)) | UINT32_C(0x800000);
    int s = (int)((eps_bits >> 23) & 0xffu) - 92;
    kp.eps_q58 = s >= 0 ? m << s : (m + (UINT64_C(1) << (-s - 1))) >> -s;
#endif
    return kp;
}

nope_status nope_trained_run(const nope_config *cfg, const nope_trained_inputs *in, nope_moments *loss,
                             nope_progress_fn progress, void *ctx)
{
    const nope_kern_params kp = params_for(cfg, in->model.dims.eps_bits);
    nope_stats_reset(cfg);
    for (uint32_t m = 0; m < cfg->seq; m++)
        loss[m] = (nope_moments){0};
    nope_trained_select(&in->model);
    for (uint32_t t = 0; t < cfg->trials; t++) {
        const uint8_t *window = in->text + nope_text_window_offset(cfg->seed, t, in->text_len, cfg->seq);
        embed(cfg, window);
        nope_model_run_layers(cfg, &kp, t);
        add_losses(cfg, &kp, window, loss);
        if (progress)
            progress(ctx, t + 1, cfg->trials);
    }
    nope_trained_select(NULL);
    return NOPE_OK;
}
