/* Decimal parsing, exact rounding to fixed point, and the report's number formatting. */
#include "test_util.h"

#include "nope/decimal.h"
#include "nope/format.h"

static nope_dec parsed(const char *text)
{
    nope_dec v;
    assert_int_equal(nope_dec_parse(text, &v), NOPE_OK);
    return v;
}

static void test_parse_forms(void **state)
{
    (void)state;
    nope_dec v = parsed("0.02");
    assert_true(v.digits == 2 && v.exp10 == -2 && !v.neg);
    v = parsed("1e-5");
    assert_true(v.digits == 1 && v.exp10 == -5);
    v = parsed("-12.500E+2");
    assert_true(v.digits == 125 && v.exp10 == 1 && v.neg);
    v = parsed(".5");
    assert_true(v.digits == 5 && v.exp10 == -1);
    v = parsed("000");
    assert_true(v.digits == 0 && v.exp10 == 0 && !v.neg);
    v = parsed("-0.0");
    assert_true(v.digits == 0 && !v.neg);
    v = parsed("123456789012345678");
    assert_true(v.digits == 123456789012345678u && v.exp10 == 0);
    v = parsed("10000000000000000000000.000"); /* trailing zeros are not significant digits */
    assert_true(v.digits == 1 && v.exp10 == 22);
    v = parsed("1200.0340000");
    assert_true(v.digits == 1200034 && v.exp10 == -3);
    const char *bad[] = {"",      "-",    ".",   "e5", "1e",      "1e+",
                         "1.2.3", "0x10", "1 ",  " 1", "1e10000", "1234567890123456789",
                         "nan",   "inf",  "1,5", "--1"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        nope_dec w;
        if (nope_dec_parse(bad[k], &w) != NOPE_ERR_ARG)
            fail_msg("'%s' should not parse", bad[k]);
    }
}

static void test_parse_u64(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(nope_dec_parse_u64("18446744073709551615", &v), NOPE_OK);
    assert_true(v == UINT64_MAX);
    assert_int_equal(nope_dec_parse_u64("18446744073709551616", &v), NOPE_ERR_ARG);
    assert_int_equal(nope_dec_parse_u64("-1", &v), NOPE_ERR_ARG);
    assert_int_equal(nope_dec_parse_u64("", &v), NOPE_ERR_ARG);
    assert_int_equal(nope_dec_parse_u64("12a", &v), NOPE_ERR_ARG);
    assert_int_equal(nope_dec_parse_u64("007", &v), NOPE_OK);
    assert_true(v == 7);
}

static void test_compare(void **state)
{
    (void)state;
    nope_dec a = parsed("0.0001"), b = parsed("1e-4"), c = parsed("2"), d = parsed("2.0000001"), e = parsed("-3"),
             z = parsed("0");
    assert_int_equal(nope_dec_cmp(&a, &b), 0);
    assert_int_equal(nope_dec_cmp(&a, &c), -1);
    assert_int_equal(nope_dec_cmp(&d, &c), 1);
    assert_int_equal(nope_dec_cmp(&e, &z), -1);
    assert_int_equal(nope_dec_cmp(&z, &a), -1);
}

/* Rounding to k fraction bits is exact: compare with integer arithmetic done by hand. */
static void test_to_ufix(void **state)
{
    (void)state;
    uint64_t q;
    nope_dec v = parsed("0.02");
    assert_true(nope_dec_to_ufix(&v, 24, &q) && q == 335544); /* 335544.32 */
    v = parsed("2");
    assert_true(nope_dec_to_ufix(&v, 24, &q) && q == 33554432);
    v = parsed("0.5");
    assert_true(nope_dec_to_ufix(&v, 0, &q) && q == 1); /* ties away from zero */
    v = parsed("0.49999999999999999");
    assert_true(nope_dec_to_ufix(&v, 0, &q) && q == 0);
    v = parsed("1e-5");
    assert_true(nope_dec_to_ufix(&v, 40, &q) && q == 10995116); /* 10995116.27776 */
    v = parsed("3e20");
    assert_false(nope_dec_to_ufix(&v, 0, &q));
    v = parsed("-1");
    assert_false(nope_dec_to_ufix(&v, 4, &q));
}

