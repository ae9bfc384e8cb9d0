/* The training math (core/src/train_*.c) against double precision: each backward kernel against
 * central finite differences of a double-precision reference of its forward op, the whole model's
 * gradient against finite differences of a double-precision reference model, AdamW against a
 * hand-computed step, the clip, the schedule, a tiny model that learns, and the same bits twice.
 *
 * The bounds. u = 2^-24 is float32's unit roundoff. Finite differences are taken in double with
 * step h = 2^-20 on functions whose third derivatives are O(1) here: truncation h^2 ~ 1e-12 and
 * cancellation 2^-53 / h ~ 1e-10 of the function's scale, both far below float rounding, so the
 * difference is the exact gradient for these purposes. A float32 result that is one chain of n
 * rounded operations is within about n u of the sum of its terms' magnitudes (Higham's gamma_n);
 * for the products that bound is checked element by element. The composite kernels are checked
 * against K u max|g| over the tensor, K stated at each test and derived from their longest chain;
 * a wrong term in a gradient is an error of the order of max|g| itself, 10^5 times over any bound. */
#include <stdio.h>

#include "test_util.h"

#include "nope/kernels.h"
#include "nope/parallel.h"
#include "nope/train.h"

#define U 0x1p-24
#define FD_H 0x1p-20

static uint64_t seed_state = 12345;

/* Uniform in [-1, 1). */
static double uni(void)
{
    return (double)(nope_test_splitmix(&seed_state) >> 11) * 0x1p-52 - 1.0;
}

static void fill(float *x, size_t n, double lo_scale, double offset)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(offset + lo_scale * uni());
}

/* ---- Finite differences ---- */

typedef double (*scalar_fn)(void *ctx, const double *x);

/* The largest |grad[i] - fd_i| over i < n and the largest |fd_i|, where fd_i is the central
 * difference of fn at x (in double) along coordinate i. */
static void fd_compare(scalar_fn fn, void *ctx, const float *x, size_t n, const float *grad, double *max_err,
                       double *max_g)
{
    double *xd = malloc(n * sizeof *xd);
    for (size_t i = 0; i < n; i++)
        xd[i] = x[i];
    *max_err = *max_g = 0;
    for (size_t i = 0; i < n; i++) {
        double keep = xd[i];
        xd[i] = keep + FD_H;
        double up = fn(ctx, xd);
        xd[i] = keep - FD_H;
        double down = fn(ctx, xd);
        xd[i] = keep;
        double fd = (up - down) / (2 * FD_H);
        *max_err = fmax(*max_err, fabs(grad[i] - fd));
        *max_g = fmax(*max_g, fabs(fd));
    }
    free(xd);
}

/* Checks max_err <= K u max_g and prints the measure (in units of u max_g). */
static void report_bound(const char *what, double max_err, double max_g, double K)
{
    double ratio = max_g > 0 ? max_err / (U * max_g) : 0;
    printf("  %-34s max|g| %.3e  max|err| %.3e = %7.2f u max|g|  (bound %g)\n", what, max_g, max_err, ratio, K);
    if (!(max_g > 0) || !(max_err <= K * U * max_g))
        fail_msg("%s: error %.3e over the bound %g u max|g| = %.3e", what, max_err, K, K * U * max_g);
}

/* ---- Double references of the ops ---- */

static void ref_layernorm(double *y, const double *x, const double *g, const double *b, size_t rows, size_t n,
                          double eps)
{
    for (size_t r = 0; r < rows; r++) {
        double mean = 0, var = 0;
        for (size_t i = 0; i < n; i++)
            mean += x[r * n + i];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++)
            var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
        double rs = 1 / sqrt(var / (double)n + eps);
        for (size_t i = 0; i < n; i++)
            y[r * n + i] = (x[r * n + i] - mean) * rs * g[i] + b[i];
    }
}

static void ref_attention(double *o, const double *qkv, size_t seq, size_t d, size_t heads)
{
    size_t dh = d / heads;
    double *p = malloc(seq * sizeof *p);
    for (size_t h = 0; h < heads; h++)
        for (size_t t = 0; t < seq; t++) {
            double top = -INFINITY, total = 0;
            for (size_t s = 0; s <= t; s++) {
                double dot = 0;
                for (size_t i = 0; i < dh; i++)
                    dot += qkv[t * 3 * d + h * dh + i] * qkv[s * 3 * d + d + h * dh + i];
                p[s] = dot / sqrt((double)dh);
                top = fmax(top, p[s]);
            }
            for (size_t s = 0; s <= t; s++)
                total += p[s] = exp(p[s] - top);
            for (size_t i = 0; i < dh; i++) {
                double acc = 0;
                for (size_t s = 0; s <= t; s++)
                    acc += p[s] / total * qkv[s * 3 * d + 2 * d + h * dh + i];
                o[t * d + h * dh + i] = acc;
            }
        }
    free(p);
}

static double ref_act(double x, nope_act act)
{
    if (act == NOPE_ACT_RELU)
        return x > 0 ? x : 0;
    return 0.5 * x * (1 + tanh(0.797884561 * (x + 0.044715 * x * x * x)));
}

/* Sum over rows of -ln softmax(z)[target], targets as nope_train_xent_fwd reads them. */
static double ref_xent(const double *z, const uint8_t *windows, size_t seq, size_t rows, size_t vocab)
{
    double loss = 0;
    for (size_t r = 0; r < rows; r++) {
        const double *zr = z + r * vocab;
        double top = zr[0], total = 0;
        for (size_t k = 1; k < vocab; k++)
            top = fmax(top, zr[k]);
        for (size_t k = 0; k < vocab; k++)
            total += exp(zr[k] - top);
        loss += log(total) - (zr[windows[(r / seq) * (seq + 1) + r % seq + 1]] - top);
    }
    return loss;
}

