/* The backward pass of training: the gradient of the mean cross-entropy with respect to every
 * parameter, from the activations nope_train_forward kept. Each kernel's order is written beside
 * it; docs/training.md gathers them. Products go through nope_train_matmul on transposed copies,
 * so every gradient of a weight is one ascending sum over the batch's rows. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32

#include "nope/math_float.h"
#include "nope/parallel.h"
#include "nope/train.h"

#include "kernels_f32_x86.h"
#include "train_layout.h"

/* Per row: gh = dy * g; m1 = (sum gh) / n, m2 = (sum gh * xhat) / n (ascending i);
 * dx = ((gh - m1) - xhat * m2) * rstd, the exact derivative of (x - mean) / sqrt(var + eps).
 * dg and db: sums over rows ascending, from 0. */
void nope_train_layernorm_bwd(float *dx, float *dg, float *db, const float *dy, const float *xhat, const float *rstd,
                              const float *g, size_t rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dg[i] = db[i] = 0.0f;
    for (size_t r = 0; r < rows; r++) {
        const float *dyr = dy + r * n, *xh = xhat + r * n;
        float s1 = 0.0f, s2 = 0.0f;
        for (size_t i = 0; i < n; i++) {
            float gh = dyr[i] * g[i];
            s1 += gh;
            s2 += gh * xh[i];
            dg[i] += dyr[i] * xh[i];
            db[i] += dyr[i];
        }
        const float m1 = s1 / (float)n, m2 = s2 / (float)n, rs = rstd[r];
        for (size_t i = 0; i < n; i++)
            dx[r * n + i] = ((dyr[i] * g[i] - m1) - xh[i] * m2) * rs;
    }
}

/* dq += z k, dk += z q, dv += a dO over one head's dh entries: distinct parts of dqkv (restrict,
 * so a compiler may vectorise across i; each entry is still its own chain). */
static void accumulate(float *restrict dq, float *restrict dk, float *restrict dv, const float *restrict k,
                       const float *restrict q, const float *restrict d_o, float z, float a, size_t dh)
{
    for (size_t i = 0; i < dh; i++) {
        dq[i] += z * k[i];
        dk[i] += z * q[i];
        dv[i] += a * d_o[i];
    }
}

/* Per head, queries t ascending: dP_s = dO_t . v_s (ascending i); c = sum over s <= t ascending of
 * P_ts dP_s; dz_s = P_ts (dP_s - c) * scale; then dq_t = sum over s ascending of dz_s k_s, and
 * each dk_s += dz_s q_t, dv_s += P_ts dO_t, so those two sum over t ascending, from 0. */
void nope_train_attention_bwd(float *dqkv, const float *d_o, const float *qkv, const float *probs, size_t seq, size_t d,
                              size_t heads, float scale, float *scratch)
{
    const size_t dh = d / heads, ld = 3 * d;
    for (size_t k = 0; k < seq * ld; k++)
        dqkv[k] = 0.0f;
    for (size_t h = 0; h < heads; h++)
        for (size_t t = 0; t < seq; t++) {
            const float *p = probs + (h * seq + t) * seq, *dot = d_o + t * d + h * dh, *q = qkv + t * ld + h * dh;
            float *dz = scratch, *dq = dqkv + t * ld + h * dh;
#if NOPE_F32_X86 /* several keys at once; times 1 is exact, so the same bits as the loop */
            nope_x86_scores(dz, dot, qkv + 2 * d + h * dh, t + 1, dh, ld, 1.0f);
#else
            for (size_t s = 0; s <= t; s++) {
                const float *v = qkv + s * ld + 2 * d + h * dh;
                float dp = 0.0f;
                for (size_t i = 0; i < dh; i++)
                    dp += dot[i] * v[i];
                dz[s] = dp;
            }
#endif
            float c = 0.0f;
            for (size_t s = 0; s <= t; s++)
                c += p[s] * dz[s];
            for (size_t s = 0; s <= t; s++)
                dz[s] = p[s] * (dz[s] - c) * scale;
            for (size_t s = 0; s <= t; s++) {
                const float *kk = qkv + s * ld + d + h * dh;
                float *dk = dqkv + s * ld + d + h * dh, *dv = dqkv + s * ld + 2 * d + h * dh;
                accumulate(dq, dk, dv, kk, q, dot, dz[s], p[s], dh);
            }
        }
}