static void fmt_is(const nope_dec *v, unsigned sig, const char *want)
{
    char buf[NOPE_FMT_MAX];
    size_t n = nope_fmt_sci(buf, v, sig);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_format_sci(void **state)
{
    (void)state;
    nope_dec v = nope_dec_make(249756098, -11, false);
    fmt_is(&v, 9, "2.49756098e-03");
    v = nope_dec_make(1, 0, true);
    fmt_is(&v, 9, "-1.00000000e+00");
    v = nope_dec_make(0, 5, false);
    fmt_is(&v, 9, "0.00000000e+00");
    v = nope_dec_make(9999999995, 0, false);
    fmt_is(&v, 9, "1.00000000e+10"); /* rounds up across a power of ten */
    v = nope_dec_make(123456789449, -2, false);
    fmt_is(&v, 9, "1.23456789e+09");
    v = nope_dec_make(5, -120, false);
    fmt_is(&v, 3, "5.00e-120");
    v.special = NOPE_DEC_NAN;
    fmt_is(&v, 9, "nan");
    v.special = NOPE_DEC_INF;
    v.neg = true;
    fmt_is(&v, 9, "-inf");
}

static void test_format_plain_round_trips(void **state)
{
    (void)state;
    const char *texts[] = {"0.02", "64", "0.00001", "-1.5", "100", "123456789012345678", "0"};
    const char *want[] = {"0.02", "64", "0.00001", "-1.5", "100", "123456789012345678", "0"};
    for (size_t k = 0; k < 7; k++) {
        nope_dec v = parsed(texts[k]), back;
        char buf[NOPE_FMT_MAX];
        nope_fmt_plain(buf, &v);
        assert_string_equal(buf, want[k]);
        assert_int_equal(nope_dec_parse(buf, &back), NOPE_OK);
        assert_true(back.digits == v.digits && back.exp10 == v.exp10 && back.neg == v.neg);
    }
    char buf[NOPE_FMT_MAX];
    assert_int_equal(nope_fmt_u64(buf, UINT64_MAX), 20);
    assert_string_equal(buf, "18446744073709551615");
    nope_fmt_hex64(buf, 0x2ba219d71da08c67u);
    assert_string_equal(buf, "2ba219d71da08c67");
}

static nope_dec ratio(uint64_t a, uint64_t b, bool neg)
{
    nope_big x, y;
    nope_big_set_u64(&x, a);
    nope_big_set_u64(&y, b);
    return nope_dec_from_ratio(&x, &y, neg);
}

static void dec_is(nope_dec v, uint64_t digits, int32_t exp10, bool neg)
{
    assert_int_equal(v.special, NOPE_DEC_FINITE);
    assert_true(v.digits == digits && v.exp10 == exp10 && v.neg == neg);
}

/* Exact ratios to NOPE_REPORT_DIGITS digits, rounded half up, at every scale. */
static void test_from_ratio(void **state)
{
    (void)state;
    assert_int_equal(NOPE_REPORT_DIGITS, 9); /* the digits below are written for 9 */
    dec_is(ratio(1, 3, false), 333333333, -9, false);
    dec_is(ratio(2, 3, true), 666666667, -9, true);
    dec_is(ratio(1, 8, false), 125000000, -9, false);                    /* exact */
    dec_is(ratio(1000000005, 10000000000, false), 100000001, -9, false); /* a tie: up */
    dec_is(ratio(10000000049, 100000000000, false), 100000000, -9, false);
    dec_is(ratio(19999999999, 20, false), 100000000, 1, false); /* 999999999.95: carries a decade */
    dec_is(ratio(UINT64_MAX, 1, false), 184467441, 11, false);
    dec_is(ratio(1, UINT64_MAX, false), 542101086, -28, false);
    dec_is(ratio(7, 7, false), 100000000, -8, false);
    dec_is(ratio(0, 5, true), 0, 0, false);
    assert_int_equal(ratio(5, 0, false).special, NOPE_DEC_NAN);
    /* 10^150 / 3 and 3 / 10^140: far beyond 64 bits either way (the scaled numerator, 3 10^148,
     * stays within 512 bits) */
    nope_big x, y;
    nope_big_set_u64(&x, 1);
    nope_big_mul_pow10(&x, 150);
    nope_big_set_u64(&y, 3);
    dec_is(nope_dec_from_ratio(&x, &y, false), 333333333, 141, false);
    nope_big_set_u64(&x, 1);
    nope_big_mul_pow10(&x, 140);
    dec_is(nope_dec_from_ratio(&y, &x, false), 300000000, -148, false);
}

static void test_fmt_append(void **state)
{
    (void)state;
    char buf[NOPE_FMT_MAX];
    size_t at = nope_fmt_append(buf, 0, "abc");
    assert_int_equal(at, 3);
    at = nope_fmt_append(buf, at, "");
    assert_int_equal(at, 3);
    assert_string_equal(buf, "abc");
    assert_int_equal(nope_fmt_append(buf, at, "=12"), 6);
    assert_string_equal(buf, "abc=12");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms), cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_compare),     cmocka_unit_test(test_to_ufix),
        cmocka_unit_test(test_format_sci),  cmocka_unit_test(test_format_plain_round_trips),
        cmocka_unit_test(test_from_ratio),  cmocka_unit_test(test_fmt_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
