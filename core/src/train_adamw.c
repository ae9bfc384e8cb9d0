/* The optimiser: AdamW (Loshchilov and Hutter, decoupled weight decay) with bias correction, in
 * the order of torch.optim.AdamW's single-tensor step; the global-norm clip; the warm-up + cosine
 * learning rate. Elementwise, so the order of the parameters never matters except in the norm. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32

#include "nope/math_float.h"
#include "nope/train.h"

#include "train_layout.h"

nope_adamw nope_adamw_defaults(void)
{
    nope_adamw opt = {0.9f, 0.999f, 1e-8f, 0.01f};
    return opt;
}

/* base^t by squaring, the bits of t from the lowest: a fixed sequence of float products. */
static float power(float base, uint32_t t)
{
    float result = 1.0f;
    for (; t; t >>= 1) {
        if (t & 1)
            result *= base;
        base *= base;
    }
    return result;
}

/* The square root of AdamW's second moment, once per parameter per step: on x86-64 the
 * hardware's (sqrtss), which IEEE-754 requires to be correctly rounded, as the core's integer
 * nope_f32_sqrt is (test_f32_math compares the two bit for bit), so the same bits 5x faster;
 * elsewhere the core's. */
static float root(float x)
{
#if defined(__x86_64__) && defined(__GNUC__)
    float r;
    __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
    return r;
#else
    return nope_f32_sqrt(x);
#endif
}

/* For each value, with g its gradient, bc1 = 1 - beta1^t, bc2 = 1 - beta2^t:
 *   p = p * (1 - lr * weight_decay)             (only where the tensor decays)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * (g * g)
 *   p = p - (lr / bc1) * (m / (sqrt(v) / sqrt(bc2) + eps)) */
void nope_train_adamw_step(const nope_train_shape *s, float *params, const float *grads, float *m, float *v, uint32_t t,
                           float lr, const nope_adamw *opt)
{
    const float b1 = opt->beta1, b2 = opt->beta2;
    const float bc1 = 1.0f - power(b1, t), bc2_root = nope_f32_sqrt(1.0f - power(b2, t));
    const float step = lr / bc1, shrink = 1.0f - lr * opt->weight_decay;
    const size_t count = nope_train_tensor_count(s);
    for (size_t k = 0; k < count; k++) {
        nope_train_tensor tt = nope_train_tensor_at(s, k);
        const size_t end = tt.offset + tt.rows * tt.cols;
        for (size_t i = tt.offset; i < end; i++) {
            const float g = grads[i];
            float p = params[i];
            if (tt.decay)
                p = p * shrink;
            m[i] = b1 * m[i] + (1.0f - b1) * g;
            v[i] = b2 * v[i] + (1.0f - b2) * (g * g);
            params[i] = p - step * (m[i] / (root(v[i]) / bc2_root + opt->eps));
        }
    }
}

float nope_train_grad_norm(const float *g, size_t n)
{
    /* Compensated, as the LayerNorm's sums: a sum of 10^5..10^6 squares stays within a few ulps. */
    train_kahan squares = {0.0f, 0.0f};
    for (size_t i = 0; i < n; i++)
        train_kahan_add(&squares, g[i] * g[i]);
    return nope_f32_sqrt(squares.sum);
}

float nope_train_clip(float *g, size_t n, float max_norm)
{
    float norm = nope_train_grad_norm(g, n);
    if (norm > max_norm) {
        const float factor = max_norm / norm;
        for (size_t i = 0; i < n; i++)
            g[i] = g[i] * factor;
    }
    return norm;
}

/* cos(pi x) on [0, 1/4] and sin(pi x) on [0, 1/4] by their Taylor series (next terms under 3e-8),
 * evaluated by Horner in z^2 = (pi x)^2. */
// clang-format off
static float cos_quarter(float x)
{
    const float z = 3.14159265f * x, z2 = z * z;
    return 1.0f + z2 * (-1.0f / 2 + z2 * (1.0f / 24 + z2 * (-1.0f / 720 + z2 * (1.0f / 40320))));
}
static float sin_quarter(float x)
{
    const float z = 3.14159265f * x, z2 = z * z;
    return z * (1.0f + z2 * (-1.0f / 6 + z2 * (1.0f / 120 + z2 * (-1.0f / 5040 + z2 * (1.0f / 362880)))));
}
// clang-format on

float nope_train_cos_pi(float x)
{
    if (x > 0.5f) /* cos(pi x) = -cos(pi (1 - x)); 1 - x is exact here */
        return -nope_train_cos_pi(1.0f - x);
    if (x > 0.25f) /* cos(pi x) = sin(pi (1/2 - x)); exact too */
        return sin_quarter(0.5f - x);
    return cos_quarter(x);
}

float nope_train_lr(uint32_t t, uint32_t warmup, uint32_t total, float peak, float lr_min)
{
    if (t < warmup)
        return peak * (float)(t + 1) / (float)warmup;
    if (total <= warmup + 1 || t >= total - 1)
        return lr_min;
    const float progress = (float)(t - warmup) / (float)(total - 1 - warmup);
    return lr_min + (peak - lr_min) * (0.5f * (1.0f + nope_train_cos_pi(progress)));
}

#endif
