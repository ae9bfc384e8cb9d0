/* The variance experiment on a trained model (docs/science.md, "Trained models"): the random
 * experiment's forward (model.c and the kernels) with a second source of weights, a model file
 * (nope/model_file.h) read where it lies, and windows of held-out text for inputs
 * (nope/text_windows.h). The core reads nothing itself: the program hands it the bytes (a host
 * reads the files, a board links them into flash), and no copy of a weight is made beyond the
 * matmul's weight buffer.
 *
 * Each trial: the window's first seq bytes are embedded (x_m = E[t_m]); every layer runs as for
 * the random model plus the LayerNorm gains and biases; the report's attn_var and hid_var come
 * from the same places; then z = LN(x; gf, bf), logits = z E^T (the tied head) and the loss at
 * position m is -log2 softmax(logits_m)[t_(m+1)], bits per byte. */
#ifndef NOPE_TRAINED_H
#define NOPE_TRAINED_H

#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/experiment.h"
#include "nope/kernels.h"
#include "nope/model_file.h"
#include "nope/num.h"
#include "nope/writer.h"

/* What a trained run reads: a parsed model and the held-out text, and their checksums for the
 * report. */
typedef struct {
    nope_model_file model; /* nope_model_file_parse'd: NOPE_MF_OK */
    const uint8_t *text;
    uint64_t text_len;
    uint32_t text_crc; /* nope_crc32 of the text's bytes */
} nope_trained_inputs;

/* cfg (flags parsed, cfg->model set) completed from the model: its shape, epsilon and
 * activation, and seq (the model's unless --seq asks for fewer). NOPE_OK, or NOPE_ERR_ARG with one
 * line in err (NOPE_CLI_ERR_MAX bytes) naming the problem: a flag that disagrees with the model
 * (both values), --seq over the model's, a flag a trained model has no use for, a text shorter
 * than one window or with a byte outside the model's vocabulary. */
nope_status nope_trained_configure(nope_config *cfg, const nope_trained_inputs *in, char *err);

/* The trials of cfg on the model and text, gathering the statistics (nope_stats_*) and into
 * loss[m] (cfg->seq entries) the sums over trials of the loss at position m (0-based), bits per
 * byte in the statistic's format (a double; Q(2F) in fixed point). The loss sums are the caller's
 * memory, not static: a random run on a 16 KB board must not pay for them. cfg from
 * nope_trained_configure. */
nope_status nope_trained_run(const nope_config *cfg, const nope_trained_inputs *in, nope_moments *loss,
                             nope_progress_fn progress, void *ctx);

/* ---- The hooks model.c calls: no effect (not even arithmetic) for the random model ---- */

/* The model of the run under way; NULL outside nope_trained_run (the random model). */
const nope_model_file *nope_trained_model(void);

/* Makes mf (parsed) the model the hooks read, or NULL for the random model: nope_trained_run does
 * this around its trials; tests call it directly. */
void nope_trained_select(const nope_model_file *mf);

/* Matrix `which` (NOPE_W_Q .. NOPE_W_2) of layer as a weight source, read from the file. */
nope_weights nope_trained_weights(uint32_t layer, uint32_t which);

/* rows (n_rows, d) of LayerNorm output: each entry i becomes g_i v + b_i with the gain and bias of
 * LayerNorm `gain` (NOPE_MF_LN1_GAIN or NOPE_MF_LN2_GAIN) of layer. Nothing for the random model. */
void nope_trained_layernorm_affine(nope_num_t *rows, size_t n_rows, size_t d, uint32_t layer, nope_mf_tensor gain);

#if NOPE_NUM == NOPE_NUM_FIXED
/* nope_mf_fixed_from_bits(bits, activation format Q(NOPE_Q_FRAC) over int32), the same integer,
 * inline for the common case: the loss reads vocab x d embedding values per position. A normal
 * float m 2^(e-150) is m 2^-k in Q(F) with k = 150 - e - F: for -7 <= k <= 0 exactly m 2^-k (below
 * 2^31: nothing saturates), for 1 <= k <= 40 rounded to nearest with ties towards +infinity as
 * the file's rule says; anything else (zero, subnormal, |x| >= 2^(31-F), NaN) goes the general
 * way. test_trained.c compares the two over every exponent. */
static inline int32_t nope_trained_activation_from_bits(uint32_t bits)
{
    const uint32_t e = (bits >> 23) & 0xffu;
    const int k = 150 - (int)e - NOPE_Q_FRAC;
    if (e != 0 && e != 0xffu && k >= -7 && k <= 40) {
        const uint64_t m = (bits & UINT32_C(0x7fffff)) | UINT32_C(0x800000);
        const int negative = (int)(bits >> 31);
        uint64_t mag = k <= 0 ? m << -k : (m + (UINT64_C(1) << (k - 1)) - (uint64_t)negative) >> k;
        return negative ? -(int32_t)mag : (int32_t)mag;
    }
    const nope_mf_fixed_format f = {NOPE_Q_FRAC, INT32_MIN, INT32_MAX};
    return nope_mf_fixed_from_bits(bits, f, NULL);
}
#endif

/* ---- The report ---- */

/* The trained run's report (the layout in nope/report.h, "A trained model"). */
void nope_trained_report_write(const nope_config *cfg, const nope_trained_inputs *in, const nope_moments *loss,
                               const nope_sink *sink);

/* Its warning k (as nope_report_warning), false when there is none. */
bool nope_trained_report_warning(const nope_config *cfg, const nope_trained_inputs *in, uint32_t k, char *buf);

#endif
