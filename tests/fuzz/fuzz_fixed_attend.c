/* nope_kern_attend (fixed point) against the long double attention of the same integers, with
 * the exact scale 1/sqrt(dh). Bound in LSB of Q.F, from the kernel's steps:
 *   1/2 for the output's rounding; each score is within D_n = 1/2 LSB + |s_n| 2^-31 (the Q31
 *   scale's rounding) of the exact one, moving p_n by a relative 2 max D; each probability is
 *   within 3 LSB of Q30 (exp's 2, the division's 1) plus a relative n_keys 2^-30 (the total's
 *   error): |o - o_ref| <= 1/2 + sum_n |v_n| (p_n (2 max D 2^-F + n_keys 2^-30) + 3 2^-30).
 * (tests/unit/test_fixed_kernels.c states 1 + n_keys max|v| 2^-30 for |v| near 1, |score| small.)
 * No saturation when the scores and outputs stay within int32. Both the fast and the wide dot product.
 * dh 1..64, n_keys 1..300 (dh n_keys up to 2048, fuzz_util.h: take_attend). The gaps
 * between keys (stride > dh) hold INT32_MIN, which moves the output far from the reference if
 * the kernel reads one. Filling the inputs and the reference run without coverage callbacks
 * (FUZZ_NO_COVERAGE): they were most of the time per input. */
#include "fuzz_fixed_kernels_util.h"

#include "nope/kernels.h"

/* q, then keys and values (INT32_MIN in the gaps) from the bytes left, at most bits[0..2] bits. */
FUZZ_NO_COVERAGE static void fill(fuzz_in in, const fuzz_attend *a, const unsigned bits[3])
{
    fuzz_cycle cyc = {in, in};
#define NEXT(b) (fuzz_cycle_next(&cyc, 3) ? take_act(&cyc.cur, b) : NOPE_FX_ONE / 2)
    for (size_t i = 0; i < a->dh; i++)
        a->q[i] = NEXT(bits[0]);
    for (size_t k = 0, col = 0; k < a->len; k++, col = col + 1 < a->stride ? col + 1 : 0) {
        a->keys[k] = col >= a->dh ? INT32_MIN : NEXT(bits[1]);
        a->values[k] = col >= a->dh ? INT32_MIN : NEXT(bits[2]);
    }
#undef NEXT
}

/* Every output against the long double attention, within the bound above, and the saturation
 * count, unless a score leaves int32. */
FUZZ_NO_COVERAGE static void check(const fuzz_attend *a)
{
    const size_t dh = a->dh, n_keys = a->n_keys, stride = a->stride;
    long double *s = malloc(n_keys * sizeof *s), *p = malloc(n_keys * sizeof *p);
    long double top = -INFINITY, total = 0, d_max = 0;
    bool in_range = true, out_edge = false;
    for (size_t n = 0; n < n_keys; n++) {
        long double dot = 0;
        for (size_t i = 0; i < dh; i++)
            dot += (long double)a->q[i] * a->keys[n * stride + i];
        s[n] = dot / (Q_ONE * Q_ONE) / sqrtl((long double)dh); /* real units */
        in_range &= fabsl(s[n]) * Q_ONE < 0x1p31L - 1;
        long double dn = 0.5L / Q_ONE + fabsl(s[n]) * 0x1p-31L;
        d_max = dn > d_max ? dn : d_max;
        top = s[n] > top ? s[n] : top;
    }
    if (in_range) { /* a score past int32 saturates by design; the bound is for the rest */
        for (size_t n = 0; n < n_keys; n++)
            total += expl(s[n] - top);
        for (size_t n = 0; n < n_keys; n++)
            p[n] = expl(s[n] - top) / total;
        for (size_t i = 0; i < dh; i++) {
            long double want = 0, tol = 0.5L;
            for (size_t n = 0; n < n_keys; n++) {
                long double v = a->values[n * stride + i];
                want += p[n] * v;
                tol += fabsl(v) * (p[n] * (2 * d_max + (long double)n_keys * 0x1p-30L) + 3 * 0x1p-30L);
            }
            tol = 1.01L * tol + 1e-6L;
            FUZZ_CHECK(fabsl((long double)a->o[i] - want) <= tol,
                       "attend dh=%zu keys=%zu stride=%zu: o[%zu] = %d, want %.4Lf: error %.3Lg LSB > %.3Lg", dh,
                       n_keys, stride, i, (int)a->o[i], want, fabsl((long double)a->o[i] - want), tol);
            out_edge |= fabsl(want) + tol >= 0x1p31L - 1;
        }
        FUZZ_CHECK(nope_fx_saturations() == 0 || out_edge,
                   "attend: %llu saturations with every score and output in range",
                   (unsigned long long)nope_fx_saturations());
    }
    free(s);
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    fuzz_attend a = take_attend(&in);
    unsigned bits[3]; /* of q, keys, values */
    for (int k = 0; k < 3; k++)
        bits[k] = (unsigned)take_range(&in, 1, 31);
    const nope_kern_params *kp = take_attend_params(&in, a.dh);
    fill(in, &a, bits);
    nope_fx_saturations_reset();
    nope_kern_attend(a.o, a.q, a.keys, a.values, a.n_keys, a.dh, a.stride, a.scores, kp);
    check(&a);
    fuzz_attend_free(&a);
    return 0;
}
