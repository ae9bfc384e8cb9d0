/* Regression tests for what tests/fuzz/ found in the float32 mode's math and kernels (see
 * test_regress_fuzz.c for the mode-independent ones). */
#include <math.h>

#include "test_util.h"

#include "nope/decimal.h"
#include "nope/kernels.h"
#include "nope/math_float.h"

/* f64_math/finding_subnormal: nope_f64_sqrt(0x0.000000a00000ap-1022) was 0x1.03531e5c23f28p-521
 * (the reference is 0x1.94c58p-524): Newton from 2^-511 needed more than 10 steps to come down
 * to the root of a tiny subnormal. math_float.h: within 1 ulp. Fixed in cd8965b. */
static void test_f64_sqrt_of_subnormals(void **state)
{
    (void)state;
    const uint64_t cases[] = {UINT64_C(0x000000000a00000a), UINT64_C(0x0000000000000008), 1,
                              UINT64_C(0x0000000000100000), UINT64_C(0x000fffffffffffff)};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double x;
        memcpy(&x, &cases[k], 8);
        double got = nope_f64_sqrt(x), want = sqrt(x);
        if (fabs(got - want) > nextafter(want, INFINITY) - want)
            fail_msg("f64 sqrt(%a) = %a, want %a within 1 ulp", x, got, want);
    }
}

/* f32_layernorm/finding_alternating: n = 490 values alternating 0x1.33e28p-3 and 0x1.a4f4p-6
 * (mean 0.088, variance 0.0039, eps 6e-11) gave h[0] = 1.00000775 where the double LayerNorm
 * gives 0.999999992: 7.8e-6, over the 2e-6 (1 + |h|) that test_f32_kernels.c states for
 * var >> eps, the float sum of the mean rounding the same way 490 times. Fixed in cd8965b
 * (Kahan sums). */
static void test_layernorm_alternating_values(void **state)
{
    (void)state;
    enum { N = 490 };
    static float x[N], h[N];
    for (size_t k = 0; k < N; k++)
        x[k] = k % 2 ? 0x1.a4f4p-6f : 0x1.33e28p-3f;
    nope_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.d = 64;
    cfg.heads = 4;
    cfg.eps = nope_dec_make(6, -11, false);
    nope_kern_layernorm(h, x, N, nope_kern_params_init(&cfg));
    double mean = 0, var = 0;
    for (size_t k = 0; k < N; k++)
        mean += x[k];
    mean /= N;
    for (size_t k = 0; k < N; k++)
        var += ((double)x[k] - mean) * ((double)x[k] - mean);
    var /= N;
    for (size_t k = 0; k < N; k++) {
        double want = ((double)x[k] - mean) / sqrt(var + 6e-11);
        if (fabs(h[k] - want) > 2e-6 * (1 + fabs(want)))
            fail_msg("layernorm: h[%zu] = %.9g, want %.9g within 2e-6 (1 + |h|)", k, h[k], want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f64_sqrt_of_subnormals),
        cmocka_unit_test(test_layernorm_alternating_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
