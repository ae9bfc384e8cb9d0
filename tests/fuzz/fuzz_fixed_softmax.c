/* nope_kern_softmax (fixed point) against the long double softmax of the same scores: each p
 * within 1 LSB of Q.F (tests/unit/test_fixed_kernels.c), p >= 0, and the p summing to 2^F within
 * n LSB (what the per-element bound allows). Scores: any int32, n from 1 to 1100. */
#include "fuzz_fixed_kernels_util.h"

#include "nope/kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    size_t n = take_range(&in, 1, 1100);
    unsigned bits = (unsigned)take_range(&in, 1, 31);
    int32_t *p = malloc(n * sizeof *p), *s = malloc(n * sizeof *s);
    fuzz_cycle cyc = {in, in};
    for (size_t k = 0; k < n; k++) {
        fuzz_in *src = fuzz_cycle_next(&cyc, 3);
        s[k] = p[k] = src ? take_act(src, bits) : 0;
    }
    long double top = s[0], total = 0, sum = 0;
    for (size_t k = 1; k < n; k++)
        top = s[k] > top ? s[k] : top;
    for (size_t k = 0; k < n; k++)
        total += expl(((long double)s[k] - top) / Q_ONE);
    nope_kern_softmax(p, n);
    for (size_t k = 0; k < n; k++) {
        long double want = expl(((long double)s[k] - top) / Q_ONE) / total * Q_ONE;
        FUZZ_CHECK(p[k] >= 0 && fabsl((long double)p[k] - want) <= 1.0L,
                   "softmax n=%zu: p[%zu] = %d (score %d, max %.0Lf), want %.4Lf: error %.3Lg LSB > 1", n, k, (int)p[k],
                   (int)s[k], top, want, fabsl((long double)p[k] - want));
        sum += p[k];
    }
    FUZZ_CHECK(fabsl(sum - Q_ONE) <= (long double)n, "softmax n=%zu: sum %.0Lf, want 2^%d within n", n, sum,
               NOPE_Q_FRAC);
    free(p);
    free(s);
    return 0;
}