/* c (m x n) = a (m x k) b (k x n), all packed, in double. */
static void ref_matmul(double *c, const double *a, const double *b, size_t m, size_t k, size_t n)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double acc = 0;
            for (size_t p = 0; p < k; p++)
                acc += a[i * k + p] * b[p * n + j];
            c[i * n + j] = acc;
        }
}

static double *to_double(const float *x, size_t n)
{
    double *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        y[i] = x[i];
    return y;
}

/* ---- Products ---- */

/* The product against double, element by element within gamma_k sum_p |a||b| (k = the sum's
 * length), at shapes that cover the tiling's corners (a partial block of rows, partial blocks of
 * columns, sums longer than one block of depth, strided rows), and its transposed form bit for bit;
 * and dX = dY W^T (on a transposed copy of W), dW = X^T dY (the transposed form) against finite
 * differences of sum(dY . X W), within the same element-wise bound. */
static void check_product(const float *c, size_t ldc, const float *a, size_t lda, const float *b, size_t ldb, size_t m,
                          size_t k, size_t n, double *worst)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double exact = 0, mag = 0;
            for (size_t p = 0; p < k; p++) {
                exact += (double)a[i * lda + p] * b[p * ldb + j];
                mag += fabs((double)a[i * lda + p] * b[p * ldb + j]);
            }
            double err = fabs(c[i * ldc + j] - exact), bound = (double)k * U / (1 - (double)k * U) * mag;
            if (err > bound)
                fail_msg("product %zux%zux%zu [%zu][%zu]: %.9g, exact %.9g, error %.3e > %.3e", m, k, n, i, j,
                         c[i * ldc + j], exact, err, bound);
            if (mag > 0)
                *worst = fmax(*worst, err / (k * U * mag));
        }
}

static void test_matmul(void **state)
{
    (void)state;
    const size_t shapes[][3] = {{1, 1, 1}, {4, 8, 256}, {7, 5, 300}, {9, 64, 17}, {33, 200, 64}};
    double worst = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
        size_t lda = k + 3, ldb = n + 1, ldc = n + 5; /* strided rows */
        float *a = malloc(m * lda * sizeof *a), *b = malloc(k * ldb * sizeof *b), *c = malloc(m * ldc * sizeof *c);
        fill(a, m * lda, 1, 0);
        fill(b, k * ldb, 1, 0);
        nope_train_matmul(c, ldc, a, lda, b, ldb, m, k, n);
        check_product(c, ldc, a, lda, b, ldb, m, k, n, &worst);
        /* The transposed form: a^T b for a stored k x m is the same chains as the product with a
         * transposed copy, bit for bit. */
        float *at = malloc(k * (m + 2) * sizeof *at), *ct = malloc(m * ldc * sizeof *ct);
        for (size_t i = 0; i < m; i++)
            for (size_t p = 0; p < k; p++)
                at[p * (m + 2) + i] = a[i * lda + p];
        nope_train_matmul_tn(ct, ldc, at, m + 2, b, ldb, m, k, n);
        for (size_t i = 0; i < m; i++)
            assert_memory_equal(ct + i * ldc, c + i * ldc, n * sizeof(float));
        free(a), free(b), free(c), free(at), free(ct);
    }
    printf("  products: worst error %.3f of k u sum|a b| (bound 1)\n", worst);
}

/* f(X) = sum dY . (X W) for the finite differences over X (ctx: W, dY, shapes). */
typedef struct {
    const double *w, *dy;
    size_t rows, n_in, n_out;
    int wrt_w; /* 0: x is X; 1: x is W */
    const double *other;
} product_ctx;

static double product_loss(void *vctx, const double *x)
{
    product_ctx *c = vctx;
    const double *X = c->wrt_w ? c->other : x, *W = c->wrt_w ? x : c->other;
    double f = 0;
    for (size_t r = 0; r < c->rows; r++)
        for (size_t j = 0; j < c->n_out; j++) {
            double y = 0;
            for (size_t i = 0; i < c->n_in; i++)
                y += X[r * c->n_in + i] * W[i * c->n_out + j];
            f += c->dy[r * c->n_out + j] * y;
        }
    return f;
}

