/* The training math of a pre-LN NoPE model (issue #10 part 2), float32 only: the parameters as
 * one flat array in the model file's order, a forward pass over a batch of byte windows that keeps
 * what the backward pass needs, the backward pass (every parameter's gradient), and AdamW with
 * clipping and a learning-rate schedule. docs/training.md gives the math and the orders.
 *
 * Like the rest of core/: no I/O, no allocation (every buffer is the caller's, sized by the
 * *_floats functions), no libm (nope/math_float.h). Every sum runs in one documented order
 * (ascending index, nothing reassociated) and each + and * rounds once (-ffp-contract=off), so
 * a gradient is the same bits from gcc or clang at any optimisation level. Compiled in the
 * float32 build only (NOPE_NUM == NOPE_NUM_F32): the fixed-point build has no float at all. */
#ifndef NOPE_TRAIN_H
#define NOPE_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"

/* ---- The model's shape and its parameters ---- */

typedef struct {
    uint32_t d, heads, layers, ffn, vocab, seq; /* seq: positions per window */
    nope_act act;
    float eps; /* LayerNorm epsilon, inside the square root */
} nope_train_shape;

/* A shape the functions below accept: every size >= 1, d >= 2, heads divides d, seq >= 1,
 * vocab >= 256 (windows are bytes, each a token id). */
bool nope_train_shape_ok(const nope_train_shape *s);

/* The tensors in the model file's order (issue #10, docs/model-format.md): the embedding, then
 * per layer LN1 gain and bias, Wq, Wk, Wv, Wo, LN2 gain and bias, W1, W2, then the final LN's
 * gain and bias. The numbers are the model file's tensor codes. The output head is the
 * embedding itself (tied), so it has no tensor. */
typedef enum {
    NOPE_TT_EMBED = 0, /* vocab x d: row t is token t's vector */
    NOPE_TT_LN1_GAIN = 1,
    NOPE_TT_LN1_BIAS = 2,
    NOPE_TT_WQ = 3, /* d x d, [in][out]: y = x W */
    NOPE_TT_WK = 4,
    NOPE_TT_WV = 5,
    NOPE_TT_WO = 6,
    NOPE_TT_LN2_GAIN = 7,
    NOPE_TT_LN2_BIAS = 8,
    NOPE_TT_W1 = 9,  /* d x ffn */
    NOPE_TT_W2 = 10, /* ffn x d */
    NOPE_TT_LNF_GAIN = 11,
    NOPE_TT_LNF_BIAS = 12
} nope_train_kind;

typedef struct {
    nope_train_kind kind;
    uint32_t layer;    /* 0-based; 0 for the embedding and the final LN */
    size_t offset;     /* first value in the flat array */
    size_t rows, cols; /* row-major; a vector has rows 1 */
    bool decay;        /* AdamW's weight decay applies: the embedding and the matrices, not LN */
} nope_train_tensor;

/* 1 + 10 layers + 2. */
size_t nope_train_tensor_count(const nope_train_shape *s);
/* Tensor `index` (0 .. count-1) in file order. */
nope_train_tensor nope_train_tensor_at(const nope_train_shape *s, size_t index);
/* The tensor `kind` of `layer` (the layer is ignored for the embedding and the final LN). */
nope_train_tensor nope_train_tensor_of(const nope_train_shape *s, nope_train_kind kind, uint32_t layer);
/* Values in the flat array: the sum of every tensor's rows * cols. */
size_t nope_train_param_count(const nope_train_shape *s);

/* A fresh model: the embedding and every matrix N(0, sigma^2) from the core's counter RNG
 * (stream (seed, trial 0xFFFFFFFF, NOPE_RNG_TAG_WEIGHT, tensor index), element = index within
 * the tensor; sigma_q = sigma * 2^NOPE_SCALE_FRAC_BITS as in nope_config), gains 1, biases 0. */
void nope_train_init(const nope_train_shape *s, float *params, uint64_t seed, uint32_t sigma_q);

/* ---- The forward pass over a batch, and the activations it keeps ----
 * A batch is `batch` windows of seq + 1 bytes, one after another: position t of window b reads
 * byte t and is scored on predicting byte t + 1. Rows r = b * seq + t. */

/* Floats of the activations a forward pass keeps for the backward pass, and of the scratch each
 * pass needs (one work buffer serves both). */
size_t nope_train_acts_floats(const nope_train_shape *s, size_t batch);
size_t nope_train_work_floats(const nope_train_shape *s, size_t batch);

/* The mean cross-entropy, in nats, over every position of every window; acts are filled for
 * nope_train_backward. */
float nope_train_forward(const nope_train_shape *s, const float *params, const uint8_t *windows, size_t batch,
                         float *acts, float *work);

/* grads (nope_train_param_count values, overwritten) = the gradient of the mean loss that the
 * last nope_train_forward over the same params, windows and batch returned. acts are read only. */
void nope_train_backward(const nope_train_shape *s, const float *params, const uint8_t *windows, size_t batch,
                         const float *acts, float *grads, float *work);

/* ---- The kernels the passes are made of, exposed for their tests ---- */

