/* The report in both numeric modes: it never prints "nan" or "inf", an undefined slope is an
 * empty field with a warning, and (fixed point) underflow and saturation are counted and warned
 * about, while the default configuration warns about nothing. */
#include <stdio.h>

#include "test_report_text.h"

#include "nope/decimal.h"
#include "nope/experiment.h"
#include "nope/kernels.h"
#include "nope/num.h"
#include "nope/report.h"
#include "nope/stats.h"

static void assert_no_nonfinite_text(void)
{
    if (strstr(report, "nan") || strstr(report, "inf"))
        fail_msg("the report prints a non-finite number:\n%s", report);
}

static size_t count_lines_starting(const char *prefix)
{
    size_t n = 0, len = strlen(prefix);
    for (const char *line = report; *line;) {
        if (strncmp(line, prefix, len) == 0)
            n++;
        const char *end = strchr(line, '\n');
        line = end ? end + 1 : line + strlen(line);
    }
    return n;
}

/* The statistics of every trial, layer and position as value(stat, trial, layer, pos) says. */
static void fill_stats(const nope_config *cfg, nope_acc_t (*value)(nope_stat, uint32_t, uint32_t, uint32_t))
{
    nope_stats_reset(cfg);
    for (uint32_t t = 0; t < cfg->trials; t++)
        for (uint32_t l = 0; l < cfg->layers; l++)
            for (uint32_t p = 0; p < cfg->seq; p++)
                for (int s = 0; s < NOPE_STAT_COUNT; s++)
                    nope_stats_add((nope_stat)s, l, p, value((nope_stat)s, t, l, p));
}

static nope_acc_t all_zero(nope_stat stat, uint32_t trial, uint32_t layer, uint32_t pos)
{
    (void)stat, (void)trial, (void)layer, (void)pos;
    return 0;
}

static nope_acc_t zero_at_layer2_pos4(nope_stat stat, uint32_t trial, uint32_t layer, uint32_t pos)
{
    if (stat == NOPE_STAT_HID)
        return (nope_acc_t)(5000000 + trial);
    return layer == 1 && pos == 3 ? 0 : (nope_acc_t)(1000000 + pos);
}

/* Every mean variance 0 (as when a fixed-point signal underflows entirely): no slope exists. */
static void test_zero_means_give_empty_slopes_and_a_warning(void **state)
{
    (void)state;
    nope_config cfg = report_small_config(3);
    fill_stats(&cfg, all_zero);
    report_capture(&cfg);
    assert_no_nonfinite_text();
    assert_non_null(strstr(report, "# slope layer=1 attn= hid=\n"));
    assert_non_null(strstr(report, "# slope layer=2 attn= hid=\n"));
    assert_non_null(strstr(report, "# warning slopes: 4 of 4 are undefined"));
    char text[NOPE_REPORT_WARNING_MAX];
    bool found = false;
    for (uint32_t k = 0; nope_report_warning(&cfg, k, text); k++)
        found = found || strstr(text, "slopes: 4 of 4") != NULL;
    assert_true(found);
}

/* Only the positions of one layer are zero: that layer's slope alone is undefined. */
static void test_one_undefined_slope(void **state)
{
    (void)state;
    nope_config cfg = report_small_config(3);
    fill_stats(&cfg, zero_at_layer2_pos4);
    report_capture(&cfg);
    assert_no_nonfinite_text();
    assert_null(strstr(report, "# slope layer=1 attn= "));
    assert_non_null(strstr(report, "# slope layer=2 attn= hid="));
    assert_non_null(strstr(report, "# warning slopes: 1 of 4 are undefined"));
}