static void test_matmul_backward(void **state)
{
    (void)state;
    const size_t R = 13, n_in = 9, n_out = 21;
    float *X = malloc(R * n_in * 4), *W = malloc(n_in * n_out * 4), *dY = malloc(R * n_out * 4);
    float *dX = malloc(R * n_in * 4), *dW = malloc(n_in * n_out * 4), *t = malloc(R * n_out * 4);
    fill(X, R * n_in, 1, 0);
    fill(W, n_in * n_out, 1, 0);
    fill(dY, R * n_out, 1, 0);
    nope_train_transpose(t, W, n_in, n_out, n_out); /* W^T: n_out x n_in */
    nope_train_matmul(dX, n_in, dY, n_out, t, n_in, R, n_out, n_in);
    double worst = 0;
    check_product(dX, n_in, dY, n_out, t, n_in, R, n_out, n_in, &worst);
    nope_train_matmul_tn(dW, n_out, X, n_in, dY, n_out, n_in, R, n_out); /* X^T dY, as the backward pass */
    nope_train_transpose(t, X, R, n_in, n_in);                           /* X^T: n_in x R, for the bound */
    check_product(dW, n_out, t, R, dY, n_out, n_in, R, n_out, &worst);
    double *Xd = to_double(X, R * n_in), *Wd = to_double(W, n_in * n_out), *dYd = to_double(dY, R * n_out);
    product_ctx c = {Wd, dYd, R, n_in, n_out, 0, Wd};
    double err, g;
    fd_compare(product_loss, &c, X, R * n_in, dX, &err, &g);
    report_bound("dX = dY W^T vs finite differences", err, g, 2.0 * n_out);
    c.wrt_w = 1;
    c.other = Xd;
    fd_compare(product_loss, &c, W, n_in * n_out, dW, &err, &g);
    report_bound("dW = X^T dY vs finite differences", err, g, 2.0 * R);
    printf("  dX, dW element-wise: worst %.3f of k u sum|terms| (bound 1)\n", worst);
    free(X), free(W), free(dY), free(dX), free(dW), free(t), free(Xd), free(Wd), free(dYd);
}

/* ---- LayerNorm ---- */

typedef struct {
    size_t rows, n;
    double eps;
    const double *x, *g, *b, *dy;
    int which; /* 0 x, 1 g, 2 b */
} ln_ctx;

static double ln_loss(void *vctx, const double *v)
{
    ln_ctx *c = vctx;
    double *y = malloc(c->rows * c->n * sizeof *y);
    ref_layernorm(y, c->which == 0 ? v : c->x, c->which == 1 ? v : c->g, c->which == 2 ? v : c->b, c->rows, c->n,
                  c->eps);
    double f = 0;
    for (size_t k = 0; k < c->rows * c->n; k++)
        f += c->dy[k] * y[k];
    free(y);
    return f;
}

/* dx: each element is rstd times ((gh - m1) - xhat m2) with m1, m2 sums of n terms: K = 4 n covers
 * the two n-term sums (n u each, relative to their magnitudes, which max|dx| bounds up to the
 * O(1) factor of xhat) and the few roundings around them; dg, db are sums over the rows: K = 2 rows. */
static void test_layernorm(void **state)
{
    (void)state;
    const size_t rows = 5, n = 24;
    const float eps = 1e-5f;
    float x[5 * 24], g[24], b[24], dy[5 * 24], y[5 * 24], xhat[5 * 24], rstd[5], dx[5 * 24], dg[24], db[24];
    fill(x, rows * n, 2.0, 0.3);
    fill(g, n, 0.5, 1.0);
    fill(b, n, 0.5, 0.0);
    fill(dy, rows * n, 1.0, 0.0);
    nope_train_layernorm_fwd(y, xhat, rstd, x, g, b, rows, n, eps);
    nope_train_layernorm_bwd(dx, dg, db, dy, xhat, rstd, g, rows, n);
    double *xd = to_double(x, rows * n), *gd = to_double(g, n), *bd = to_double(b, n), *dyd = to_double(dy, rows * n);
    ln_ctx c = {rows, n, eps, xd, gd, bd, dyd, 0};
    double err, mg;
    fd_compare(ln_loss, &c, x, rows * n, dx, &err, &mg);
    report_bound("LayerNorm dx", err, mg, 4.0 * n);
    c.which = 1;
    fd_compare(ln_loss, &c, g, n, dg, &err, &mg);
    report_bound("LayerNorm d gain", err, mg, 2.0 * rows + 8);
    c.which = 2;
    fd_compare(ln_loss, &c, b, n, db, &err, &mg);
    report_bound("LayerNorm d bias", err, mg, 2.0 * rows);
    /* The forward with gain 1 and bias 0 is the core's LayerNorm, bit for bit. */
    float ones[24], zeros[24], core[24];
    for (size_t i = 0; i < n; i++)
        ones[i] = 1.0f, zeros[i] = 0.0f;
    nope_kern_params kp = {eps, 1.0f};
    nope_train_layernorm_fwd(y, xhat, rstd, x, ones, zeros, rows, n, eps);
    for (size_t r = 0; r < rows; r++) {
        nope_kern_layernorm(core, x + r * n, n, &kp);
        assert_memory_equal(core, y + r * n, n * sizeof(float));
    }
    free(xd), free(gd), free(bd), free(dyd);
}

/* ---- Attention ---- */

typedef struct {
    size_t seq, d, heads;
    const double *d_o;
} attn_ctx;

static double attn_loss(void *vctx, const double *qkv)
{
    attn_ctx *c = vctx;
    double *o = malloc(c->seq * c->d * sizeof *o);
    ref_attention(o, qkv, c->seq, c->d, c->heads);
    double f = 0;
    for (size_t k = 0; k < c->seq * c->d; k++)
        f += c->d_o[k] * o[k];
    free(o);
    return f;
}

/* Scores are n = dh term sums, the softmax's total seq terms, and each gradient a sum of seq
 * terms of products of those: K = 4 (seq + dh). The forward equals nope_kern_attend per query and
 * head, bit for bit. */
