/* The experiment end to end in float32: the 1/m law of layer 1 against its first-order
 * theory, the report's structure and checksum, determinism, and the refusal of configurations
 * over capacity. */
#include <math.h>
#include <stdio.h>

#include "test_report_text.h"

#include "nope/decimal.h"
#include "nope/experiment.h"
#include "nope/report.h"
#include "nope/summary.h"

static void run_and_report(const nope_config *cfg)
{
    assert_int_equal(nope_experiment_run(cfg, NULL, NULL), NOPE_OK);
    report_capture(cfg);
}

/* Layer 1 of the default configuration: at every position the mean over trials is within
 * 4 standard errors of d^2 sigma^4 c / m. */
static void test_layer1_matches_theory(void **state)
{
    (void)state;
    nope_config cfg;
    nope_experiment_defaults(&cfg);
    if (nope_test_quick())
        cfg.trials = 200;
    assert_int_equal(nope_experiment_run(&cfg, NULL, NULL), NOPE_OK);
    double worst = 0;
    for (uint32_t p = 0; p < cfg.seq; p++) {
        nope_summary_row row;
        nope_summary_row_get(&cfg, 0, p, &row);
        double var = nope_dec_to_double(&row.var[NOPE_STAT_ATTN]), se = nope_dec_to_double(&row.se[NOPE_STAT_ATTN]);
        double theory = nope_dec_to_double(&row.attn_theory);
        double z = (var - theory) / se;
        worst = fabs(z) > worst ? fabs(z) : worst;
        if (fabs(z) > 4)
            fail_msg("pos %u: %.6g vs theory %.6g, se %.3g (z = %.2f)", p + 1, var, theory, se, z);
    }
    nope_dec attn = nope_summary_slope(&cfg, 0, NOPE_STAT_ATTN);
    print_message("layer 1: worst |z| %.2f over %u positions, slope %.4f\n", worst, cfg.seq, nope_dec_to_double(&attn));
    assert_true(fabs(nope_dec_to_double(&attn) + 1.0) < (nope_test_quick() ? 0.05 : 0.02));
}

/* The report: the documented lines in order, one row per (layer, position), and a checksum
 * that is the FNV-1a 64 of every byte before its line. */
static void test_report_structure(void **state)
{
    (void)state;
    nope_config cfg = report_small_config(20);
    run_and_report(&cfg);
    assert_memory_equal(
        report,
        "# nope-variance report v1\n# mode=f32\n# config d=16 heads=2 layers=2 ffn=32 seq=8 vocab=256 sigma=0.02 "
        "sigma_in=0.02 eps=0.00001 act=relu input=gaussian trials=20 seed=1\n# theory layer=1 c=",
        174);
    const char *header = strstr(report, "\nlayer,pos,attn_var,attn_se,attn_theory,attn_theory2,hid_var,hid_se\n");
    assert_non_null(header);
    assert_non_null(strstr(report, "# slope layer=2 attn="));
    assert_non_null(strstr(report, "# ratio layer=1 mean="));
    assert_non_null(strstr(report, "\n# theory2 layer=1 s="));
    assert_non_null(strstr(report, " worst="));
    int rows = 0; /* newlines after the header line that start a data row */
    for (const char *p = strchr(header + 1, '\n'); p != NULL && p[1] != '#'; p = strchr(p + 1, '\n'))
        rows++;
    assert_int_equal(rows, 2 * 8);
    const char *last = strstr(report, "# checksum fnv1a64=");
    assert_non_null(last);
    assert_int_equal((size_t)(last - report) + 19 + 16 + 1, report_len);
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx",
             (unsigned long long)nope_fnv1a64(NOPE_FNV1A64_INIT, report, (size_t)(last - report)));
    assert_memory_equal(last + 19, hex, 16);
    /* Layer 2 rows have empty theory columns; layer 1 rows do not. */
    assert_non_null(strstr(report, "\n2,1,"));
    assert_non_null(strstr(strstr(report, "\n2,1,"), ",,,"));
    assert_true(strstr(strstr(report, "\n1,1,"), ",,") > strstr(report, "\n2,1,"));
}

static void test_determinism(void **state)
{
    (void)state;
    static char first[1 << 20];
    nope_config cfg = report_small_config(20);
    cfg.act = NOPE_ACT_GELU;
    cfg.input = NOPE_INPUT_TOKENS;
    cfg.vocab = 5;
    run_and_report(&cfg);
    size_t first_len = report_len;
    memcpy(first, report, report_len);
    run_and_report(&cfg);
    assert_int_equal(first_len, report_len);
    assert_memory_equal(first, report, report_len);
    cfg.seed = 2;
    run_and_report(&cfg);
    assert_true(first_len != report_len || memcmp(first, report, report_len) != 0);
}

static void test_capacity_refused(void **state)
{
    (void)state;
    nope_config cfg = report_small_config(20);
    cfg.d = NOPE_MAX_D + 2;
    assert_int_equal(nope_experiment_run(&cfg, NULL, NULL), NOPE_ERR_CAPACITY);
    cfg = report_small_config(20);
    cfg.seq = NOPE_MAX_SEQ + 1;
    assert_int_equal(nope_experiment_check(&cfg), NOPE_ERR_CAPACITY);
    cfg = report_small_config(20);
    cfg.heads = 3;
    assert_int_equal(nope_experiment_run(&cfg, NULL, NULL), NOPE_ERR_ARG);
    cfg = report_small_config(20);
    cfg.trials = 1;
    assert_int_equal(nope_experiment_check(&cfg), NOPE_ERR_ARG);
}

/* The report's 9 digits are the nearest 9-digit decimal (to within the double arithmetic's
 * own 1e-15): reading them back is within half a unit in the 9th digit. */
static void test_decimal_from_double(void **state)
{
    (void)state;
    uint64_t s = 12345;
    for (int k = 0; k < 200000; k++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double v = ldexp((double)(s >> 11) / 9007199254740992.0 + 0.5, (int)(s % 400) - 200);
        nope_dec d = nope_dec_from_double(v);
        assert_true(d.digits >= 100000000u && d.digits <= 999999999u);
        double back = nope_dec_to_double(&d);
        double unit = ldexp(1.0, 0) * pow(10.0, d.exp10);
        if (fabs(back - v) > 0.5 * unit * (1 + 1e-6) + fabs(v) * 1e-14)
            fail_msg("%.17g -> %llue%d", v, (unsigned long long)d.digits, d.exp10);
    }
    nope_dec z = nope_dec_from_double(0.0);
    assert_true(z.digits == 0 && z.special == NOPE_DEC_FINITE);
    assert_true(nope_dec_from_double(NAN).special == NOPE_DEC_NAN);
    assert_true(nope_dec_from_double(-INFINITY).special == NOPE_DEC_INF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer1_matches_theory), cmocka_unit_test(test_report_structure),
        cmocka_unit_test(test_determinism),           cmocka_unit_test(test_capacity_refused),
        cmocka_unit_test(test_decimal_from_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