/* c (m x n, rows ldc apart) = a (m x k, lda) b (k x n, ldb): c[i][j] = sum over p ascending,
 * from 0, of a[i][p] * b[p][j], each product and sum rounded once: the core's matmul order
 * (nope_kern_matmul_drawn). The one product every pass uses: dX = dY W^T goes through it on a
 * transposed copy of W (nope_train_transpose), dW = X^T dY through its _tn form below, so they
 * sum in ascending order too. */
void nope_train_matmul(float *c, size_t ldc, const float *a, size_t lda, const float *b, size_t ldb, size_t m, size_t k,
                       size_t n);

/* c (m x n, ldc) = a^T b for a stored k x m (rows lda apart): c[i][j] = sum over p ascending of
 * a[p][i] * b[p][j], the same chain as nope_train_matmul on a transposed copy of a. dW = X^T dY. */
void nope_train_matmul_tn(float *c, size_t ldc, const float *a, size_t lda, const float *b, size_t ldb, size_t m,
                          size_t k, size_t n);

/* dst (cols x rows, packed) = src (rows x cols, rows ld apart) transposed. */
void nope_train_transpose(float *dst, const float *src, size_t rows, size_t cols, size_t ld);

/* y = xhat * g + b per row, xhat = (x - mean) * rstd, rstd = 1 / sqrt(var + eps): the core's
 * LayerNorm (compensated sums; the same bits as nope_kern_layernorm when g = 1, b = 0). xhat
 * (rows x n) and rstd (rows) are kept for the backward pass. */
void nope_train_layernorm_fwd(float *y, float *xhat, float *rstd, const float *x, const float *g, const float *b,
                              size_t rows, size_t n, float eps);
/* dx (rows x n) = the gradient through the LayerNorm; dg, db (n) = sums over rows ascending of
 * dy * xhat and dy (overwritten, not accumulated). */
void nope_train_layernorm_bwd(float *dx, float *dg, float *db, const float *dy, const float *xhat, const float *rstd,
                              const float *g, size_t rows, size_t n);

/* Causal attention of one window: qkv (seq x 3d: q | k | v per row), o (seq x d, heads side by
 * side), probs (heads x seq x seq, row t holds the weights of keys 0..t; the rest is untouched).
 * scale = 1 / sqrt(d / heads). Scores and softmax as the core's nope_kern_attend. */
void nope_train_attention_fwd(float *o, float *probs, const float *qkv, size_t seq, size_t d, size_t heads,
                              float scale);
/* dqkv (seq x 3d, overwritten) from d_o (seq x d); scratch holds seq floats. */
void nope_train_attention_bwd(float *dqkv, const float *d_o, const float *qkv, const float *probs, size_t seq, size_t d,
                              size_t heads, float scale, float *scratch);

/* a = act(u) (ReLU, or the core's tanh GELU nope_kern_gelu_f32); du = act'(u) * da. ReLU's
 * derivative at 0 is taken as 0. */
void nope_train_act_fwd(float *a, const float *u, size_t n, nope_act act);
void nope_train_act_bwd(float *du, const float *da, const float *u, size_t n, nope_act act);

/* Softmax cross-entropy of rows x vocab logits, overwritten by their probabilities. Row r's
 * target is the byte after its own in windows of seq + 1 bytes: windows[(r / seq) * (seq + 1) +
 * r % seq + 1]. Returns the sum over rows ascending of -ln p[target], each computed as
 * ln(sum_k e^(z_k - top)) - (z_target - top). _bwd: dlogits = (p - onehot(target)) * scale. */
float nope_train_xent_fwd(float *logits, const uint8_t *windows, size_t seq, size_t rows, size_t vocab);
void nope_train_xent_bwd(float *dlogits, const float *probs, const uint8_t *windows, size_t seq, size_t rows,
                         size_t vocab, float scale);

/* ---- The optimiser ---- */

typedef struct {
    float beta1, beta2, eps, weight_decay;
} nope_adamw;

/* torch.optim.AdamW's defaults: 0.9, 0.999, 1e-8, weight decay 0.01 (the PyTorch figures
 * name AdamW and its learning rate only). PyTorch decays every parameter unless told otherwise;
 * here LayerNorm gains and biases never decay (nope_train_tensor.decay). */
nope_adamw nope_adamw_defaults(void);

/* One AdamW step t (1, 2, ...) at learning rate lr over the whole flat array: m, v (the moments,
 * zero before step 1) updated, params moved; weight decay only where the tensor's decay is set. */
void nope_train_adamw_step(const nope_train_shape *s, float *params, const float *grads, float *m, float *v, uint32_t t,
                           float lr, const nope_adamw *opt);

/* The global L2 norm of n gradients (compensated sum of squares, ascending). */
float nope_train_grad_norm(const float *g, size_t n);
/* If the norm exceeds max_norm, scale every gradient by max_norm / norm. Returns the norm before. */
float nope_train_clip(float *g, size_t n, float max_norm);

/* The learning rate of step t (0-based) of `total`: linear warm-up peak * (t + 1) / warmup for
 * t < warmup, then a cosine from peak down to lr_min, reached at t = total - 1 and held after. */
float nope_train_lr(uint32_t t, uint32_t warmup, uint32_t total, float peak, float lr_min);

/* cos(pi * x) for x in [0, 1], within 2^-22 (a polynomial; no libm). */
float nope_train_cos_pi(float x);

#endif
