/* The counter-based generator and the integer Gaussian sampler (both numeric modes draw from
 * exactly these integers). */
#include <math.h>

#include "test_util.h"

#include "nope/config.h"
#include "nope/rng.h"

static void test_streams_are_reproducible_and_distinct(void **state)
{
    (void)state;
    nope_rng_stream a = nope_rng_stream_make(7, 3, NOPE_RNG_TAG_WEIGHT, 12);
    nope_rng_stream b = nope_rng_stream_make(7, 3, NOPE_RNG_TAG_WEIGHT, 12);
    assert_true(a.key == b.key);
    for (uint64_t c = 0; c < 1000; c++)
        assert_true(nope_rng_u64(a, c) == nope_rng_u64(b, c));
    /* Any one coordinate changed gives another stream. */
    nope_rng_stream others[] = {
        nope_rng_stream_make(8, 3, NOPE_RNG_TAG_WEIGHT, 12),
        nope_rng_stream_make(7, 4, NOPE_RNG_TAG_WEIGHT, 12),
        nope_rng_stream_make(7, 3, NOPE_RNG_TAG_INPUT, 12),
        nope_rng_stream_make(7, 3, NOPE_RNG_TAG_WEIGHT, 13),
    };
    for (size_t k = 0; k < 4; k++) {
        assert_true(others[k].key != a.key);
        int same = 0;
        for (uint64_t c = 0; c < 1000; c++)
            same += nope_rng_u64(others[k], c) == nope_rng_u64(a, c);
        assert_int_equal(same, 0);
    }
    /* Random access: element e is the same whether or not earlier ones were drawn. */
    assert_true(nope_rng_u32(a, 999) == (uint32_t)(nope_rng_u64(a, 499) >> 32));
    assert_true(nope_rng_u32(a, 998) == (uint32_t)nope_rng_u64(a, 499));
}

/* Known values pin the generator: a change here changes every report. */
static void test_known_values(void **state)
{
    (void)state;
    nope_rng_stream s = nope_rng_stream_make(1, 0, NOPE_RNG_TAG_INPUT, 0);
    uint64_t v0 = nope_rng_u64(s, 0), v1 = nope_rng_u64(s, 1);
    print_message("stream(1,0,INPUT,0): %016llx %016llx\n", (unsigned long long)v0, (unsigned long long)v1);
    assert_true(v0 == 0x36c7396029cb78bcu && v1 == 0xa128ee5b5a5557b2u);
    assert_int_equal(nope_rng_gauss_q24(0x80000000u | 0x7FFFFFFFu), -nope_rng_gauss_q24(0x7FFFFFFFu));
}

static void test_uniform_bits_balanced(void **state)
{
    (void)state;
    nope_rng_stream s = nope_rng_stream_make(3, 0, NOPE_RNG_TAG_TOKENS, 0);
    const int n = 200000;
    int ones[32] = {0};
    uint32_t buckets[10] = {0};
    for (int e = 0; e < n; e++) {
        uint32_t u = nope_rng_u32(s, (uint64_t)e);
        for (int b = 0; b < 32; b++)
            ones[b] += (u >> b) & 1;
        uint32_t k = nope_rng_below(u, 10);
        assert_true(k < 10);
        buckets[k]++;
    }
    /* Each bit is a fair coin: within 5 standard errors (sqrt(n/4)). */
    for (int b = 0; b < 32; b++)
        assert_true(fabs(ones[b] - n / 2.0) < 5 * sqrt(n / 4.0));
    for (int k = 0; k < 10; k++)
        assert_true(fabs(buckets[k] - n / 10.0) < 5 * sqrt(n * 0.1 * 0.9));
    assert_int_equal(nope_rng_below(0xFFFFFFFFu, 7), 6);
    assert_int_equal(nope_rng_below(0, 7), 0);
}

