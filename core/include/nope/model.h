/* The model of docs/science.md: pre-LN causal transformer, no positional
 * embeddings, no biases, weights drawn afresh per trial from (seed, trial, layer, matrix). */
#ifndef NOPE_MODEL_H
#define NOPE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/kernels.h"

/* The six matrices of a layer, in the order of their random streams. */
enum { NOPE_W_Q = 0, NOPE_W_K = 1, NOPE_W_V = 2, NOPE_W_O = 3, NOPE_W_1 = 4, NOPE_W_2 = 5 };

/* Weight matrix `which` of `layer` in `trial` (scale sigma). */
nope_weights nope_model_weights(const nope_config *cfg, uint32_t trial, uint32_t layer, uint32_t which);

/* Draw trial's input sequence into x (seq, d): gaussian vectors or embedded tokens. */
void nope_model_draw_input(nope_num_t *x, const nope_config *cfg, uint32_t trial);

/* Run one trial through every layer, adding each layer's per-position variances to the
 * statistics (nope_stats_add). cfg must be within capacity. */
void nope_model_run_trial(const nope_config *cfg, const nope_kern_params *kp, uint32_t trial);

/* The residual stream (seq, d) trials run through: a trained model's run (nope/trained.h) puts its
 * embedded tokens there and reads the last layer's output back. */
nope_num_t *nope_model_resid(void);

/* Every layer over the residual stream as it stands (nope_model_run_trial after its input). */
void nope_model_run_layers(const nope_config *cfg, const nope_kern_params *kp, uint32_t trial);

/* Workers this build's model can split a trial over (nope/parallel.h): NOPE_MAX_THREADS, or 1
 * in fixed point, whose kernels share an accumulator and a saturation count. */
uint32_t nope_model_max_workers(void);

/* Bytes of static memory the model's buffers take in this build. */
size_t nope_model_static_bytes(void);

#endif
