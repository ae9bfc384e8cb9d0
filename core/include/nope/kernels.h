/* The numeric kernels of the forward pass, one implementation per numeric mode
 * (core/src/kernels_f32.c, core/src/kernels_fixed.c).
 *
 * Every kernel fixes the order of its arithmetic per output element (sums run in ascending
 * index, nothing is reassociated), so how a target schedules the loops, or vectorises them,
 * never changes a bit of the result. Buffers are the caller's; shapes are in comments. */
#ifndef NOPE_KERNELS_H
#define NOPE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/num.h"
#include "nope/rng.h"

/* A weight matrix that exists only as a random stream, drawn as N(0, scale^2) with
 * scale = scale_q * 2^-NOPE_SCALE_FRAC_BITS. A product reads W[i][j] = element
 * i * row_stride + col0 + j of `stream`: the whole matrix when row_stride is 0 (meaning the
 * product's n_out) and col0 is 0, or a strip of its columns (one head's). */
typedef struct {
    nope_rng_stream stream;
    uint32_t scale_q;
    uint32_t row_stride; /* columns of the whole matrix; 0 for "the product's n_out" */
    uint32_t col0;       /* the strip's first column */
    /* A trained model's matrix instead of the stream (core/src/weights_stored.c): element e is
     * the little-endian float32 at stored + 4 e, read where it lies (a board's flash), converted
     * as nope_model_file_num does. NULL: drawn. */
    const uint8_t *stored;
} nope_weights;

static inline uint64_t nope_weights_element(const nope_weights *w, size_t n_out, size_t i, size_t j)
{
    return (uint64_t)i * (w->row_stride ? w->row_stride : n_out) + w->col0 + j;
}

/* wbuf (n_rows, n_cols) = W[row0 .. row0+n_rows)[col0 .. col0+n_cols) of a stored matrix (w->stored),
 * what drawing the block would give for a drawn one: float32 as is, or fixed point in the
 * matmul's weight format, Q20 rounded and saturated (docs/model-format.md, "Fixed point"). */
void nope_weights_stored_block(nope_num_t *wbuf, const nope_weights *w, size_t n_out, size_t row0, size_t n_rows,
                               size_t col0, size_t n_cols);

/* The drawn value W[i][j] as a number (for tests and references). */
nope_num_t nope_kern_weight(const nope_weights *w, size_t n_out, size_t i, size_t j);

/* out (rows, n_out) = in (rows, n_in) x W (n_in, n_out); W is drawn into wbuf (wbuf_cap >= 1
 * values) as many rows at a time as fit, or in strips of columns when not even one row fits.
 * out[r][j] = sum over i ascending, whatever wbuf_cap: the result does not depend on it. */
void nope_kern_matmul_drawn(nope_num_t *out, const nope_num_t *in, size_t rows, size_t n_in, size_t n_out,
                            const nope_weights *w, nope_num_t *wbuf, size_t wbuf_cap);

/* out (n) = LayerNorm(x) with gamma = 1, beta = 0 and epsilon inside the square root. */
void nope_kern_layernorm(nope_num_t *out, const nope_num_t *x, size_t n, const nope_kern_params *kp);

/* out (rows, n) = LayerNorm of each row of x (rows, n): the same bits as nope_kern_layernorm row by
 * row, with the rows' sums interleaved where that is faster. */
void nope_kern_layernorm_rows(nope_num_t *out, const nope_num_t *x, size_t rows, size_t n, const nope_kern_params *kp);

/* p (n) = softmax(scores) in place; p is non-negative and sums to 1 within rounding. */
void nope_kern_softmax(nope_num_t *p, size_t n);

/* Causal attention of one query over keys/values 0..n_keys-1 for one head of width dh:
 * o (dh) = sum_n softmax_n(q . k_n / sqrt(dh)) v_n; key n starts at keys + n*stride.
 * scores (n_keys) is scratch. o may be q itself: q is read in full before o is written. */
void nope_kern_attend(nope_num_t *o, const nope_num_t *q, const nope_num_t *keys, const nope_num_t *values,
                      size_t n_keys, size_t dh, size_t stride, nope_num_t *scores, const nope_kern_params *kp);

/* x (n) = act(x) in place: ReLU, or GELU in its tanh form. */
void nope_kern_activate(nope_num_t *x, size_t n, nope_act act);

/* y (n) += x (n). */
void nope_kern_add(nope_num_t *y, const nope_num_t *x, size_t n);

/* The unbiased variance over the n >= 2 entries of y: sum of squared deviations from their
 * mean, divided by n - 1, computed in the statistics format. */
nope_acc_t nope_kern_var_unbiased(const nope_num_t *y, size_t n);

/* The per-run constants each mode derives once from the configuration (epsilon, 1/sqrt(d/H),
 * ...; nope_kern_params, defined by nope/num_<mode>.h), in storage owned by the kernels. */
const nope_kern_params *nope_kern_params_init(const nope_config *cfg);

#if NOPE_NUM == NOPE_NUM_F32
/* The scalar GELU, exposed for its unit test. */
float nope_kern_gelu_f32(float x);
#endif

#endif
