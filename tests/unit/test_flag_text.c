/* The shared flag module (nope/flag_text.h) on its own: what nope's cli.c never asks of it and
 * nope-train's flags do (a flag's own limit, with no capacity name; a 320-byte buffer), and a
 * buffer too small for the message, which must be cut, still NUL-terminated, never overrun. */
#include "test_util.h"

#include <stdio.h>

#include "nope/flag_text.h"

/* A buffer with guard bytes after cap: a write past cap shows up as a changed guard. */
#define GUARD 16
static char buf[512 + GUARD];

static void arm(void)
{
    memset(buf, '#', sizeof buf);
}

static void expect_guard(size_t cap)
{
    for (size_t i = cap; i < cap + GUARD; i++)
        if (buf[i] != '#')
            fail_msg("byte %zu past a %zu-byte buffer was written", i, cap);
}

static void expect_uint(nope_status want, const char *message, const char *value, uint64_t lo, uint64_t hi,
                        const char *cap_name, size_t cap)
{
    uint64_t v = 12345;
    arm();
    nope_status got = nope_flag_uint("--n", value, lo, hi, cap_name, &v, buf, cap);
    expect_guard(cap);
    if (got != want || strcmp(buf, message) != 0)
        fail_msg("'%s': status %d, message '%s' (wanted %d, '%s')", value, got, buf, want, message);
    assert_int_equal(v, 12345); /* a refused value is not stored */
}

static void expect_decimal(const char *message, const char *value, size_t cap)
{
    nope_dec v = nope_dec_make(7, 0, false);
    arm();
    nope_status got = nope_flag_decimal("--x", value, "0.5", "2", &v, buf, cap);
    expect_guard(cap);
    if (got != NOPE_ERR_ARG || strcmp(buf, message) != 0)
        fail_msg("'%s': status %d, message '%s' (wanted '%s')", value, got, buf, message);
    assert_true(v.digits == 7 && v.exp10 == 0);
}

static void test_uint_accepts_its_range(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_int_equal(nope_flag_uint("--n", "0", 0, 10, NULL, &v, buf, 320), NOPE_OK);
    assert_int_equal(v, 0);
    assert_int_equal(nope_flag_uint("--n", "10", 0, 10, NULL, &v, buf, 320), NOPE_OK);
    assert_int_equal(v, 10);
    assert_int_equal(nope_flag_uint("--n", "4294967295", 1, UINT32_MAX, "CAP", &v, buf, 320), NOPE_OK);
    assert_int_equal(v, UINT32_MAX);
}

/* Over a flag's own limit (no capacity name) is "out of range", NOPE_ERR_ARG, even past 2^64-1;
 * over a capacity is NOPE_ERR_CAPACITY and names it. */
static void test_uint_refusals(void **state)
{
    (void)state;
    expect_uint(NOPE_ERR_ARG, "--n 11: out of range; allowed 1..10", "11", 1, 10, NULL, 320);
    expect_uint(NOPE_ERR_ARG, "--n 99999999999999999999: out of range; allowed 1..10", "99999999999999999999", 1, 10,
                NULL, 320);
    expect_uint(NOPE_ERR_ARG, "--n 0: out of range; allowed 1..10", "0", 1, 10, "CAP", 320);
    expect_uint(NOPE_ERR_CAPACITY, "--n 11: over this build's capacity CAP=10; allowed 1..10", "11", 1, 10, "CAP", 320);
    expect_uint(NOPE_ERR_CAPACITY, "--n 99999999999999999999: over this build's capacity CAP=10; allowed 1..10",
                "99999999999999999999", 1, 10, "CAP", 320);
    expect_uint(NOPE_ERR_ARG, "--n -1: not a whole number; allowed 0..10", "-1", 0, 10, "CAP", 320);
    expect_uint(NOPE_ERR_ARG, "--n '': not a whole number; allowed 0..10", "", 0, 10, NULL, 320);
    expect_uint(NOPE_ERR_ARG, "--n 1?: not a whole number; allowed 0..10", "1\n", 0, 10, NULL, 320);
}