static void test_attention(void **state)
{
    (void)state;
    const size_t seq = 7, d = 12, heads = 3, dh = d / heads;
    const float scale = 1.0f / sqrtf((float)dh);
    float qkv[7 * 36], o[7 * 12], probs[3 * 7 * 7], d_o[7 * 12], dqkv[7 * 36], scratch[7];
    fill(qkv, seq * 3 * d, 1.5, 0.0);
    fill(d_o, seq * d, 1.0, 0.0);
    nope_train_attention_fwd(o, probs, qkv, seq, d, heads, scale);
    nope_train_attention_bwd(dqkv, d_o, qkv, probs, seq, d, heads, scale, scratch);
    double *d_od = to_double(d_o, seq * d);
    attn_ctx c = {seq, d, heads, d_od};
    double err, mg;
    fd_compare(attn_loss, &c, qkv, seq * 3 * d, dqkv, &err, &mg);
    report_bound("attention dq, dk, dv", err, mg, 4.0 * (seq + dh));
    /* The core's kernel: keys and values strided as in qkv. */
    nope_kern_params kp = {1e-5f, scale};
    float q[4], core[4], sc[7];
    for (size_t h = 0; h < heads; h++)
        for (size_t t = 0; t < seq; t++) {
            memcpy(q, qkv + t * 3 * d + h * dh, sizeof q);
            nope_kern_attend(core, q, qkv + d + h * dh, qkv + 2 * d + h * dh, t + 1, dh, 3 * d, sc, &kp);
            assert_memory_equal(core, o + t * d + h * dh, dh * sizeof(float));
        }
    free(d_od);
}

/* ---- Activations ---- */

/* Elementwise: the derivative of each element alone, by central differences of the double
 * reference. GELU's slope is a dozen roundings plus its tanh, (1 - e) / (1 + e) from e^(-2|w|)
 * (2 ulp), a few ulps absolute: K = 32 relative to max|g|. ReLU's is exact (0 or da), away from
 * the kink. The forward is the core's GELU, bit for bit. */
static void test_activations(void **state)
{
    (void)state;
    enum { N = 400 };
    float u[N], a[N], da[N], du[N];
    for (int act = 0; act < 2; act++) {
        for (size_t k = 0; k < N; k++) {
            u[k] = (float)(6.0 * ((double)k + 0.5) / N - 3.0); /* [-3, 3], never 0 */
            da[k] = (float)uni();
        }
        nope_train_act_fwd(a, u, N, (nope_act)act);
        nope_train_act_bwd(du, da, u, N, (nope_act)act);
        double err = 0, mg = 0;
        for (size_t k = 0; k < N; k++) {
            double fd =
                da[k] * (ref_act(u[k] + FD_H, (nope_act)act) - ref_act(u[k] - FD_H, (nope_act)act)) / (2 * FD_H);
            err = fmax(err, fabs(du[k] - fd));
            mg = fmax(mg, fabs(fd));
            if (act == NOPE_ACT_GELU)
                assert_true(a[k] == nope_kern_gelu_f32(u[k]));
            else
                assert_true(a[k] == (u[k] > 0 ? u[k] : 0.0f));
        }
        report_bound(act == NOPE_ACT_GELU ? "GELU slope" : "ReLU slope", err, mg, act == NOPE_ACT_GELU ? 32 : 1);
    }
}

/* ---- Cross-entropy ---- */

typedef struct {
    const uint8_t *windows;
    size_t seq, rows, vocab;
} xent_ctx;

static double xent_loss(void *vctx, const double *z)
{
    xent_ctx *c = vctx;
    return ref_xent(z, c->windows, c->seq, c->rows, c->vocab) / (double)c->rows;
}

/* The mean loss within 4 u per row of its value (a log and a sum of vocab exps per row, then a sum
 * over rows); dlogits = (p - onehot) / rows, p within (vocab + 8) u: K = vocab + 8. */
static void test_xent(void **state)
{
    (void)state;
    const size_t seq = 3, rows = 6, vocab = 256;
    uint8_t windows[2 * 4];
    for (size_t k = 0; k < sizeof windows; k++)
        windows[k] = (uint8_t)(nope_test_splitmix(&seed_state) & 255);
    float *z = malloc(rows * vocab * 4), *keep = malloc(rows * vocab * 4), *dz = malloc(rows * vocab * 4);
    fill(z, rows * vocab, 4.0, 0.0);
    memcpy(keep, z, rows * vocab * 4);
    float loss = nope_train_xent_fwd(z, windows, seq, rows, vocab) / (float)rows;
    nope_train_xent_bwd(dz, z, windows, seq, rows, vocab, 1.0f / (float)rows);
    double *zd = to_double(keep, rows * vocab);
    xent_ctx c = {windows, seq, rows, vocab};
    double want = xent_loss(&c, zd);
    printf("  cross-entropy %.9g, double %.9g: %.2f u relative (bound %zu)\n", loss, want, fabs(loss - want) / want / U,
           4 * rows + 8);
    assert_true(fabs(loss - want) <= (4.0 * rows + 8) * U * want);
    double err, mg;
    fd_compare(xent_loss, &c, keep, rows * vocab, dz, &err, &mg);
    report_bound("cross-entropy dlogits", err, mg, vocab + 8.0);
    free(z), free(keep), free(dz), free(zd);
}

/* ---- The whole model, in double ---- */

typedef struct {
    const nope_train_shape *s;
    const uint8_t *windows;
    size_t batch;
} model_ctx;

static const double *tensor_d(const nope_train_shape *s, const double *p, nope_train_kind k, uint32_t l)
{
    return p + nope_train_tensor_of(s, k, l).offset;
}

/* The mean cross-entropy of the model with parameters p (double), written from the model's
 * definition (docs/training.md), not from the float code. */