/* First four moments of the sampler over 10^6 draws, each within 4 standard errors of the
 * normal's: SE of the mean 1/sqrt(n), of the variance sqrt(2/n), skewness sqrt(6/n),
 * kurtosis sqrt(24/n). */
static void test_gaussian_moments(void **state)
{
    (void)state;
    nope_rng_stream s = nope_rng_stream_make(11, 2, NOPE_RNG_TAG_WEIGHT, 0);
    const int n = nope_test_quick() ? 100000 : 1000000;
    double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    for (int e = 0; e < n; e++) {
        double z = nope_rng_gauss_q24(nope_rng_u32(s, (uint64_t)e)) / 16777216.0;
        m1 += z;
        m2 += z * z;
        m3 += z * z * z;
        m4 += z * z * z * z;
    }
    m1 /= n;
    m2 /= n;
    m3 /= n;
    m4 /= n;
    double var = m2 - m1 * m1;
    double skew = (m3 - 3 * m1 * m2 + 2 * m1 * m1 * m1) / pow(var, 1.5);
    double kurt = (m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 * m1 * m1 * m1) / (var * var);
    print_message("mean %.5f var %.5f skew %.5f kurtosis %.5f (n=%d)\n", m1, var, skew, kurt, n);
    assert_true(fabs(m1) < 4 / sqrt(n));
    assert_true(fabs(var - 1) < 4 * sqrt(2.0 / n));
    assert_true(fabs(skew) < 4 * sqrt(6.0 / n));
    assert_true(fabs(kurt - 3) < 4 * sqrt(24.0 / n));
}

/* The sampler is odd in its sign bit, monotone in its magnitude bits, and its quantile
 * function is within 1e-5 (relative, and 2e-7 absolute near 0) of Phi^-1 at table points. */
static void test_gaussian_shape(void **state)
{
    (void)state;
    int32_t previous = INT32_MAX;
    for (uint64_t m = 0; m < 0x80000000u; m += nope_test_quick() ? 65537 : 4099) {
        int32_t z = nope_rng_gauss_q24((uint32_t)m);
        assert_true(z <= previous); /* magnitude falls as p = (m + 1/2)/2^32 rises to 1/2 */
        assert_int_equal(nope_rng_gauss_q24((uint32_t)m | 0x80000000u), -z);
        previous = z;
    }
    assert_true(nope_rng_gauss_q24(0) > (int32_t)(6.2 * 16777216));
    assert_true(nope_rng_gauss_q24(0x7FFFFFFFu) < 16777216 / 1000000 + 2);
    /* p = 0.1586553 (m = 0x289E... ) should give |z| near 1.0: check with the 1-sigma point. */
    uint32_t m1 = (uint32_t)(0.15865525393145707 * 4294967296.0);
    assert_true(fabs(nope_rng_gauss_q24(m1) / 16777216.0 - 1.0) < 1e-5);
}

/* Scaled draws: exactly round(z scale / 2^28), on the 2^-20 grid. */
static void test_scaled_draw_exact(void **state)
{
    (void)state;
    nope_rng_stream s = nope_rng_stream_make(2, 0, NOPE_RNG_TAG_INPUT, 0);
    const uint32_t scales[] = {1, 335544, 33554432, 1677721};
    for (size_t k = 0; k < 4; k++)
        for (uint64_t e = 0; e < 20000; e++) {
            int64_t z = nope_rng_gauss_q24(nope_rng_u32(s, e));
            int64_t prod = z * (int64_t)scales[k];
            int64_t mag = ((prod < 0 ? -prod : prod) + (1 << 27)) >> 28;
            assert_true(nope_rng_gauss_draw(s, e, scales[k]) == (prod < 0 ? -mag : mag));
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams_are_reproducible_and_distinct),
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_uniform_bits_balanced),
        cmocka_unit_test(test_gaussian_moments),
        cmocka_unit_test(test_gaussian_shape),
        cmocka_unit_test(test_scaled_draw_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
