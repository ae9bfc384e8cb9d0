/* The fixed-point mode's integer math against references over each whole input domain (a dense
 * stride through it, plus the edges): exact integer references (__int128) where the result is
 * exactly defined, long double where it is transcendental. The bound asserted in each test is
 * the one math_fixed.h states; the measured maximum is printed for the README's table. */
#include <math.h>
#include <stdio.h>

#include "test_util.h"

#include "nope/math_fixed.h"

typedef __int128 i128;

#define Q_ONE_LD ((long double)(INT64_C(1) << NOPE_Q_FRAC))

/* floor(x / 2^s) exactly, in 128 bits. */
static i128 ref_floor_shr(i128 x, unsigned s)
{
    i128 d = (i128)1 << s;
    i128 q = x / d;
    if (x % d != 0 && x < 0)
        q--;
    return q;
}

/* Edge cases: small values, the int64 and int32 limits and their neighbours, a carry at 2^16. */
// clang-format off
static const int64_t EDGES64[] = {0, 1, -1, 2, -2, 3, -3, INT64_MAX, INT64_MIN, INT64_MAX - 1,
                                  INT64_MIN + 1, (int64_t)1 << 31, -((int64_t)1 << 31),
                                  ((int64_t)1 << 62) + 1, -((int64_t)1 << 62) - 1, 0xFFFF,
                                  -0xFFFF, 0x7FFFFFFF, -0x80000000LL};
// clang-format on

static void test_shifts_are_exact_floor_and_round(void **state)
{
    (void)state;
    uint64_t rng = 1;
    for (int64_t k = 0; k < nope_test_points(200000); k++) {
        int64_t x = k < (int64_t)(sizeof EDGES64 / sizeof EDGES64[0]) ? EDGES64[k] : (int64_t)nope_test_splitmix(&rng);
        for (unsigned s = 1; s < 64; s++) {
            i128 f = ref_floor_shr(x, s);
            assert_true(nope_fx_floor_shr(x, s) == (int64_t)f);
            /* round half up = floor((x + 2^(s-1)) / 2^s), computed wide */
            i128 r = ref_floor_shr((i128)x + ((i128)1 << (s - 1)), s);
            assert_true(nope_fx_round_shr(x, s) == (int64_t)r);
        }
        assert_true(nope_fx_floor_shr(x, 0) == x);
    }
}

static void test_saturation_at_and_past_the_edges(void **state)
{
    (void)state;
    nope_fx_saturations_reset();
    assert_int_equal(nope_fx_sat32(INT32_MAX), INT32_MAX);
    assert_int_equal(nope_fx_sat32(INT32_MIN), INT32_MIN);
    assert_int_equal(nope_fx_sat32(0), 0);
    assert_true(nope_fx_saturations() == 0); /* at the edges: representable, not counted */
    assert_int_equal(nope_fx_sat32((int64_t)INT32_MAX + 1), INT32_MAX);
    assert_int_equal(nope_fx_sat32((int64_t)INT32_MIN - 1), INT32_MIN);
    assert_int_equal(nope_fx_sat32(INT64_MAX), INT32_MAX);
    assert_int_equal(nope_fx_sat32(INT64_MIN), INT32_MIN);
    assert_true(nope_fx_saturations() == 4);
    /* mul and div saturate the same way */
    assert_int_equal(nope_fx_mul(INT32_MAX, INT32_MAX), INT32_MAX);
    assert_int_equal(nope_fx_mul(INT32_MIN, INT32_MAX), INT32_MIN);
    assert_int_equal(nope_fx_mul(INT32_MIN, INT32_MIN), INT32_MAX);
    assert_int_equal(nope_fx_div(INT32_MAX, 1), INT32_MAX);
    assert_int_equal(nope_fx_div(INT32_MIN, 1), INT32_MIN);
    assert_int_equal(nope_fx_div(INT32_MIN, -1), INT32_MAX);
    assert_true(nope_fx_saturations() == 10);
    /* one below the limit does not saturate */
    assert_int_equal(nope_fx_mul(NOPE_FX_ONE, INT32_MAX), INT32_MAX);
    assert_int_equal(nope_fx_div(INT32_MAX, NOPE_FX_ONE), INT32_MAX);
    assert_true(nope_fx_saturations() == 10);
    nope_fx_saturations_reset();
    assert_true(nope_fx_saturations() == 0);
}