static double model_loss(void *vctx, const double *p)
{
    const model_ctx *c = vctx;
    const nope_train_shape *s = c->s;
    const size_t T = s->seq, d = s->d, f = s->ffn, V = s->vocab, R = c->batch * T;
    double *x = malloc(R * d * 8), *h = malloc(R * d * 8), *qkv = malloc(R * 3 * d * 8), *o = malloc(R * d * 8);
    double *y = malloc(R * d * 8), *u = malloc(R * f * 8), *z = malloc(R * V * 8), *et = malloc(d * V * 8);
    const double *E = tensor_d(s, p, NOPE_TT_EMBED, 0);
    for (size_t r = 0; r < R; r++)
        for (size_t i = 0; i < d; i++)
            x[r * d + i] = E[c->windows[(r / T) * (T + 1) + r % T] * d + i];
    for (uint32_t l = 0; l < s->layers; l++) {
        ref_layernorm(h, x, tensor_d(s, p, NOPE_TT_LN1_GAIN, l), tensor_d(s, p, NOPE_TT_LN1_BIAS, l), R, d, s->eps);
        for (size_t r = 0; r < R; r++)
            for (int m = 0; m < 3; m++) {
                const double *W = tensor_d(s, p, (nope_train_kind)(NOPE_TT_WQ + m), l);
                for (size_t j = 0; j < d; j++) {
                    double acc = 0;
                    for (size_t i = 0; i < d; i++)
                        acc += h[r * d + i] * W[i * d + j];
                    qkv[r * 3 * d + m * d + j] = acc;
                }
            }
        for (size_t b = 0; b < c->batch; b++)
            ref_attention(o + b * T * d, qkv + b * T * 3 * d, T, d, s->heads);
        ref_matmul(y, o, tensor_d(s, p, NOPE_TT_WO, l), R, d, d);
        for (size_t k = 0; k < R * d; k++)
            x[k] += y[k];
        ref_layernorm(h, x, tensor_d(s, p, NOPE_TT_LN2_GAIN, l), tensor_d(s, p, NOPE_TT_LN2_BIAS, l), R, d, s->eps);
        ref_matmul(u, h, tensor_d(s, p, NOPE_TT_W1, l), R, d, f);
        for (size_t k = 0; k < R * f; k++)
            u[k] = ref_act(u[k], s->act);
        ref_matmul(y, u, tensor_d(s, p, NOPE_TT_W2, l), R, f, d);
        for (size_t k = 0; k < R * d; k++)
            x[k] += y[k];
    }
    ref_layernorm(h, x, tensor_d(s, p, NOPE_TT_LNF_GAIN, 0), tensor_d(s, p, NOPE_TT_LNF_BIAS, 0), R, d, s->eps);
    for (size_t v = 0; v < V; v++)
        for (size_t i = 0; i < d; i++)
            et[i * V + v] = E[v * d + i];
    ref_matmul(z, h, et, R, d, V);
    double loss = ref_xent(z, c->windows, T, R, V) / (double)R;
    free(x), free(h), free(qkv), free(o), free(y), free(u), free(z), free(et);
    return loss;
}

/* A model with gains and biases away from 1 and 0, and weights large enough that attention is
 * not uniform, so every term of the gradient matters. */
static void random_model(const nope_train_shape *s, float *params, uint64_t seed)
{
    nope_train_init(s, params, seed, (uint32_t)(0.3 * (1 << NOPE_SCALE_FRAC_BITS)));
    for (size_t k = 0; k < nope_train_tensor_count(s); k++) {
        nope_train_tensor t = nope_train_tensor_at(s, k);
        if (t.rows == 1)
            for (size_t i = 0; i < t.cols; i++)
                params[t.offset + i] += (float)(0.3 * uni());
    }
}

typedef struct {
    float *params, *grads, *acts, *work;
    float loss;
} run;

static run forward_backward(const nope_train_shape *s, const float *params, const uint8_t *windows, size_t batch)
{
    run r;
    size_t np = nope_train_param_count(s);
    r.params = malloc(np * 4);
    memcpy(r.params, params, np * 4);
    r.grads = malloc(np * 4);
    r.acts = malloc(nope_train_acts_floats(s, batch) * 4);
    r.work = malloc(nope_train_work_floats(s, batch) * 4);
    r.loss = nope_train_forward(s, r.params, windows, batch, r.acts, r.work);
    nope_train_backward(s, r.params, windows, batch, r.acts, r.grads, r.work);
    return r;
}

static void run_free(run *r)
{
    free(r->params), free(r->grads), free(r->acts), free(r->work);
}

static const char *kind_name(nope_train_kind k)
{
    static const char *names[] = {"embed",    "ln1_gain", "ln1_bias", "wq", "wk",       "wv",      "wo",
                                  "ln2_gain", "ln2_bias", "w1",       "w2", "lnf_gain", "lnf_bias"};
    return names[k];
}

/* The whole gradient at d=8 heads=2 layers=2 ffn=16 vocab=256 seq=6 batch=2, each activation,
 * tensor by tensor, against finite differences of model_loss. The bound, 256 u max|g| of the
 * model: the longest chain of the pass is the head's 256-term softmax sum (256 u relative at
 * worst), the others are at most 3d = 24 or batch * seq = 12 terms; their errors add along the
 * path from the loss to a parameter, but their worst cases do not align (measured: about 11 u).
 * A missing or wrong term is an error of the order of the gradient itself, 10^5 u. And the loss
 * against the double model within 64 u: the head's 256-term sum of exps, up to 256 u relative,
 * becomes that much absolute error in ln(total), a fifth of it relative to a loss near ln 256. */
