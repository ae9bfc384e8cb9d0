/* Regression tests for what tests/fuzz/ found in the fixed-point kernels (see
 * test_regress_fuzz.c for the mode-independent ones). */
#include <math.h>

#include "test_util.h"

#include "nope/decimal.h"
#include "nope/kernels.h"
#include "nope/math_fixed.h"

/* |h - LayerNorm(x)| in LSB of Q.F, the largest over the vector, against long double. */
static long double layernorm_error(const int32_t *x, size_t n, nope_dec eps)
{
    static int32_t h[1024];
    nope_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.d = 64;
    cfg.heads = 4;
    cfg.eps = eps;
    nope_kern_layernorm(h, x, n, nope_kern_params_init(&cfg));
    long double one = (long double)NOPE_FX_ONE, mean = 0, var = 0, worst = 0;
    long double e = (long double)eps.digits * powl(10.0L, (long double)eps.exp10);
    for (size_t k = 0; k < n; k++)
        mean += x[k];
    mean /= (long double)n;
    for (size_t k = 0; k < n; k++)
        var += ((long double)x[k] - mean) * ((long double)x[k] - mean);
    var = var / (long double)n / (one * one);
    for (size_t k = 0; k < n; k++) {
        long double want = ((long double)x[k] - mean) / sqrtl(var + e);
        long double err = fabsl((long double)h[k] - want);
        worst = err > worst ? err : worst;
    }
    return worst;
}

/* The fuzzer's input tests/fuzz/corpus/fixed_layernorm/finding_small_sd: n = 99 values
 * alternating 1459 and 5708 (sd 1.3e-4) with eps = 1e-12 came out 4.05 LSB off (the bound is
 * 2) while the kernel rounded the mean to 2^-(F+11) and 1/sqrt(var + eps) amplified that by up
 * to 1/sqrt(eps). Fixed since: the deviations n x_i - S are exact. */
static void test_layernorm_small_sd_small_eps(void **state)
{
    (void)state;
    static int32_t x[99];
    for (size_t k = 0; k < 99; k++)
        x[k] = k % 2 ? 5708 : 1459;
    long double err = layernorm_error(x, 99, nope_dec_make(1, -12, false));
    if (err > 2.0L)
        fail_msg("layernorm, sd 1.3e-4, eps 1e-12: %.3Lg LSB off, want <= 2", err);
}

/* tests/fuzz/corpus/fixed_layernorm/finding_large_offset: n = 517, x = -70533120 but -70602752
 * at k % 21 == 3 and -35266560 at k % 21 == 6 (sd 0.45, eps 3e-6) came out 2.38 LSB off, the
 * outputs' mean -2.38 LSB, while the shifted deviations were floored (a bias of up to one
 * shifted unit, carried into every output by 1/sqrt(var + eps)). Fixed since: they are rounded. */
static void test_layernorm_large_offset(void **state)
{
    (void)state;
    static int32_t x[517];
    for (size_t k = 0; k < 517; k++)
        x[k] = k % 21 == 3 ? -70602752 : (k % 21 == 6 ? -35266560 : -70533120);
    long double err = layernorm_error(x, 517, nope_dec_make(3, -6, false));
    if (err > 2.0L)
        fail_msg("layernorm, n 517, sd 0.45: %.3Lg LSB off, want <= 2", err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layernorm_small_sd_small_eps),
        cmocka_unit_test(test_layernorm_large_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
