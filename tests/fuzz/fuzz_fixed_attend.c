/* nope_kern_attend (fixed point) against the long double attention of the same integers, with
 * the exact scale 1/sqrt(dh). Bound in LSB of Q.F, from the kernel's steps:
 *   1/2 for the output's rounding; each score is within D_n = 1/2 LSB + |s_n| 2^-31 (the Q31
 *   scale's rounding) of the exact one, moving p_n by a relative 2 max D; each probability is
 *   within 3 LSB of Q30 (exp's 2, the division's 1) plus a relative n_keys 2^-30 (the total's
 *   error): |o - o_ref| <= 1/2 + sum_n |v_n| (p_n (2 max D 2^-F + n_keys 2^-30) + 3 2^-30).
 * (tests/unit/test_fixed_kernels.c states 1 + n_keys max|v| 2^-30 for |v| near 1, |score| small.)
 * No saturation when the scores and outputs stay within int32. Both the fast and the wide dot product. */
#include "fuzz_fixed_kernels_util.h"

#include "nope/kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    size_t dh = take_range(&in, 1, 64), n_keys = take_range(&in, 1, 300);
    size_t stride = dh + take_range(&in, 0, 16);
    unsigned q_bits = (unsigned)take_range(&in, 1, 31), k_bits = (unsigned)take_range(&in, 1, 31);
    unsigned v_bits = (unsigned)take_range(&in, 1, 31);
    const nope_kern_params *kp = take_attend_params(&in, dh);
    size_t len = (n_keys - 1) * stride + dh;
    int32_t *q = malloc(dh * sizeof *q), *keys = malloc(len * sizeof *keys), *values = malloc(len * sizeof *values);
    int32_t *o = malloc(dh * sizeof *o), *scores = malloc(n_keys * sizeof *scores);
    long double *s = malloc(n_keys * sizeof *s);
    fuzz_cycle cyc = {in, in};
#define NEXT(b) (fuzz_cycle_next(&cyc, 3) ? take_act(&cyc.cur, b) : NOPE_FX_ONE / 2)
    for (size_t i = 0; i < dh; i++)
        q[i] = NEXT(q_bits);
    for (size_t k = 0; k < len; k++) {
        keys[k] = NEXT(k_bits);
        values[k] = NEXT(v_bits);
    }
    nope_fx_saturations_reset();
    nope_kern_attend(o, q, keys, values, n_keys, dh, stride, scores, kp);
    long double top = -INFINITY, total = 0, d_max = 0;
    bool in_range = true, out_edge = false;
    for (size_t n = 0; n < n_keys; n++) {
        long double dot = 0;
        for (size_t i = 0; i < dh; i++)
            dot += (long double)q[i] * keys[n * stride + i];
        s[n] = dot / (Q_ONE * Q_ONE) / sqrtl((long double)dh); /* real units */
        in_range &= fabsl(s[n]) * Q_ONE < 0x1p31L - 1;
        long double dn = 0.5L / Q_ONE + fabsl(s[n]) * 0x1p-31L;
        d_max = dn > d_max ? dn : d_max;
        top = s[n] > top ? s[n] : top;
    }
    if (in_range) { /* a score past int32 saturates by design; the bound is for the rest */
        for (size_t n = 0; n < n_keys; n++)
            total += expl(s[n] - top);
        for (size_t i = 0; i < dh; i++) {
            long double want = 0, tol = 0.5L;
            for (size_t n = 0; n < n_keys; n++) {
                long double p = expl(s[n] - top) / total, v = values[n * stride + i];
                want += p * v;
                tol += fabsl(v) * (p * (2 * d_max + (long double)n_keys * 0x1p-30L) + 3 * 0x1p-30L);
            }
            tol = 1.01L * tol + 1e-6L;
            FUZZ_CHECK(fabsl((long double)o[i] - want) <= tol,
                       "attend dh=%zu keys=%zu stride=%zu: o[%zu] = %d, want %.4Lf: error %.3Lg LSB > %.3Lg", dh, n_keys,
                       stride, i, (int)o[i], want, fabsl((long double)o[i] - want), tol);
            out_edge |= fabsl(want) + tol >= 0x1p31L - 1;
        }
        FUZZ_CHECK(nope_fx_saturations() == 0 || out_edge, "attend: %llu saturations with every score and output in range",
                   (unsigned long long)nope_fx_saturations());
    }
    free(q);
    free(keys);
    free(values);
    free(o);
    free(scores);
    free(s);
    return 0;
}
