/* The forward pass of training: the core's forward (model.c) for a model whose weights are
 * stored, with LayerNorm gains and biases, over a batch of byte windows, keeping what the backward
 * pass needs (train_layout.h), and the mean cross-entropy of the next byte. The kernels follow the
 * core's orders, so a trained model evaluated here and by the core's own kernels agrees bit for
 * bit wherever the core computes the same thing (LayerNorm, scores, softmax, GELU, products). */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32

#include "nope/kernels.h"
#include "nope/math_float.h"
#include "nope/parallel.h"
#include "nope/train.h"

#include "kernels_f32_x86.h"
#include "train_layout.h"

void nope_train_layernorm_fwd(float *y, float *xhat, float *rstd, const float *x, const float *g, const float *b,
                              size_t rows, size_t n, float eps)
{
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        train_kahan total = {0.0f, 0.0f}, squares = {0.0f, 0.0f};
        for (size_t i = 0; i < n; i++)
            train_kahan_add(&total, xr[i]);
        float mean = total.sum / (float)n;
        for (size_t i = 0; i < n; i++) {
            float dev = xr[i] - mean;
            train_kahan_add(&squares, dev * dev);
        }
        float rs = 1.0f / nope_f32_sqrt(squares.sum / (float)n + eps);
        rstd[r] = rs;
        for (size_t i = 0; i < n; i++) {
            float xh = (xr[i] - mean) * rs;
            xhat[r * n + i] = xh;
            y[r * n + i] = xh * g[i] + b[i];
        }
    }
}

void nope_train_attention_fwd(float *o, float *probs, const float *qkv, size_t seq, size_t d, size_t heads, float scale)
{
    const size_t dh = d / heads, ld = 3 * d;
    for (size_t h = 0; h < heads; h++)
        for (size_t t = 0; t < seq; t++) {
            const float *q = qkv + t * ld + h * dh;
            float *p = probs + (h * seq + t) * seq, *ot = o + t * d + h * dh;
            const float *keys = qkv + d + h * dh, *values = qkv + 2 * d + h * dh;
#if NOPE_F32_X86 /* the host's vector kernels of nope_kern_attend: the same chains, several keys at once */
            nope_x86_scores(p, q, keys, t + 1, dh, ld, scale);
            nope_kern_softmax(p, t + 1);
            nope_x86_weighted_sum(ot, p, values, t + 1, dh, ld);
#else
            for (size_t s = 0; s <= t; s++) {
                const float *k = keys + s * ld;
                float dot = 0.0f;
                for (size_t i = 0; i < dh; i++)
                    dot += q[i] * k[i];
                p[s] = dot * scale;
            }
            nope_kern_softmax(p, t + 1);
            for (size_t i = 0; i < dh; i++)
                ot[i] = 0.0f;
            for (size_t s = 0; s <= t; s++) {
                const float *v = values + s * ld;
                const float a = p[s];
                for (size_t i = 0; i < dh; i++)
                    ot[i] += a * v[i];
            }
#endif
        }
}

/* The core's own activation (vectorised on a host), on a copy: u is kept for the backward pass. */
void nope_train_act_fwd(float *a, const float *u, size_t n, nope_act act)
{
    for (size_t k = 0; k < n; k++)
        a[k] = u[k];
    nope_kern_activate(a, n, act);
}

float nope_train_xent_fwd(float *logits, const uint8_t *windows, size_t seq, size_t rows, size_t vocab)
{
    float loss = 0.0f;
    for (size_t r = 0; r < rows; r++) {
        float *z = logits + r * vocab;
        float top = z[0];
        for (size_t k = 1; k < vocab; k++)
            if (z[k] > top)
                top = z[k];
        const float zt = z[train_target(windows, seq, r)] - top;
        float total = 0.0f;
#if NOPE_F32_X86 /* the same nope_f32_exp bits, several at a time */
        nope_x86_exp_minus(z, vocab, top);
#else
        for (size_t k = 0; k < vocab; k++)
            z[k] = nope_f32_exp(z[k] - top);
#endif
        for (size_t k = 0; k < vocab; k++)
            total += z[k];
        for (size_t k = 0; k < vocab; k++)
            z[k] = z[k] / total;
        loss += nope_f32_log(total) - zt;
    }
    return loss;
}