static void test_default_warns_about_nothing(void **state)
{
    (void)state;
    nope_config cfg = report_small_config(3);
    assert_int_equal(nope_experiment_run(&cfg, NULL, NULL), NOPE_OK);
    report_capture(&cfg);
    assert_no_nonfinite_text();
    assert_int_equal(count_lines_starting("# warning"), 0);
    char text[NOPE_REPORT_WARNING_MAX];
    assert_false(nope_report_warning(&cfg, 0, text));
#if NOPE_NUM == NOPE_NUM_FIXED
    assert_non_null(strstr(report, "\n# saturations=0\n# underflows=0\n"));
#endif
}

#if NOPE_NUM == NOPE_NUM_FIXED
/* Weights and inputs of 1e-4: the attention output is under one Q24 step wide. The float run
 * gives variances near 4e-16; fixed point must count the underflows and say so, not print 0
 * variances and "nan" slopes as if nothing happened. */
static void test_fixed_underflow_is_counted_and_warned(void **state)
{
    (void)state;
    nope_config cfg = report_small_config(3);
    cfg.sigma = nope_dec_make(1, -4, false);
    cfg.sigma_in = cfg.sigma;
    uint64_t q = 0;
    assert_true(nope_dec_to_ufix(&cfg.sigma, NOPE_SCALE_FRAC_BITS, &q));
    cfg.sigma_q = cfg.sigma_in_q = (uint32_t)q;
    assert_int_equal(nope_experiment_run(&cfg, NULL, NULL), NOPE_OK);
    uint64_t underflows = nope_fx_underflows();
    /* every attention-output variance of every trial is far below 2^22 steps^2 */
    assert_true(underflows >= (uint64_t)cfg.trials * cfg.layers * cfg.seq);
    report_capture(&cfg);
    assert_no_nonfinite_text();
    char line[64];
    snprintf(line, sizeof line, "\n# underflows=%llu\n", (unsigned long long)underflows);
    assert_non_null(strstr(report, line));
    assert_non_null(strstr(report, "# warning underflows="));
    assert_int_equal(count_lines_starting("# warning"), 2); /* underflows, undefined slopes */
}

/* A variance just under and at the threshold. */
static void test_fixed_underflow_threshold(void **state)
{
    (void)state;
    nope_config cfg = report_small_config(3);
    nope_kern_params_init(&cfg); /* resets the counts */
    /* two entries +-a: unbiased variance 2 a^2 */
    nope_num_t y[2] = {-1024, 1024}; /* 2^21 steps^2: under */
    assert_true(nope_kern_var_unbiased(y, 2) < NOPE_FX_UNDERFLOW_VAR);
    assert_int_equal(nope_fx_underflows(), 1);
    nope_num_t z[2] = {-1449, 1449}; /* 2 * 1449^2 = 4199202 >= 2^22 = 4194304: not under */
    assert_true(nope_kern_var_unbiased(z, 2) >= NOPE_FX_UNDERFLOW_VAR);
    assert_int_equal(nope_fx_underflows(), 1);
}

static void test_fixed_saturation_is_warned(void **state)
{
    (void)state;
    nope_config cfg = report_small_config(3);
    cfg.sigma = nope_dec_make(2, 0, false);
    uint64_t q = 0;
    assert_true(nope_dec_to_ufix(&cfg.sigma, NOPE_SCALE_FRAC_BITS, &q));
    cfg.sigma_q = (uint32_t)q;
    assert_int_equal(nope_experiment_run(&cfg, NULL, NULL), NOPE_OK);
    assert_true(nope_fx_saturations() > 0);
    report_capture(&cfg);
    assert_no_nonfinite_text();
    assert_non_null(strstr(report, "# warning saturations="));
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_means_give_empty_slopes_and_a_warning),
        cmocka_unit_test(test_one_undefined_slope),
        cmocka_unit_test(test_default_warns_about_nothing),
#if NOPE_NUM == NOPE_NUM_FIXED
        cmocka_unit_test(test_fixed_underflow_is_counted_and_warned),
        cmocka_unit_test(test_fixed_underflow_threshold),
        cmocka_unit_test(test_fixed_saturation_is_warned),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