static void test_mul_and_div_round_to_nearest(void **state)
{
    (void)state;
    uint64_t rng = 2;
    nope_fx_saturations_reset();
    for (int64_t k = 0; k < nope_test_points(2000000); k++) {
        uint64_t bits = nope_test_splitmix(&rng);
        /* magnitudes spread over every scale: shift a 32-bit value right by 0..31 */
        int32_t a = (int32_t)(uint32_t)bits >> (k % 32), b = (int32_t)(bits >> 32) >> ((k / 32) % 32);
        i128 p = ref_floor_shr((i128)a * b + ((i128)1 << (NOPE_Q_FRAC - 1)), NOPE_Q_FRAC);
        i128 sat = p > INT32_MAX ? INT32_MAX : (p < INT32_MIN ? INT32_MIN : p);
        assert_true(nope_fx_mul(a, b) == (int32_t)sat);
        if (b != 0) {
            /* round(a 2^F / b) ties up = floor((2 a 2^F + b) / 2b) for b > 0 */
            i128 n = (i128)a * ((i128)1 << NOPE_Q_FRAC), d = b;
            if (d < 0) {
                n = -n;
                d = -d;
            }
            i128 q2 = 2 * n + d, d2 = 2 * d;
            i128 q = q2 / d2 - ((q2 % d2 != 0 && q2 < 0) ? 1 : 0);
            i128 qs = q > INT32_MAX ? INT32_MAX : (q < INT32_MIN ? INT32_MIN : q);
            assert_true(nope_fx_div(a, b) == (int32_t)qs);
        }
        int64_t n = (int64_t)nope_test_splitmix(&rng);
        uint64_t d = nope_test_splitmix(&rng) >> (k % 64);
        if (d != 0) {
            i128 q2 = 2 * (i128)n + (i128)d, d2 = 2 * (i128)d;
            i128 q = q2 / d2 - ((q2 % d2 != 0 && q2 < 0) ? 1 : 0);
            assert_true(nope_fx_div_round(n, d) == (int64_t)q);
        }
    }
    assert_true(nope_fx_div_round(INT64_MIN, 1) == INT64_MIN);
    assert_true(nope_fx_div_round(INT64_MIN, 2) == INT64_MIN / 2);
    assert_true(nope_fx_div_round(-3, 2) == -1); /* -1.5: ties up */
    assert_true(nope_fx_div_round(3, 2) == 2);
}

/* 1/sqrt(v) = r / 2^shift within 2^-30 relative, every v >= 1. */
static void test_rsqrt_relative_error(void **state)
{
    (void)state;
    uint64_t rng = 4;
    long double worst = 0;
    for (int64_t k = 0; k < nope_test_points(1000000); k++) {
        uint64_t v = k < 64 ? (UINT64_C(1) << k) + (k == 63 ? UINT64_C(0x7FFFFFFFFFFFFFFF) : 0)
                            : nope_test_splitmix(&rng) >> (k % 64);
        if (v == 0)
            v = 1;
        unsigned shift;
        uint64_t r = nope_fx_rsqrt(v, &shift);
        long double got = ldexpl((long double)r, -(int)shift), want = 1.0L / sqrtl((long double)v);
        long double rel = fabsl(got - want) / want;
        if (rel > worst)
            worst = rel;
        assert_true(r >= (UINT64_C(1) << 31) && r <= (UINT64_C(1) << 32));
    }
    print_message("rsqrt: max relative error %.3Lg (bound 2^-30 = %.3g)\n", worst, ldexp(1.0, -30));
    assert_true(worst <= ldexpl(1.0L, -30));
}