/* Attention of windows [begin, end): a window's outputs are one worker's, so the split does not
 * change a bit. */
typedef struct {
    float *o, *probs;
    const float *qkv;
    size_t T, d, H;
    float scale;
} attention_job;

static void attention_windows(void *ctx, uint32_t worker, size_t begin, size_t end)
{
    (void)worker;
    const attention_job *j = ctx;
    for (size_t b = begin; b < end; b++)
        nope_train_attention_fwd(j->o + b * j->T * j->d, j->probs + b * j->H * j->T * j->T,
                                 j->qkv + b * j->T * 3 * j->d, j->T, j->d, j->H, j->scale);
}

size_t nope_train_acts_floats(const nope_train_shape *s, size_t batch)
{
    return train_layout_of(s, batch).acts_total;
}

size_t nope_train_work_floats(const nope_train_shape *s, size_t batch)
{
    return train_layout_of(s, batch).work_total;
}

/* The stored tensor `kind` of `layer`. */
static const float *tensor(const nope_train_shape *s, const float *params, nope_train_kind kind, uint32_t layer)
{
    return params + nope_train_tensor_of(s, kind, layer).offset;
}

float nope_train_forward(const nope_train_shape *s, const float *params, const uint8_t *windows, size_t batch,
                         float *acts, float *work)
{
    const train_layout L = train_layout_of(s, batch);
    const size_t R = L.rows, d = s->d, f = s->ffn, V = s->vocab, T = s->seq, H = s->heads;
    const float scale = 1.0f / nope_f32_sqrt((float)(d / H)); /* the core's attn_scale */
    const float *E = tensor(s, params, NOPE_TT_EMBED, 0);
    float *x = work + L.x, *tmp = work + L.tmp;
    for (size_t r = 0; r < R; r++) {
        const float *e = E + train_token(windows, T, r) * d;
        for (size_t i = 0; i < d; i++)
            x[r * d + i] = e[i];
    }
    for (uint32_t l = 0; l < s->layers; l++) {
        float *A = acts + l * L.per_layer;
        nope_train_layernorm_fwd(A + L.h1, A + L.xhat1, A + L.rstd1, x, tensor(s, params, NOPE_TT_LN1_GAIN, l),
                                 tensor(s, params, NOPE_TT_LN1_BIAS, l), R, d, s->eps);
        for (int m = 0; m < 3; m++) /* q, k, v side by side in each row of qkv */
            nope_train_matmul(A + L.qkv + m * d, 3 * d, A + L.h1, d,
                              tensor(s, params, (nope_train_kind)(NOPE_TT_WQ + m), l), d, R, d, d);
        attention_job job = {A + L.o, A + L.probs, A + L.qkv, T, d, H, scale};
        nope_parallel_for(attention_windows, &job, batch, nope_parallel_workers());
        nope_train_matmul(tmp, d, A + L.o, d, tensor(s, params, NOPE_TT_WO, l), d, R, d, d);
        train_add(x, tmp, R * d);
        nope_train_layernorm_fwd(A + L.h2, A + L.xhat2, A + L.rstd2, x, tensor(s, params, NOPE_TT_LN2_GAIN, l),
                                 tensor(s, params, NOPE_TT_LN2_BIAS, l), R, d, s->eps);
        nope_train_matmul(A + L.u, f, A + L.h2, d, tensor(s, params, NOPE_TT_W1, l), f, R, d, f);
        nope_train_act_fwd(A + L.a, A + L.u, R * f, s->act);
        nope_train_matmul(tmp, d, A + L.a, f, tensor(s, params, NOPE_TT_W2, l), d, R, f, d);
        train_add(x, tmp, R * d);
    }
    nope_train_layernorm_fwd(acts + L.hf, acts + L.xhatf, acts + L.rstdf, x, tensor(s, params, NOPE_TT_LNF_GAIN, 0),
                             tensor(s, params, NOPE_TT_LNF_BIAS, 0), R, d, s->eps);
    /* The tied head: logits = hf E^T, through E^T (d x vocab) so the sum runs over i ascending. */
    float *et = work + L.tw;
    nope_train_transpose(et, E, V, d, d);
    nope_train_matmul(acts + L.probs_out, V, acts + L.hf, d, et, V, R, d, V);
    return nope_train_xent_fwd(acts + L.probs_out, windows, T, R, V) / (float)R;
}

#endif
