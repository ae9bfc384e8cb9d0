/* The float32 mode's exact sums (moments_f32.c): the sum of doubles equals the exact sum rounded
 * once (checked against a 128-bit integer reference), any split merged in any order gives the same
 * words, a non-finite value makes NaN, a span beyond the words rounds and is counted, and the text
 * form reads back to the same words and refuses what it did not write. */
#include "test_util.h"

#include "nope/num.h"

typedef unsigned __int128 u128;

/* A positive double m 2^(k - 60), m < 2^53, 0 <= k <= 20: its sum and its square's sum are
 * integers in units of 2^-60 and 2^-67 below 2^128 for the counts used here. */
static double draw(uint64_t *rng)
{
    uint64_t m = (nope_test_splitmix(rng) >> 11) | 1u;
    return ldexp((double)m, (int)(nope_test_splitmix(rng) % 21) - 60);
}

static void test_sums_are_exact_sums_rounded_once(void **state)
{
    (void)state;
    uint64_t rng = 3;
    for (int rep = 0; rep < 40; rep++) {
        nope_moments m = {0};
        u128 sum = 0, sum_sq = 0;
        int n = 1 + (int)(nope_test_splitmix(&rng) % (nope_test_quick() ? 200 : 3000));
        for (int k = 0; k < n; k++) {
            double v = draw(&rng);
            nope_moments_add(&m, v);
            sum += (u128)ldexp(v, 60);
            sum_sq += (u128)ldexp(v * v, 67); /* v * v rounded to double, as the sums take it */
        }
        assert_true(nope_f32_moments_sum(&m) == ldexp((double)sum, -60));
        assert_true(nope_f32_moments_sum_sq(&m) == ldexp((double)sum_sq, -67));
    }
    assert_int_equal(nope_num_counter(0), 0);
}

static void test_any_split_and_merge_order_gives_the_same_words(void **state)
{
    (void)state;
    uint64_t rng = 11;
    for (int rep = 0; rep < 30; rep++) {
        nope_moments whole = {0}, parts[4] = {{0}};
        for (int k = 0; k < 500; k++) {
            /* spans of up to 2^40 between values, subnormals and huge ones in some reps */
            double v = ldexp((double)((nope_test_splitmix(&rng) >> 11) | 1u),
                             (int)(nope_test_splitmix(&rng) % 40) - (rep % 3 == 0 ? 1100 : 40));
            nope_moments_add(&whole, v);
            nope_moments_add(&parts[nope_test_splitmix(&rng) % 4], v);
        }
        nope_moments a = parts[3], b = parts[0];
        assert_true(nope_moments_merge(&a, &parts[1]) && nope_moments_merge(&a, &parts[0]) &&
                    nope_moments_merge(&a, &parts[2]));
        assert_true(nope_moments_merge(&b, &parts[2]) && nope_moments_merge(&b, &parts[3]) &&
                    nope_moments_merge(&b, &parts[1]));
        assert_memory_equal(&a, &whole, sizeof whole);
        assert_memory_equal(&b, &whole, sizeof whole);
    }
    assert_int_equal(nope_num_counter(0), 0);
}

static void test_non_finite_makes_nan_and_a_wide_span_rounds_and_counts(void **state)
{
    (void)state;
    nope_moments m = {0};
    nope_moments_add(&m, 1.0);
    nope_moments_add(&m, HUGE_VAL);
    assert_true(isnan(nope_f32_moments_sum(&m)) && isnan(nope_f32_moments_sum_sq(&m)));
    nope_moments big = {0};
    nope_moments_add(&big, 1e300); /* finite, but its square is not */
    assert_true(nope_f32_moments_sum(&big) == 1e300 && isnan(nope_f32_moments_sum_sq(&big)));

    nope_num_counters_reset();
    nope_moments wide = {0};
    nope_moments_add(&wide, 1.0);
    nope_moments_add(&wide, 0x1p-200); /* 200 bits apart: more than the sums hold */
    assert_true(nope_num_counter(0) >= 1);
    assert_true(nope_f32_moments_sum(&wide) == 1.0);
    nope_num_counters_reset();
    assert_int_equal(nope_num_counter(0), 0);
}

static void test_text_reads_back_and_refuses_what_it_did_not_write(void **state)
{
    (void)state;
    uint64_t rng = 5;
    char text[NOPE_MOMENTS_TEXT_MAX];
    for (int rep = 0; rep < 200; rep++) {
        nope_moments m = {0}, back;
        int n = rep % 7;
        for (int k = 0; k < n; k++)
            nope_moments_add(&m, ldexp(draw(&rng), (int)(nope_test_splitmix(&rng) % 1800) - 900));
        size_t len = nope_moments_text(text, &m);
        assert_true(len < sizeof text && strlen(text) == len);
        memset(&back, 0x55, sizeof back);
        assert_true(nope_moments_from_text(&back, text, len));
        assert_memory_equal(&back, &m, sizeof m);
    }
    static const char *const refused[] = {"",         "0:0",     "0:0:0:0:", "1:0:0:0",    "-0:1:0:0", "01:1:0:0",
                                          "0:01:0:0", "5:1:0",   "5:1:0:g",  "3000:1:0:0", "x:1:0:0",  "0:0:nan:1",
                                          "5:1:5:1:", "5:A:0:0", ":1:0:0",   "5:1::"};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        nope_moments m;
        assert_false(nope_moments_from_text(&m, refused[k], strlen(refused[k])));
    }
    nope_moments m;
    assert_true(nope_moments_from_text(&m, "nan:0:-3:7", 10));
    assert_true(isnan(nope_f32_moments_sum(&m)) && nope_f32_moments_sum_sq(&m) == 7 * 0.125);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sums_are_exact_sums_rounded_once),
        cmocka_unit_test(test_any_split_and_merge_order_gives_the_same_words),
        cmocka_unit_test(test_non_finite_makes_nan_and_a_wide_span_rounds_and_counts),
        cmocka_unit_test(test_text_reads_back_and_refuses_what_it_did_not_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