/* e^-y, y >= 0 in Q32 -> Q31: |error| <= 2 LSB, over [0, 23) at a stride of 2^-14 and edges. */
static void test_exp_neg_whole_domain(void **state)
{
    (void)state;
    long double worst = 0;
    const uint64_t end = UINT64_C(23) << 32, step = nope_test_quick() ? UINT64_C(1) << 22 : UINT64_C(1) << 18;
    for (uint64_t y = 0; y < end; y += step) {
        for (uint64_t dy = 0; dy < 3; dy++) {
            uint64_t yy = y + dy * 0x10001;
            long double want = expl(-ldexpl((long double)yy, -32)) * 2147483648.0L;
            long double err = fabsl((long double)nope_fx_exp_neg_q31(yy) - want);
            if (err > worst)
                worst = err;
        }
    }
    assert_true(nope_fx_exp_neg_q31(0) == UINT32_C(1) << 31);
    assert_true(nope_fx_exp_neg_q31(UINT64_MAX) == 0);
    assert_true(nope_fx_exp_neg_q31(UINT64_C(22) << 32) == 0);
    print_message("exp_neg_q31: max |error| %.3Lg LSB of Q31 (bound 2)\n", worst);
    assert_true(worst <= 2.0L);
}

static void test_tanh_whole_domain(void **state)
{
    (void)state;
    long double worst = 0;
    const uint64_t end = UINT64_C(24) << 32, step = nope_test_quick() ? UINT64_C(1) << 22 : UINT64_C(1) << 18;
    for (uint64_t u = 0; u < end; u += step) {
        long double want = tanhl(ldexpl((long double)u, -32)) * 2147483648.0L;
        long double err = fabsl((long double)nope_fx_tanh_q31(u) - want);
        if (err > worst)
            worst = err;
    }
    assert_true(nope_fx_tanh_q31(UINT64_MAX) == UINT32_C(1) << 31);
    print_message("tanh_q31: max |error| %.3Lg LSB of Q31 (bound 3)\n", worst);
    assert_true(worst <= 3.0L);
}

/* GELU over every activation at a stride (the whole int32 range), against the exact formula. */
static void test_gelu_whole_domain(void **state)
{
    (void)state;
    long double worst = 0;
    const int64_t stride = nope_test_quick() ? 65537 : 1021;
    for (int64_t x = INT32_MIN; x <= INT32_MAX; x += stride) {
        long double xr = (long double)x / Q_ONE_LD;
        long double inner = sqrtl(2.0L / 3.14159265358979323846264338327950288L) * (xr + 0.044715L * xr * xr * xr);
        long double want = 0.5L * xr * (1.0L + tanhl(inner)) * Q_ONE_LD;
        long double err = fabsl((long double)nope_fx_gelu((int32_t)x) - want);
        if (err > worst)
            worst = err;
    }
    assert_int_equal(nope_fx_gelu(0), 0);
    assert_int_equal(nope_fx_gelu(INT32_MAX), INT32_MAX);
    assert_int_equal(nope_fx_gelu(INT32_MIN), 0);
    print_message("gelu: max |error| %.3Lg LSB of Q%d (bound 2)\n", worst, NOPE_Q_FRAC);
    assert_true(worst <= 2.0L);
}

static void test_log2_whole_domain(void **state)
{
    (void)state;
    uint64_t rng = 5;
    long double worst = 0;
    for (int64_t k = 0; k < nope_test_points(1000000); k++) {
        uint64_t x =
            k < 64 ? UINT64_C(1) << k
                   : (k < 128 ? (UINT64_C(1) << (k - 64)) * 2 - 1 + (k == 64) : nope_test_splitmix(&rng) >> (k % 64));
        if (x == 0)
            x = 1;
        long double want = log2l((long double)x) * 1073741824.0L;
        long double err = fabsl((long double)nope_fx_log2_q30(x) - want);
        if (err > worst)
            worst = err;
    }
    assert_true(nope_fx_log2_q30(1) == 0);
    assert_true(nope_fx_log2_q30(UINT64_C(1) << 40) == (int64_t)40 << 30);
    print_message("log2_q30: max |error| %.3Lg LSB of Q30 (bound 4)\n", worst);
    assert_true(worst <= 4.0L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shifts_are_exact_floor_and_round),
        cmocka_unit_test(test_saturation_at_and_past_the_edges),
        cmocka_unit_test(test_mul_and_div_round_to_nearest),
        cmocka_unit_test(test_rsqrt_relative_error),
        cmocka_unit_test(test_exp_neg_whole_domain),
        cmocka_unit_test(test_tanh_whole_domain),
        cmocka_unit_test(test_gelu_whole_domain),
        cmocka_unit_test(test_log2_whole_domain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