static void test_decimal_reasons(void **state)
{
    (void)state;
    nope_dec v;
    assert_int_equal(nope_flag_decimal("--x", "0.5", "0.5", "2", &v, buf, 320), NOPE_OK);
    assert_true(v.digits == 5 && v.exp10 == -1);
    assert_int_equal(nope_flag_decimal("--x", "2e0", "0.5", "2", &v, buf, 320), NOPE_OK);
    expect_decimal("--x 0.4: out of range; allowed 0.5..2", "0.4", 320);
    expect_decimal("--x 2.01: out of range; allowed 0.5..2", "2.01", 320);
    expect_decimal("--x 1.0000000000000000001: more than 18 significant digits; allowed 0.5..2",
                   "1.0000000000000000001", 320);
    expect_decimal("--x 1e10000: exponent out of range; allowed 0.5..2", "1e10000", 320);
    expect_decimal("--x 1..2: not a decimal number; allowed 0.5..2", "1..2", 320);
}

/* Past the buffer's end text is dropped, the line stays terminated, the bytes after it untouched:
 * for each size from 1 byte, the message is the full one's first cap - 1 bytes. */
static void test_small_buffers_cut_the_line(void **state)
{
    (void)state;
    const char *full = "--x 1..2: not a decimal number; allowed 0.5..2";
    for (size_t cap = 1; cap <= strlen(full) + 1; cap++) {
        char want[64];
        snprintf(want, sizeof want, "%.*s", (int)(cap - 1), full);
        expect_decimal(want, "1..2", cap);
    }
    const char *capacity = "--n 11: over this build's capacity CAP=10; allowed 1..10";
    for (size_t cap = 1; cap <= strlen(capacity) + 1; cap++) {
        char want[80];
        snprintf(want, sizeof want, "%.*s", (int)(cap - 1), capacity);
        expect_uint(NOPE_ERR_CAPACITY, want, "11", 1, 10, "CAP", cap);
    }
}

/* The line's own pieces: an echo of NOPE_FLAG_ECHO_MAX bytes is whole, one more is cut with "...",
 * and a value of NULL leaves out the value. */
static void test_line_pieces(void **state)
{
    (void)state;
    char typed[NOPE_FLAG_ECHO_MAX + 2], want[NOPE_FLAG_ECHO_MAX + 32];
    memset(typed, 'v', NOPE_FLAG_ECHO_MAX);
    typed[NOPE_FLAG_ECHO_MAX] = '\0';
    nope_msg m = nope_msg_start(buf, 320);
    nope_msg_echo(&m, typed);
    assert_string_equal(buf, typed);
    typed[NOPE_FLAG_ECHO_MAX] = 'w';
    typed[NOPE_FLAG_ECHO_MAX + 1] = '\0';
    m = nope_msg_start(buf, 320);
    nope_msg_echo(&m, typed);
    snprintf(want, sizeof want, "%.*s...", NOPE_FLAG_ECHO_MAX, typed);
    assert_string_equal(buf, want);

    m = nope_msg_start(buf, 320);
    nope_msg_about(&m, "--flag", NULL);
    nope_msg_u64(&m, UINT64_MAX);
    assert_string_equal(buf, "--flag: 18446744073709551615");
    assert_int_equal(nope_flag_refuse(buf, 320, NOPE_ERR_USAGE, "", "\x1b", "why"), NOPE_ERR_USAGE);
    assert_string_equal(buf, "'' ?: why");
}

static void test_same(void **state)
{
    (void)state;
    assert_true(nope_flag_same("--d", "--d"));
    assert_true(nope_flag_same("", ""));
    assert_false(nope_flag_same("--d", "--de"));
    assert_false(nope_flag_same("--de", "--d"));
    assert_false(nope_flag_same("--d", ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint_accepts_its_range),
        cmocka_unit_test(test_uint_refusals),
        cmocka_unit_test(test_decimal_reasons),
        cmocka_unit_test(test_small_buffers_cut_the_line),
        cmocka_unit_test(test_line_pieces),
        cmocka_unit_test(test_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
