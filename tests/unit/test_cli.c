/* The flag parser: defaults, every form of flag, and every kind of bad input (status and the
 * one line that names the flag, the value and what is allowed). */
#include "test_util.h"

#include <stdio.h>

#include "nope/cli.h"
#include "nope/config.h"

static nope_status parse(nope_config *cfg, char *err, const char *a0, const char *a1, const char *a2, const char *a3)
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
    assert_true(cfg.threads == 0); /* the program's choice: every core */
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
    assert_int_equal(parse(&cfg, err, "--threads", "3", "--shard=1/2", NULL), NOPE_OK);
    assert_true(cfg.threads == 3 && cfg.shard == 1 && cfg.shards == 2);
    assert_int_equal(parse(&cfg, err, "--trials", "5", "--help", NULL), NOPE_HELP);
    assert_int_equal(parse(&cfg, err, "-h", NULL, NULL, NULL), NOPE_HELP);
    assert_non_null(strstr(nope_cli_usage(), "--sigma-in"));
}

/* Each bad input: the status, and the message's words. */
static void expect_error(nope_status want, const char *needle, const char *a0, const char *a1, const char *a2,
                         const char *a3)
{
    nope_config cfg;
    char err[NOPE_CLI_ERR_MAX];
    nope_status got = parse(&cfg, err, a0, a1, a2, a3);
    if (got != want || strstr(err, needle) == NULL || strchr(err, '\n') != NULL)
        fail_msg("%s %s: status %d, message '%s' (wanted %d with '%s')", a0, a1 ? a1 : "", got, err, want, needle);
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
    expect_error(NOPE_ERR_ARG, "--seed 18446744073709551616: too large for a seed; allowed", "--seed",
                 "18446744073709551616", NULL, NULL);
    expect_error(NOPE_ERR_USAGE, "unknown flag", "d", "64", NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--threads 0: out of range; allowed 1..", "--threads", "0", NULL, NULL);
    expect_error(NOPE_ERR_CAPACITY, "--threads 999999: over this build's capacity NOPE_MAX_THREADS=", "--threads",
                 "999999", NULL, NULL);
    expect_error(NOPE_ERR_ARG, "--threads x: not a whole number", "--threads", "x", NULL, NULL);
}

/* The whole message, exactly. */
static void expect_message(nope_status want, const char *message, const char *a0, const char *a1)
{
    nope_config cfg;
    char err[NOPE_CLI_ERR_MAX];
    nope_status got = parse(&cfg, err, a0, a1, NULL, NULL);
    if (got != want || strcmp(err, message) != 0)
        fail_msg("status %d, message\n  '%s'\nwanted %d with\n  '%s'", got, err, want, message);
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* Each refusal gives its own reason, not the nearest one that has a message. */
static void test_true_reasons(void **state)
{
    (void)state;
    expect_message(NOPE_ERR_USAGE, "=5: no flag name before '=' (see --help)", "=5", NULL);
    expect_message(NOPE_ERR_USAGE, "'': an empty argument where a flag was expected (see --help)", "", NULL);
    expect_message(NOPE_ERR_ARG, "--sigma 1e99999: exponent out of range; allowed 0.0001..2", "--sigma", "1e99999");
    expect_message(NOPE_ERR_ARG, "--sigma-in 1e-99999: exponent out of range; allowed 0.0001..2", "--sigma-in",
                   "1e-99999");
    expect_message(NOPE_ERR_ARG, "--sigma 10e9999: exponent out of range; allowed 0.0001..2", "--sigma", "10e9999");
    expect_message(NOPE_ERR_ARG,
                   "--eps 0.1234567890123456789: more than 18 significant digits; allowed 0.000000000001..1", "--eps",
                   "0.1234567890123456789");
    /* what is not a number at all says so, whatever else is wrong with it */
    expect_message(NOPE_ERR_ARG, "--sigma 12345678901234567890x: not a decimal number; allowed 0.0001..2", "--sigma",
                   "12345678901234567890x");
    expect_message(NOPE_ERR_ARG, "--sigma 1e99999x: not a decimal number; allowed 0.0001..2", "--sigma", "1e99999x");
    expect_message(NOPE_ERR_CAPACITY,
                   "--d 9999999999999999999999999: over this build's capacity NOPE_MAX_D=" STR(
                       NOPE_MAX_D) "; allowed 2.." STR(NOPE_MAX_D),
                   "--d", "9999999999999999999999999");
    expect_message(NOPE_ERR_ARG, "--d 99999999999999999999x: not a whole number; allowed 2.." STR(NOPE_MAX_D), "--d",
                   "99999999999999999999x");
    expect_message(NOPE_ERR_ARG,
                   "--seed 99999999999999999999999: too large for a seed; allowed a whole number "
                   "0..18446744073709551615 or 'random'",
                   "--seed", "99999999999999999999999");
    expect_message(NOPE_ERR_ARG, "--d '': not a whole number; allowed 2.." STR(NOPE_MAX_D), "--d=", NULL);
}

/* A long flag or value is shortened in the message, never what is allowed. */
static void test_long_input_keeps_the_rule(void **state)
{
    (void)state;
    static const struct {
        const char *flag;
        char fill;
        nope_status status;
        const char *rule;
    } cases[] = {
        {"--act", 'x', NOPE_ERR_ARG, "unknown activation; allowed relu, gelu"},
        {"--input", 'x', NOPE_ERR_ARG, "unknown input; allowed gaussian, tokens"},
        {"--seed", 'x', NOPE_ERR_ARG, "not a seed; allowed a whole number 0..18446744073709551615 or 'random'"},
        {"--seed", '9', NOPE_ERR_ARG,
         "too large for a seed; allowed a whole number 0..18446744073709551615 or 'random'"},
        {"--sigma", 'x', NOPE_ERR_ARG, "not a decimal number; allowed 0.0001..2"},
        {"--sigma-in", '1', NOPE_ERR_ARG, "more than 18 significant digits; allowed 0.0001..2"},
        {"--eps", '0', NOPE_ERR_ARG, "out of range; allowed 0.000000000001..1"},
        {"--d", 'x', NOPE_ERR_ARG, "not a whole number; allowed 2.." STR(NOPE_MAX_D)},
        {"--trials", '9', NOPE_ERR_CAPACITY,
         "over this build's capacity NOPE_MAX_TRIALS=" STR(NOPE_MAX_TRIALS) "; allowed 2.." STR(NOPE_MAX_TRIALS)},
    };
    static char value[3000], want[NOPE_CLI_ERR_MAX + 3000];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (size_t len = NOPE_FLAG_ECHO_MAX + 1; len < sizeof value; len = len * 3 + 1) {
            memset(value, cases[k].fill, len);
            value[len] = '\0';
            snprintf(want, sizeof want, "%s %.*s...: %s", cases[k].flag, NOPE_FLAG_ECHO_MAX, value, cases[k].rule);
            expect_message(cases[k].status, want, cases[k].flag, value);
        }
    }
    /* exactly NOPE_FLAG_ECHO_MAX bytes are shown whole */
    memset(value, 'x', NOPE_FLAG_ECHO_MAX);
    value[NOPE_FLAG_ECHO_MAX] = '\0';
    snprintf(want, sizeof want, "--act %s: unknown activation; allowed relu, gelu", value);
    expect_message(NOPE_ERR_ARG, want, "--act", value);
    /* an unknown flag, however long, is still called one */
    value[0] = value[1] = '-';
    memset(value + 2, 'y', 2000);
    value[2002] = '\0';
    snprintf(want, sizeof want, "%.*s...: unknown flag (see --help)", NOPE_FLAG_ECHO_MAX, value);
    expect_message(NOPE_ERR_USAGE, want, value, NULL);
}

/* Bytes that are not printable ASCII are shown as '?', so the message is one line of text. */
static void test_unprintable_bytes_are_escaped(void **state)
{
    (void)state;
    expect_message(NOPE_ERR_ARG, "--act g??lu: unknown activation; allowed relu, gelu", "--act", "g\xc3\xa9lu");
    expect_message(NOPE_ERR_ARG, "--input ?a?b?c?: unknown input; allowed gaussian, tokens", "--input",
                   "\x80"
                   "a"
                   "\x7f"
                   "b"
                   "\xff"
                   "c"
                   "\x1b");
    expect_message(NOPE_ERR_USAGE, "--d?: unknown flag (see --help)", "--d\xa0", "3");
    expect_message(NOPE_ERR_USAGE, "--d?=3: unknown flag (see --help)", "--d\xa0=3", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_true_reasons),
        cmocka_unit_test(test_long_input_keeps_the_rule),
        cmocka_unit_test(test_unprintable_bytes_are_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
