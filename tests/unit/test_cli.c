/* The flag parser: defaults, every form of flag, and every kind of bad input (status and the
 * one line that names the flag, the value and what is allowed). */
#include "test_util.h"

#include "nope/cli.h"
#include "nope/config.h"

static nope_status parse(nope_config *cfg, char *err, const char *a0, const char *a1, const char *a2,
                         const char *a3)
{
    const char *argv[4] = {a0, a1, a2, a3};
    int argc = a0 == NULL ? 0 : a1 == NULL ? 1 : a2 == NULL ? 2 : a3 == NULL ? 3 : 4;
    return nope_cli_parse(argc, argv, cfg, err);
}

static void test_defaults(void **state)
{
    (void)state;
    nope_config cfg;
    char err[NOPE_CLI_ERR_MAX];
    assert_int_equal(parse(&cfg, err, NULL, NULL, NULL, NULL), NOPE_OK);
    assert_true(cfg.d == 64 && cfg.heads == 4 && cfg.layers == 4 && cfg.ffn == 256 && cfg.seq == 64);
    assert_true(cfg.vocab == 256 && cfg.trials == 1000 && cfg.seed == 1 && !cfg.seed_random);
    assert_true(cfg.act == NOPE_ACT_RELU && cfg.input == NOPE_INPUT_GAUSSIAN);
    assert_true(cfg.sigma_q == 335544 && cfg.sigma_in_q == 335544);
    assert_true(cfg.eps.digits == 1 && cfg.eps.exp10 == -5);
}

static void test_forms(void **state)
{
    (void)state;
    nope_config cfg;
    char err[NOPE_CLI_ERR_MAX];
    assert_int_equal(parse(&cfg, err, "--d=128", "--heads", "8", NULL), NOPE_OK);
    assert_true(cfg.d == 128 && cfg.heads == 8 && cfg.ffn == 512); /* ffn follows d */
    assert_int_equal(parse(&cfg, err, "--act", "gelu", "--input=tokens", NULL), NOPE_OK);
    assert_true(cfg.act == NOPE_ACT_GELU && cfg.input == NOPE_INPUT_TOKENS);
    assert_int_equal(parse(&cfg, err, "--seed", "random", NULL, NULL), NOPE_OK);
    assert_true(cfg.seed_random);
    assert_int_equal(parse(&cfg, err, "--seed", "18446744073709551615", "--sigma", "0.3"), NOPE_OK);
    assert_true(cfg.seed == UINT64_MAX && cfg.sigma_q == 5033165); /* 0.3 * 2^24 = 5033164.8 */
    assert_int_equal(parse(&cfg, err, "--trials", "5", "--help", NULL), NOPE_HELP);
    assert_int_equal(parse(&cfg, err, "-h", NULL, NULL, NULL), NOPE_HELP);
    assert_non_null(strstr(nope_cli_usage(), "--sigma-in"));
}

/* Each bad input: the status, and the message's words. */
static void expect_error(nope_status want, const char *needle, const char *a0, const char *a1,
                         const char *a2, const char *a3)
{
    nope_config cfg;
    char err[NOPE_CLI_ERR_MAX];
    nope_status got = parse(&cfg, err, a0, a1, a2, a3);
    if (got != want || strstr(err, needle) == NULL || strchr(err, '\n') != NULL)
        fail_msg("%s %s: status %d, message '%s' (wanted %d with '%s')", a0, a1 ? a1 : "", got, err,
                 want, needle);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error(NOPE_ERR_USAGE, "--frobnicate: unknown flag", "--frobnicate", "3", NULL, NULL);
    expect_error(NOPE_ERR_USAGE, "--d: needs a value", "--d", NULL, NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--d 6x4: not a whole number; allowed 2..", "--d", "6x4", NULL, NULL);
    expect_error(NOPE_ERR_CAPACITY, "--d 100000: over this build's capacity NOPE_MAX_D=", "--d", "100000", NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--d 1: out of range; allowed 2..", "--d", "1", NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--heads 5: must divide --d 64", "--heads", "5", NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--trials 0: out of range; allowed 2..", "--trials", "0", NULL, NULL);
    expect_error(NOPE_ERR_CAPACITY, "NOPE_MAX_TRIALS", "--trials", "99999999", NULL, NULL);
    expect_error(NOPE_ERR_CAPACITY, "NOPE_MAX_SEQ", "--seq", "4096", NULL, NULL);
#if NOPE_MAX_FFN < 4 * NOPE_MAX_D /* the default ffn = 4d can only overflow in such a build */
    expect_error(NOPE_ERR_CAPACITY, "--ffn (default 4*d = ", "--d", "1024", NULL, NULL);
#endif
    expect_error(NOPE_ERR_ARG, "--sigma 5: out of range; allowed 0.0001..2", "--sigma", "5", NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--sigma-in abc: not a decimal number", "--sigma-in", "abc", NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--eps 0: out of range", "--eps", "0", NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--act swish: unknown activation; allowed relu, gelu", "--act", "swish", NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--input text: unknown input", "--input", "text", NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--seed -3: not a seed", "--seed", "-3", NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--seed 18446744073709551616: not a seed", "--seed", "18446744073709551616", NULL, NULL);
    expect_error(NOPE_ERR_USAGE, "unknown flag", "d", "64", NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
