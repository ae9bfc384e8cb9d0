/* The float32 mode's own math against double precision, over the whole input domain (every
 * float bit pattern at a stride, plus the edges). Bounds are the ones math_float.h states. */
#include <math.h>

#include "test_util.h"

#include "nope/math_float.h"

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t to_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static uint32_t stride(void)
{
    return nope_test_quick() ? 100003u : 257u;
}

static void test_sqrt_is_correctly_rounded(void **state)
{
    (void)state;
    for (uint32_t u = 1; u < 0x7F800000u; u += stride()) {
        float x = from_bits(u);
        if (to_bits(nope_f32_sqrt(x)) != to_bits(sqrtf(x)))
            fail_msg("sqrt(%a) = %a, IEEE says %a", x, nope_f32_sqrt(x), sqrtf(x));
    }
    assert_true(nope_f32_sqrt(0.0f) == 0.0f && signbit(nope_f32_sqrt(-0.0f)));
    assert_true(isnan(nope_f32_sqrt(-1.0f)) && isnan(nope_f32_sqrt(NAN)));
    assert_true(isinf(nope_f32_sqrt(INFINITY)));
    assert_true(nope_f32_sqrt(from_bits(1)) == sqrtf(from_bits(1)));
    assert_true(nope_f32_sqrt(from_bits(0x7F7FFFFFu)) == sqrtf(from_bits(0x7F7FFFFFu)));
}

static void test_exp_within_2_ulp(void **state)
{
    (void)state;
    double worst = 0;
    for (uint32_t u = 0; u < 0xFF800000u; u += stride()) {
        float x = from_bits(u);
        if (isnan(x) || x > 88.72f || x < -103.9f)
            continue;
        double ref = exp((double)x);
        double err = fabs((double)nope_f32_exp(x) - ref) / nope_test_float_ulp(ref);
        if (err > worst)
            worst = err;
        if (err > 2.0)
            fail_msg("exp(%a) = %a, reference %a: %.2f ulp", x, nope_f32_exp(x), ref, err);
    }
    print_message("exp: worst %.3f ulp\n", worst);
    assert_true(isinf(nope_f32_exp(89.0f)) && nope_f32_exp(-104.0f) == 0.0f);
    assert_true(isnan(nope_f32_exp(NAN)) && nope_f32_exp(0.0f) == 1.0f);
    assert_true(isinf(nope_f32_exp(INFINITY)) && nope_f32_exp(-INFINITY) == 0.0f);
}

static void test_log_within_2_ulp(void **state)
{
    (void)state;
    double worst = 0;
    for (uint32_t u = 1; u < 0x7F800000u; u += stride()) {
        float x = from_bits(u);
        double ref = log((double)x);
        double scale = nope_test_float_ulp(fabs(ref) > 1.0 ? ref : 1.0);
        double err = fabs((double)nope_f32_log(x) - ref) / scale;
        if (err > worst)
            worst = err;
        if (err > 2.0)
            fail_msg("log(%a) = %a, reference %a: %.2f ulp", x, nope_f32_log(x), ref, err);
    }
    print_message("log: worst %.3f ulp of max(1, |ln x|)\n", worst);
    assert_true(nope_f32_log(1.0f) == 0.0f);
    assert_true(isinf(nope_f32_log(0.0f)) && nope_f32_log(0.0f) < 0);
    assert_true(isnan(nope_f32_log(-1.0f)) && isinf(nope_f32_log(INFINITY)));
}

static void test_tanh_within_2_pow_minus_23(void **state)
{
    (void)state;
    double worst = 0;
    for (uint32_t u = 0; u < 0xFF800000u; u += stride()) {
        float x = from_bits(u);
        if (isnan(x))
            continue;
        double err = fabs((double)nope_f32_tanh(x) - tanh((double)x));
        if (err > worst)
            worst = err;
        if (err > 0x1p-23)
            fail_msg("tanh(%a) = %a, reference %a", x, nope_f32_tanh(x), tanh((double)x));
    }
    print_message("tanh: worst %.3g absolute\n", worst);
    assert_true(nope_f32_tanh(INFINITY) == 1.0f && nope_f32_tanh(-INFINITY) == -1.0f);
}

/* Doubles: random bit patterns over every exponent. */
static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_f64_log_and_sqrt(void **state)
{
    (void)state;
    uint64_t s = 88172645463325252u;
    int n = nope_test_quick() ? 20000 : 2000000;
    double worst_log = 0, worst_sqrt = 0;
    for (int k = 0; k < n; k++) {
        uint64_t u = next(&s) & 0x7FEFFFFFFFFFFFFFu; /* positive, finite */
        double x;
        memcpy(&x, &u, 8);
        if (x == 0)
            continue;
        double ref = log(x);
        double err = ref == 0 ? fabs(nope_f64_log(x)) : fabs(nope_f64_log(x) - ref) / fabs(ref);
        if (err > worst_log)
            worst_log = err;
        if (err > 4 * 0x1p-52)
            fail_msg("f64 log(%a) = %a, reference %a", x, nope_f64_log(x), ref);
        double r = sqrt(x);
        double serr = fabs(nope_f64_sqrt(x) - r) / r;
        if (serr > worst_sqrt)
            worst_sqrt = serr;
        if (serr > 0x1p-52)
            fail_msg("f64 sqrt(%a) = %a, reference %a", x, nope_f64_sqrt(x), r);
    }
    print_message("f64 log: worst %.3g relative; sqrt: worst %.3g\n", worst_log, worst_sqrt);
    assert_true(nope_f64_log(1.0) == 0.0 && isnan(nope_f64_log(-2.0)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqrt_is_correctly_rounded), cmocka_unit_test(test_exp_within_2_ulp),
        cmocka_unit_test(test_log_within_2_ulp),          cmocka_unit_test(test_tanh_within_2_pow_minus_23),
        cmocka_unit_test(test_f64_log_and_sqrt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
