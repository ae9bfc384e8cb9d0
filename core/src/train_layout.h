/* Where the forward pass keeps its activations and both passes their scratch: offsets into the
 * caller's two buffers (nope_train_acts_floats, nope_train_work_floats). Private to train_*.c. */
#ifndef NOPE_TRAIN_LAYOUT_H
#define NOPE_TRAIN_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/train.h"

/* R = batch * seq rows. Per layer, from the layer's base (layer * per_layer):
 *   xhat1 (R x d), rstd1 (R), h1 (R x d) = LN1(x), qkv (R x 3d), probs (batch x heads x seq x seq),
 *   o (R x d), xhat2 (R x d), rstd2 (R), h2 (R x d) = LN2(x), u (R x ffn) = h2 W1, a (R x ffn) = act(u).
 * After the layers: xhatf (R x d), rstdf (R), hf (R x d), probs_out (R x vocab). */
typedef struct {
    size_t rows;
    size_t xhat1, rstd1, h1, qkv, probs, o, xhat2, rstd2, h2, u, a, per_layer;
    size_t xhatf, rstdf, hf, probs_out, acts_total;
    /* work: x or dx (R x d), tmp or dln (R x d), dbig (R x max(vocab, 3d, ffn)), dmid (R x max(ffn, d)),
     * tw (max(3d d, d ffn, d vocab)), scratch (seq per worker) */
    size_t x, tmp, dbig, dmid, tw, scratch, work_total;
} train_layout;

/* Row r's input byte and the byte it is scored on, in windows of seq + 1 bytes. */
static inline size_t train_token(const uint8_t *windows, size_t seq, size_t r)
{
    return windows[(r / seq) * (seq + 1) + r % seq];
}
static inline size_t train_target(const uint8_t *windows, size_t seq, size_t r)
{
    return windows[(r / seq) * (seq + 1) + r % seq + 1];
}

/* Compensated (Kahan) summation, as the core's LayerNorm sums (kernels_f32.c keeps its own copy,
 * static there): the rounding error of each addition is carried into the next, so a sum of n
 * values is good to a couple of ulps instead of n of them. */
typedef struct {
    float sum, carry;
} train_kahan;

static inline void train_kahan_add(train_kahan *k, float x)
{
    float y = x - k->carry;
    float t = k->sum + y;
    k->carry = (t - k->sum) - y;
    k->sum = t;
}

/* y (n) += x (n): a residual add, forward or backward. */
static inline void train_add(float *y, const float *x, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] += x[k];
}

static inline size_t train_max3(size_t a, size_t b, size_t c)
{
    size_t m = a > b ? a : b;
    return m > c ? m : c;
}

static inline train_layout train_layout_of(const nope_train_shape *s, size_t batch)
{
    train_layout L;
    const size_t R = batch * s->seq, d = s->d, f = s->ffn, V = s->vocab, T = s->seq;
    size_t at = 0;
    L.rows = R;
    L.xhat1 = at, at += R * d;
    L.rstd1 = at, at += R;
    L.h1 = at, at += R * d;
    L.qkv = at, at += R * 3 * d;
    L.probs = at, at += batch * s->heads * T * T;
    L.o = at, at += R * d;
    L.xhat2 = at, at += R * d;
    L.rstd2 = at, at += R;
    L.h2 = at, at += R * d;
    L.u = at, at += R * f;
    L.a = at, at += R * f;
    L.per_layer = at;
    at = s->layers * L.per_layer;
    L.xhatf = at, at += R * d;
    L.rstdf = at, at += R;
    L.hf = at, at += R * d;
    L.probs_out = at, at += R * V;
    L.acts_total = at;
    at = 0;
    L.x = at, at += R * d;
    L.tmp = at, at += R * d;
    L.dbig = at, at += R * train_max3(V, 3 * d, f);
    L.dmid = at, at += R * (f > d ? f : d);
    L.tw = at, at += train_max3(3 * d * d, d * f, d * V);
    L.scratch = at, at += T * NOPE_MAX_THREADS;
    L.work_total = at;
    return L;
}

#endif
