/* nope_kern_attend (float32), one query over n_keys keys of width dh at a stride, against the
 * double computation on the same floats. Bound, derived from the float steps (u = 2^-24):
 *   scores: |s' - s| <= D_n = (dh + 2) u sum_i |q_i k_ni| scale   (dot, times the float scale)
 *   softmax: p'_n = p_n (1 + e_n), |e_n| <= 2 max_m D_m + (n + 4) u + |s_n - max s| 2u
 *   output: |o'_i - o_i| <= sum_n p_n |v_ni| (|e_n| + (n_keys + 1) u), and 1% on top.
 * Inputs: |q|, |k| up to 2^6, |v| up to 2^4, dh 1..64 (d / heads), n_keys 1..300. */
#include "fuzz_util.h"

#include "nope/kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    size_t dh = take_range(&in, 1, 64), n_keys = take_range(&in, 1, 300);
    size_t stride = dh + take_range(&in, 0, 16);
    int qk_exp = (int)take_range(&in, 0, 10) - 4, v_exp = (int)take_range(&in, 0, 8) - 4;
    const nope_kern_params *kp = take_attend_params(&in, dh);
    size_t len = (n_keys - 1) * stride + dh;
    float *q = malloc(dh * sizeof *q), *keys = malloc(len * sizeof *keys), *values = malloc(len * sizeof *values);
    float *o = malloc(dh * sizeof *o), *scores = malloc(n_keys * sizeof *scores);
    double *s = malloc(n_keys * sizeof *s), *e = malloc(n_keys * sizeof *e);
    fuzz_cycle cyc = {in, in};
#define NEXT(lo, hi) (fuzz_cycle_next(&cyc, 3) ? take_moderate_f32(&cyc.cur, lo, hi) : 0.5f)
    for (size_t i = 0; i < dh; i++)
        q[i] = NEXT(qk_exp - 10, qk_exp);
    for (size_t k = 0; k < len; k++) {
        keys[k] = NEXT(qk_exp - 10, qk_exp);
        values[k] = NEXT(v_exp - 10, v_exp);
    }
    nope_kern_attend(o, q, keys, values, n_keys, dh, stride, scores, kp);
    const double u = 0x1p-24, scale = 1.0 / sqrt((double)dh);
    double top = -INFINITY, total = 0, d_max = 0;
    for (size_t n = 0; n < n_keys; n++) {
        double dot = 0, mag = 0;
        for (size_t i = 0; i < dh; i++) {
            dot += (double)q[i] * keys[n * stride + i];
            mag += fabs((double)q[i] * keys[n * stride + i]);
        }
        s[n] = dot * scale;
        double dn = (double)(dh + 2) * u * mag * scale;
        d_max = dn > d_max ? dn : d_max;
        top = s[n] > top ? s[n] : top;
    }
    for (size_t n = 0; n < n_keys; n++)
        total += exp(s[n] - top);
    for (size_t n = 0; n < n_keys; n++)
        e[n] = 2 * d_max + (double)(n_keys + 4) * u + fabs(s[n] - top) * 2 * u;
    for (size_t i = 0; i < dh; i++) {
        double want = 0, tol = 0;
        for (size_t n = 0; n < n_keys; n++) {
            double p = exp(s[n] - top) / total, v = values[n * stride + i];
            want += p * v;
            tol += p * fabs(v) * (e[n] + (double)(n_keys + 1) * u);
        }
        tol = 1.01 * tol + 1e-30;
        FUZZ_CHECK(fabs(o[i] - want) <= tol, "attend dh=%zu keys=%zu stride=%zu: o[%zu] = %.9g, want %.9g: error %.3g > %.3g",
                   dh, n_keys, stride, i, o[i], want, fabs(o[i] - want), tol);
    }
    free(q);
    free(keys);
    free(values);
    free(o);
    free(scores);
    free(s);
    free(e);
    return 0;
}