/* GELU's derivative, of the tanh form nope_kern_gelu_f32 computes: with w = c (x + 0.044715 x^3)
 * and t = tanh w, 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2). t is taken as
 * sign(w) (1 - e) / (1 + e) with e = e^(-2|w|), the exps a run at a time through the host's
 * vector exp (the same bits as nope_f32_exp, which other targets call): within a few ulps of
 * tanh, absolutely, which is all a slope needs. */
enum { GELU_RUN = 64 };

static void gelu_slopes(float *du, const float *da, const float *u, size_t n)
{
    const float C = 0.797884561f, K = 0.044715f, K3 = 0.134145f;
    float e[GELU_RUN];
    for (size_t k0 = 0; k0 < n; k0 += GELU_RUN) {
        const size_t run = n - k0 < GELU_RUN ? n - k0 : GELU_RUN;
        const float *x = u + k0;
        for (size_t k = 0; k < run; k++) {
            float w = C * (x[k] + K * x[k] * x[k] * x[k]);
            e[k] = -2.0f * (w < 0.0f ? -w : w);
        }
#if NOPE_F32_X86
        nope_x86_exp_minus(e, run, 0.0f);
#else
        for (size_t k = 0; k < run; k++)
            e[k] = nope_f32_exp(e[k]);
#endif
        for (size_t k = 0; k < run; k++) {
            float w = C * (x[k] + K * x[k] * x[k] * x[k]);
            float t = (1.0f - e[k]) / (1.0f + e[k]);
            t = w < 0.0f ? -t : t;
            float slope = 0.5f * (1.0f + t) + 0.5f * x[k] * (1.0f - t * t) * (C * (1.0f + K3 * x[k] * x[k]));
            du[k0 + k] = da[k0 + k] * slope;
        }
    }
}

void nope_train_act_bwd(float *du, const float *da, const float *u, size_t n, nope_act act)
{
    if (act == NOPE_ACT_GELU) {
        gelu_slopes(du, da, u, n);
        return;
    }
    for (size_t k = 0; k < n; k++)
        du[k] = u[k] > 0.0f ? da[k] : 0.0f;
}

void nope_train_xent_bwd(float *dlogits, const float *probs, const uint8_t *windows, size_t seq, size_t rows,
                         size_t vocab, float scale)
{
    for (size_t r = 0; r < rows; r++) {
        size_t target = train_target(windows, seq, r);
        for (size_t k = 0; k < vocab; k++)
            dlogits[r * vocab + k] = (probs[r * vocab + k] - (k == target ? 1.0f : 0.0f)) * scale;
    }
}

/* grad W (n_in x n_out) = X^T dY (X: R x n_in): one ascending sum over the R rows per weight. */
static void weight_grad(float *gw, const float *X, size_t n_in, const float *dY, size_t ldy, size_t n_out, size_t R)
{
    nope_train_matmul_tn(gw, n_out, X, n_in, dY, ldy, n_in, R, n_out);
}

/* dX (R x n_in) = dY W^T: W (n_in x n_out) transposed into tw, one ascending sum over n_out. */
static void input_grad(float *dX, const float *dY, const float *W, size_t n_in, size_t n_out, size_t R, float *tw)
{
    nope_train_transpose(tw, W, n_in, n_out, n_out);
    nope_train_matmul(dX, n_in, dY, n_out, tw, n_in, R, n_out, n_in);
}

/* The attention backward of windows [begin, end), each window one worker's, with its own
 * scratch (seq floats per worker). */
typedef struct {
    float *dqkv;
    const float *d_o, *qkv, *probs;
    float *scratch;
    size_t T, d, H;
    float scale;
} attention_job;

static void attention_windows(void *ctx, uint32_t worker, size_t begin, size_t end)
{
    const attention_job *j = ctx;
    const size_t T = j->T, d = j->d;
    for (size_t b = begin; b < end; b++)
        nope_train_attention_bwd(j->dqkv + b * T * 3 * d, j->d_o + b * T * d, j->qkv + b * T * 3 * d,
                                 j->probs + b * j->H * T * T, T, d, j->H, j->scale, j->scratch + worker * T);
}