static void test_model_gradient(void **state)
{
    (void)state;
    for (int act = 0; act < 2; act++) {
        nope_train_shape s = {8, 2, 2, 16, 256, 6, (nope_act)act, 1e-5f};
        assert_true(nope_train_shape_ok(&s));
        const size_t batch = 2, np = nope_train_param_count(&s);
        uint8_t windows[2 * 7] = {'t', 'h', 'e', ' ', 'c', 'a', 't', 's', 'a', 't', ' ', 'o', 'n', '.'};
        float *params = malloc(np * 4);
        random_model(&s, params, 7 + (uint64_t)act);
        run r = forward_backward(&s, params, windows, batch);
        double *pd = to_double(params, np);
        model_ctx c = {&s, windows, batch};
        double want = model_loss(&c, pd);
        printf(" %s: loss %.9g, double model %.9g (%.1f u relative; bound 64)\n", act ? "gelu" : "relu", r.loss, want,
               fabs(r.loss - want) / want / U);
        assert_true(fabs(r.loss - want) <= 64 * U * want);
        /* Finite differences of every parameter; then each tensor's worst error. */
        double *fd = malloc(np * sizeof *fd), gmax = 0;
        for (size_t i = 0; i < np; i++) {
            double keep = pd[i];
            pd[i] = keep + FD_H;
            double up = model_loss(&c, pd);
            pd[i] = keep - FD_H;
            double down = model_loss(&c, pd);
            pd[i] = keep;
            fd[i] = (up - down) / (2 * FD_H);
            gmax = fmax(gmax, fabs(fd[i]));
        }
        double worst = 0;
        for (size_t k = 0; k < nope_train_tensor_count(&s); k++) {
            nope_train_tensor t = nope_train_tensor_at(&s, k);
            double err = 0, tmax = 0;
            for (size_t i = t.offset; i < t.offset + t.rows * t.cols; i++) {
                err = fmax(err, fabs(r.grads[i] - fd[i]));
                tmax = fmax(tmax, fabs(fd[i]));
            }
            worst = fmax(worst, err / gmax);
            printf("    %-8s layer %u: max|g| %.3e  max|err| %.3e = %.2e of the model's max|g|\n", kind_name(t.kind),
                   t.layer, tmax, err, err / gmax);
            if (err > 256 * U * gmax)
                fail_msg("%s layer %u: gradient error %.3e over 256 u max|g| = %.3e", kind_name(t.kind), t.layer, err,
                         256 * U * gmax);
        }
        printf("  %s: worst tensor error %.2f u max|g|, max|g| = %.3e (bound 256)\n", act ? "gelu" : "relu", worst / U,
               gmax);
        free(fd), free(pd), free(params);
        run_free(&r);
    }
}

/* A port's parallel-for without threads: the even split, last range first, so a product that
 * depended on how its rows were split or in what order would be caught. */
static void reverse_runner(nope_range_fn fn, void *ctx, size_t n, uint32_t workers)
{
    for (uint32_t w = workers; w-- > 0;) {
        size_t begin, end;
        nope_parallel_split(n, workers, w, &begin, &end);
        if (begin < end)
            fn(ctx, w, begin, end);
    }
}

/* The same gradient bits twice, and with the products split over 3 workers run in reverse (the
 * cross-compiler, -O0/-O2 part: tests/scripts/train_bits.sh). */
static void test_same_bits(void **state)
{
    (void)state;
    /* Large enough that every product is split (over 2^16 multiplications). */
    nope_train_shape s = {32, 4, 2, 64, 256, 16, NOPE_ACT_GELU, 1e-5f};
    const size_t batch = 8, np = nope_train_param_count(&s);
    uint8_t windows[8 * 17];
    for (size_t k = 0; k < sizeof windows; k++)
        windows[k] = (uint8_t)("the quick brown fox jumps over the lazy dog"[k % 43]);
    float *params = malloc(np * 4);
    random_model(&s, params, 3);
    run a = forward_backward(&s, params, windows, batch), b = forward_backward(&s, params, windows, batch);
    assert_memory_equal(a.grads, b.grads, np * 4);
    assert_true(a.loss == b.loss);
    nope_parallel_set(reverse_runner, 3);
    run c = forward_backward(&s, params, windows, batch);
    nope_parallel_set(NULL, 1);
    assert_memory_equal(a.grads, c.grads, np * 4);
    assert_true(a.loss == c.loss);
    run_free(&a), run_free(&b), run_free(&c), free(params);
}

/* ---- Layout ---- */

/* Tensors tile the flat array in file order without a gap; decay exactly on the matrices and the
 * embedding; and the initial model. */
