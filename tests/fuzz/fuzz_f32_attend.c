/* nope_kern_attend (float32), one query over n_keys keys of width dh at a stride, against the
 * double computation on the same floats. Bound, derived from the float steps (u = 2^-24):
 *   scores: |s' - s| <= D_n = (dh + 2) u sum_i |q_i k_ni| scale   (dot, times the float scale)
 *   softmax: p'_n = p_n (1 + e_n), |e_n| <= 2 max_m D_m + (n + 4) u + |s_n - max s| 2u
 *   output: |o'_i - o_i| <= sum_n p_n |v_ni| (|e_n| + (n_keys + 1) u), and 1% on top.
 * Inputs: |q|, |k| up to 2^6, |v| up to 2^4, dh 1..64 (d / heads), n_keys 1..300 (dh n_keys up
 * to 2048, fuzz_util.h: take_attend). The gaps
 * between keys (stride > dh) hold NaN, which any read of them carries into the output. Filling
 * the inputs and the reference run without coverage callbacks (FUZZ_NO_COVERAGE): they were
 * most of the time per input. */
#include "fuzz_util.h"

#include "nope/kernels.h"

/* q, then keys and values (NaN in the gaps) from the bytes left. */
FUZZ_NO_COVERAGE static void fill(fuzz_in in, const fuzz_attend *a, int qk_exp, int v_exp)
{
    fuzz_cycle cyc = {in, in};
#define NEXT(lo, hi) (fuzz_cycle_next(&cyc, 3) ? take_moderate_f32(&cyc.cur, lo, hi) : 0.5f)
    for (size_t i = 0; i < a->dh; i++)
        a->q[i] = NEXT(qk_exp - 10, qk_exp);
    for (size_t k = 0, col = 0; k < a->len; k++, col = col + 1 < a->stride ? col + 1 : 0) {
        a->keys[k] = col >= a->dh ? NAN : NEXT(qk_exp - 10, qk_exp);
        a->values[k] = col >= a->dh ? NAN : NEXT(v_exp - 10, v_exp);
    }
#undef NEXT
}

/* Every output against the double attention, within the bound above. */
FUZZ_NO_COVERAGE static void check(const fuzz_attend *a)
{
    const size_t dh = a->dh, n_keys = a->n_keys, stride = a->stride;
    double *s = malloc(n_keys * sizeof *s), *e = malloc(n_keys * sizeof *e), *p = malloc(n_keys * sizeof *p);
    const double u = 0x1p-24, scale = 1.0 / sqrt((double)dh);
    double top = -INFINITY, total = 0, d_max = 0;
    for (size_t n = 0; n < n_keys; n++) {
        double dot = 0, mag = 0;
        for (size_t i = 0; i < dh; i++) {
            dot += (double)a->q[i] * a->keys[n * stride + i];
            mag += fabs((double)a->q[i] * a->keys[n * stride + i]);
        }
        s[n] = dot * scale;
        double dn = (double)(dh + 2) * u * mag * scale;
        d_max = dn > d_max ? dn : d_max;
        top = s[n] > top ? s[n] : top;
    }
    for (size_t n = 0; n < n_keys; n++)
        total += exp(s[n] - top);
    for (size_t n = 0; n < n_keys; n++) {
        p[n] = exp(s[n] - top) / total;
        e[n] = 2 * d_max + (double)(n_keys + 4) * u + fabs(s[n] - top) * 2 * u;
    }
    for (size_t i = 0; i < dh; i++) {
        double want = 0, tol = 0;
        for (size_t n = 0; n < n_keys; n++) {
            double v = a->values[n * stride + i];
            want += p[n] * v;
            tol += p[n] * fabs(v) * (e[n] + (double)(n_keys + 1) * u);
        }
        tol = 1.01 * tol + 1e-30;
        FUZZ_CHECK(fabs(a->o[i] - want) <= tol,
                   "attend dh=%zu keys=%zu stride=%zu: o[%zu] = %.9g, want %.9g: error %.3g > %.3g", dh, n_keys, stride,
                   i, a->o[i], want, fabs(a->o[i] - want), tol);
    }
    free(s);
    free(e);
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    fuzz_attend a = take_attend(&in);
    int qk_exp = (int)take_range(&in, 0, 10) - 4, v_exp = (int)take_range(&in, 0, 8) - 4;
    const nope_kern_params *kp = take_attend_params(&in, a.dh);
    fill(in, &a, qk_exp, v_exp);
    nope_kern_attend(a.o, a.q, a.keys, a.values, a.n_keys, a.dh, a.stride, a.scores, kp);
    check(&a);
    fuzz_attend_free(&a);
    return 0;
}
