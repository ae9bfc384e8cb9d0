/* nope_kern_softmax (float32) against the double softmax of the same inputs, with the bound of
 * tests/unit/test_f32_kernels.c: each p within ((n + 4) 2^-24 + |s - max s| 2^-23) relative of
 * the reference (the sum's rounding, exp's 2 ulp, and the rounding of s - max s amplified by
 * exp), p >= 0, and the p summing to 1 within (n + 4) 2^-24. Scores are any finite floats of
 * magnitude below 2^20 (what q.k/sqrt(dh) can be); n from 1 to 1100 (past NOPE_MAX_SEQ). */
#include "fuzz_util.h"

#include "nope/kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    size_t n = take_range(&in, 1, 1100);
    int hi_exp = (int)take_range(&in, 0, 20), lo_exp = hi_exp - (int)take_range(&in, 0, 30);
    float *p = malloc(n * sizeof *p), *s = malloc(n * sizeof *s);
    double *ref = malloc(n * sizeof *ref);
    fuzz_cycle cyc = {in, in};
    for (size_t k = 0; k < n; k++) {
        fuzz_in *src = fuzz_cycle_next(&cyc, 3);
        s[k] = p[k] = src ? take_moderate_f32(src, lo_exp, hi_exp) : 0.0f;
    }
    double top = s[0], total = 0;
    for (size_t k = 1; k < n; k++)
        top = s[k] > top ? s[k] : top;
    for (size_t k = 0; k < n; k++)
        total += ref[k] = exp((double)s[k] - top);
    nope_kern_softmax(p, n);
    double sum = 0;
    for (size_t k = 0; k < n; k++) {
        double want = ref[k] / total;
        double tol = want * ((double)(n + 4) * 0x1p-24 + fabs(s[k] - top) * 0x1p-23) + 1e-30;
        FUZZ_CHECK(p[k] >= 0.0f, "softmax n=%zu: p[%zu] = %a < 0", n, k, p[k]);
        FUZZ_CHECK(fabs(p[k] - want) <= tol,
                   "softmax n=%zu: p[%zu] = %.9g (score %a, max %a), want %.9g: error %.3g > %.3g", n, k, p[k], s[k],
                   top, want, fabs(p[k] - want), tol);
        sum += p[k];
    }
    FUZZ_CHECK(fabs(sum - 1.0) <= (double)(n + 4) * 0x1p-24, "softmax n=%zu: sum %.12g not 1 within (n+4) 2^-24", n,
               sum);
    free(p);
    free(s);
    free(ref);
    return 0;
}