static void test_layout(void **state)
{
    (void)state;
    nope_train_shape s = {64, 4, 4, 256, 256, 64, NOPE_ACT_GELU, 1e-5f};
    size_t at = 0, count = nope_train_tensor_count(&s);
    assert_int_equal(count, 1 + 10 * 4 + 2);
    for (size_t k = 0; k < count; k++) {
        nope_train_tensor t = nope_train_tensor_at(&s, k);
        assert_int_equal(t.offset, at);
        bool matrix = t.kind == NOPE_TT_EMBED || (t.kind >= NOPE_TT_WQ && t.kind <= NOPE_TT_WO) ||
                      t.kind == NOPE_TT_W1 || t.kind == NOPE_TT_W2;
        assert_true(t.decay == matrix);
        nope_train_tensor again = nope_train_tensor_of(&s, t.kind, t.layer);
        assert_int_equal(again.offset, t.offset);
        at += t.rows * t.cols;
    }
    assert_int_equal(at, nope_train_param_count(&s));
    assert_int_equal(at, 256 * 64 + 4 * (4 * 64 + 4 * 64 * 64 + 2 * 64 * 256) + 2 * 64);
    nope_train_tensor w1 = nope_train_tensor_of(&s, NOPE_TT_W1, 2);
    assert_int_equal(w1.rows, 64);
    assert_int_equal(w1.cols, 256);
    /* A fresh model: gains 1, biases 0, every matrix N(0, 0.02^2) (its sample std within 5%, its
     * mean within 4 standard errors), the same values from the same seed, others from another. */
    float *p = malloc(at * 4), *q = malloc(at * 4);
    const uint32_t sigma_q = (uint32_t)(0.02 * (1 << NOPE_SCALE_FRAC_BITS));
    nope_train_init(&s, p, 5, sigma_q);
    nope_train_init(&s, q, 5, sigma_q);
    assert_memory_equal(p, q, at * 4);
    nope_train_init(&s, q, 6, sigma_q);
    assert_true(memcmp(p, q, at * 4) != 0);
    for (size_t k = 0; k < count; k++) {
        nope_train_tensor t = nope_train_tensor_at(&s, k);
        size_t n = t.rows * t.cols;
        double sum = 0, sq = 0;
        for (size_t i = 0; i < n; i++)
            sum += p[t.offset + i], sq += (double)p[t.offset + i] * p[t.offset + i];
        if (t.rows == 1) {
            bool gain = t.kind == NOPE_TT_LN1_GAIN || t.kind == NOPE_TT_LN2_GAIN || t.kind == NOPE_TT_LNF_GAIN;
            assert_true(sum == (gain ? (double)n : 0.0) && sq == (gain ? (double)n : 0.0));
        } else {
            double mean = sum / n, sd = sqrt(sq / n - mean * mean);
            assert_true(fabs(sd - 0.02) <= 0.05 * 0.02);
            assert_true(fabs(mean) <= 4 * 0.02 / sqrt((double)n));
        }
    }
    free(p), free(q);
}

/* ---- The optimiser ---- */

/* Step 1 and step 2 against the formulas evaluated by hand in double: at step 1 the bias
 * correction makes m_hat = g and v_hat = g^2, so a weight moves by lr g / (|g| + eps) after
 * shrinking by (1 - lr wd); a gain does not shrink. Within 8 u of the parameter's scale. */
static void test_adamw(void **state)
{
    (void)state;
    nope_train_shape s = {2, 1, 1, 1, 256, 1, NOPE_ACT_RELU, 1e-5f};
    const size_t np = nope_train_param_count(&s);
    float *p = calloc(np, 4), *g = calloc(np, 4), *m = calloc(np, 4), *v = calloc(np, 4);
    nope_train_tensor wq = nope_train_tensor_of(&s, NOPE_TT_WQ, 0),
                      gain = nope_train_tensor_of(&s, NOPE_TT_LN1_GAIN, 0);
    size_t iw = wq.offset + 1, ig = gain.offset, iz = wq.offset + 2; /* iz: a weight with no gradient */
    p[iw] = 0.5f, g[iw] = -0.25f;
    p[ig] = 1.25f, g[ig] = 0.125f;
    p[iz] = 2.0f;
    nope_adamw opt = nope_adamw_defaults();
    const float lr = 0.01f;
    nope_train_adamw_step(&s, p, g, m, v, 1, lr, &opt);
    double shrink = 1 - 0.01 * 0.01;
    double want_w = 0.5 * shrink - 0.01 * (-0.25) / (0.25 + 1e-8), want_g = 1.25 - 0.01 * 0.125 / (0.125 + 1e-8);
    printf("  step 1: weight %.9g (hand %.9g), gain %.9g (hand %.9g), idle weight %.9g (hand %.9g)\n", p[iw], want_w,
           p[ig], want_g, p[iz], 2.0 * shrink);
    assert_true(fabs(p[iw] - want_w) <= 8 * U * 0.5);
    assert_true(fabs(p[ig] - want_g) <= 8 * U * 1.25);
    assert_true(fabs(p[iz] - 2.0 * shrink) <= 2 * U * 2.0);
    /* Step 2 with gradient 0.5: m = 0.9 (0.1 g1) + 0.1 g2, v = 0.999 (0.001 g1^2) + 0.001 g2^2. */
    double p1 = p[iw];
    g[iw] = 0.5f;
    nope_train_adamw_step(&s, p, g, m, v, 2, lr, &opt);
    double m2 = 0.9 * 0.1 * -0.25 + 0.1 * 0.5, v2 = 0.999 * 0.001 * 0.0625 + 0.001 * 0.25;
    double mh = m2 / (1 - 0.81), vh = v2 / (1 - 0.999 * 0.999);
    double want2 = p1 * shrink - 0.01 * mh / (sqrt(vh) + 1e-8);
    printf("  step 2: weight %.9g (hand %.9g)\n", p[iw], want2);
    assert_true(fabs(p[iw] - want2) <= 16 * U * 0.5);
    for (size_t i = 0; i < np; i++) /* every other value: zero gradient; gains and biases unchanged */
        if (i != iw && i != ig && i != iz)
            assert_true(p[i] == 0.0f);
    free(p), free(g), free(m), free(v);
}