void nope_train_backward(const nope_train_shape *s, const float *params, const uint8_t *windows, size_t batch,
                         const float *acts, float *grads, float *work)
{
    const train_layout L = train_layout_of(s, batch);
    const size_t R = L.rows, d = s->d, f = s->ffn, V = s->vocab, T = s->seq, H = s->heads;
    const float scale = 1.0f / nope_f32_sqrt((float)(d / H));
    float *dx = work + L.x, *dln = work + L.tmp, *dbig = work + L.dbig, *dmid = work + L.dmid;
    float *tw = work + L.tw;
#define P(kind, layer) (params + nope_train_tensor_of(s, kind, layer).offset)
#define G(kind, layer) (grads + nope_train_tensor_of(s, kind, layer).offset)
    /* The loss and the tied head: dlogits = (p - onehot) / R; dhf = dlogits E; the head's share of
     * dE = dlogits^T hf (sum over rows ascending); the embedding's share is added at the end. */
    nope_train_xent_bwd(dbig, acts + L.probs_out, windows, T, R, V, 1.0f / (float)R);
    nope_train_matmul(dmid, d, dbig, V, P(NOPE_TT_EMBED, 0), d, R, V, d);
    weight_grad(G(NOPE_TT_EMBED, 0), dbig, V, acts + L.hf, d, d, R);
    nope_train_layernorm_bwd(dx, G(NOPE_TT_LNF_GAIN, 0), G(NOPE_TT_LNF_BIAS, 0), dmid, acts + L.xhatf, acts + L.rstdf,
                             P(NOPE_TT_LNF_GAIN, 0), R, d);
    for (uint32_t l = s->layers; l-- > 0;) {
        const float *A = acts + l * L.per_layer;
        /* FFN: x_out = x_mid + act(LN2(x_mid) W1) W2, so dx flows on and into the branch. */
        weight_grad(G(NOPE_TT_W2, l), A + L.a, f, dx, d, d, R);
        input_grad(dmid, dx, P(NOPE_TT_W2, l), f, d, R, tw);
        nope_train_act_bwd(dbig, dmid, A + L.u, R * f, s->act);
        weight_grad(G(NOPE_TT_W1, l), A + L.h2, d, dbig, f, f, R);
        input_grad(dmid, dbig, P(NOPE_TT_W1, l), d, f, R, tw);
        nope_train_layernorm_bwd(dln, G(NOPE_TT_LN2_GAIN, l), G(NOPE_TT_LN2_BIAS, l), dmid, A + L.xhat2, A + L.rstd2,
                                 P(NOPE_TT_LN2_GAIN, l), R, d);
        train_add(dx, dln, R * d);
        /* Attention: x_mid = x_in + attend(LN1(x_in)) Wo. */
        weight_grad(G(NOPE_TT_WO, l), A + L.o, d, dx, d, d, R);
        input_grad(dmid, dx, P(NOPE_TT_WO, l), d, d, R, tw);
        attention_job job = {dbig, dmid, A + L.qkv, A + L.probs, work + L.scratch, T, d, H, scale};
        nope_parallel_for(attention_windows, &job, batch, nope_parallel_workers());
        for (int m = 0; m < 3; m++)
            nope_train_matmul_tn(G((nope_train_kind)(NOPE_TT_WQ + m), l), d, A + L.h1, d, dbig + m * d, 3 * d, d, R, d);
        /* dh1 = dq Wq^T + dk Wk^T + dv Wv^T as one ascending sum over the 3d columns of dqkv. */
        for (int m = 0; m < 3; m++)
            nope_train_transpose(tw + m * d * d, P((nope_train_kind)(NOPE_TT_WQ + m), l), d, d, d);
        nope_train_matmul(dmid, d, dbig, 3 * d, tw, d, R, 3 * d, d);
        nope_train_layernorm_bwd(dln, G(NOPE_TT_LN1_GAIN, l), G(NOPE_TT_LN1_BIAS, l), dmid, A + L.xhat1, A + L.rstd1,
                                 P(NOPE_TT_LN1_GAIN, l), R, d);
        train_add(dx, dln, R * d);
    }
    /* The embedding's share: row r's input gradient added to its token's row, rows ascending. */
    float *gE = G(NOPE_TT_EMBED, 0);
    for (size_t r = 0; r < R; r++) {
        float *row = gE + train_token(windows, T, r) * d;
        for (size_t i = 0; i < d; i++)
            row[i] += dx[r * d + i];
    }
#undef P
#undef G
}

#endif