static void test_clip(void **state)
{
    (void)state;
    enum { N = 5000 };
    float *g = malloc(N * 4), *keep = malloc(N * 4);
    fill(g, N, 0.1, 0.0);
    memcpy(keep, g, N * 4);
    double exact = 0;
    for (size_t i = 0; i < N; i++)
        exact += (double)g[i] * g[i];
    exact = sqrt(exact);
    float norm = nope_train_grad_norm(g, N);
    assert_true(fabs(norm - exact) <= 4 * U * exact);
    /* Above the limit: scaled to it; below: untouched. */
    float before = nope_train_clip(g, N, 1.0f);
    assert_true(before == norm);
    float after = nope_train_grad_norm(g, N);
    printf("  clip: norm %.9g -> %.9g (limit 1)\n", before, after);
    assert_true(fabs(after - 1.0) <= 8 * U);
    memcpy(g, keep, N * 4);
    nope_train_clip(g, N, 100.0f);
    assert_memory_equal(g, keep, N * 4);
    free(g), free(keep);
}

static void test_schedule(void **state)
{
    (void)state;
    for (int k = 0; k <= 1000; k++) {
        float x = (float)k / 1000.0f;
        assert_true(fabs(nope_train_cos_pi(x) - cos(3.14159265358979323846 * x)) <= 0x1p-22);
    }
    const float peak = 3e-3f, lo = 3e-5f;
    const uint32_t warm = 100, total = 5001;
    assert_true(nope_train_lr(0, warm, total, peak, lo) == peak / 100.0f);
    assert_true(nope_train_lr(49, warm, total, peak, lo) == peak * 50.0f / 100.0f);
    assert_true(nope_train_lr(warm - 1, warm, total, peak, lo) == peak);
    assert_true(fabs(nope_train_lr(warm, warm, total, peak, lo) - peak) <= 2 * U * peak);
    float mid = nope_train_lr(warm + (total - 1 - warm) / 2, warm, total, peak, lo);
    assert_true(fabs(mid - (peak + lo) / 2) <= 4 * U * peak);
    assert_true(nope_train_lr(total - 1, warm, total, peak, lo) == lo);
    assert_true(nope_train_lr(total + 100, warm, total, peak, lo) == lo);
    float prev = peak;
    for (uint32_t t = warm; t < total; t += 7) { /* never rises after the warm-up */
        float lr = nope_train_lr(t, warm, total, peak, lo);
        assert_true(lr <= prev && lr >= lo);
        prev = lr;
    }
}

/* ---- It learns ---- */

/* A tiny model on a repeating sentence: 60 AdamW steps must bring the loss on fixed windows below
 * the text's unigram entropy (what a model that ignores context can reach at best), from about
 * ln 256 at the start. */
static void test_loss_falls(void **state)
{
    (void)state;
    const char *sentence = "the cat sat on the mat and the dog sat on the log. ";
    char text[1024];
    size_t len = 0, slen = strlen(sentence);
    while (len + slen < sizeof text)
        memcpy(text + len, sentence, slen), len += slen;
    double counts[256] = {0}, entropy = 0;
    for (size_t k = 0; k < len; k++)
        counts[(uint8_t)text[k]]++;
    for (int k = 0; k < 256; k++)
        if (counts[k] > 0)
            entropy -= counts[k] / len * log(counts[k] / len);
    nope_train_shape s = {16, 2, 1, 32, 256, 16, NOPE_ACT_GELU, 1e-5f};
    enum { BATCH = 8, STEPS = 60 };
    const size_t np = nope_train_param_count(&s);
    float *p = malloc(np * 4), *g = malloc(np * 4), *m = calloc(np, 4), *v = calloc(np, 4);
    float *acts = malloc(nope_train_acts_floats(&s, BATCH) * 4), *work = malloc(nope_train_work_floats(&s, BATCH) * 4);
    nope_train_init(&s, p, 1, (uint32_t)(0.02 * (1 << NOPE_SCALE_FRAC_BITS)));
    uint8_t windows[BATCH * 17], eval[BATCH * 17];
    for (size_t b = 0; b < BATCH; b++)
        memcpy(eval + b * 17, text + 5 * b + 3, 17);
    nope_adamw opt = nope_adamw_defaults();
    float first = nope_train_forward(&s, p, eval, BATCH, acts, work), loss = first;
    for (uint32_t t = 0; t < STEPS; t++) {
        for (size_t b = 0; b < BATCH; b++)
            memcpy(windows + b * 17, text + (t * 13 + b * 29) % (len - 17), 17);
        nope_train_forward(&s, p, windows, BATCH, acts, work);
        nope_train_backward(&s, p, windows, BATCH, acts, g, work);
        nope_train_clip(g, np, 1.0f);
        nope_train_adamw_step(&s, p, g, m, v, t + 1, nope_train_lr(t, 5, STEPS, 1e-2f, 1e-3f), &opt);
    }
    loss = nope_train_forward(&s, p, eval, BATCH, acts, work);
    printf("  loss %.4f -> %.4f nats after %d steps; unigram entropy %.4f\n", first, loss, STEPS, entropy);
    assert_true(first > 5.0f);
    assert_true(loss < entropy);
    free(p), free(g), free(m), free(v), free(acts), free(work);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_matmul),
        cmocka_unit_test(test_matmul_backward),
        cmocka_unit_test(test_layernorm),
        cmocka_unit_test(test_attention),
        cmocka_unit_test(test_activations),
        cmocka_unit_test(test_xent),
        cmocka_unit_test(test_model_gradient),
        cmocka_unit_test(test_same_bits),
        cmocka_unit_test(test_adamw),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_loss_falls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
