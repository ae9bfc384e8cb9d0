/* Decimal numbers in and out, exactly: what the user typed (nope_dec, defined in config.h),
 * its rounding into each numeric mode, and the nearest NOPE_REPORT_DIGITS-digit decimal of a
 * double (float32 mode) or of an exact ratio (fixed-point mode) for the report. No strtod, no
 * printf: their results depend on the C library. */
#ifndef NOPE_DECIMAL_H
#define NOPE_DECIMAL_H

#include <stdbool.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/wide.h"

/* Significant digits of every number in the report's body: what the summaries round to and
 * what the report prints. */
#define NOPE_REPORT_DIGITS 9

/* Why a text was refused, so that an error message can give the true reason. */
typedef enum {
    NOPE_DEC_PARSED = 0,
    NOPE_DEC_MALFORMED,       /* not of the form below (including an empty string) */
    NOPE_DEC_TOO_MANY_DIGITS, /* more than 18 significant digits */
    NOPE_DEC_EXP_RANGE,       /* written exponent, or the value's own, beyond +-9999 */
    NOPE_DEC_TOO_LARGE        /* a whole number over 2^64-1 */
} nope_dec_why;

/* [+-]digits[.digits][(e|E)[+-]digits], or .digits; at most 18 significant digits (zeros
 * before the first or after the last non-zero digit do not count), a written exponent within
 * +-9999 and a value within 1e-9999 .. 9.99e9999. NOPE_ERR_ARG for anything else (including an
 * empty string). */
nope_status nope_dec_parse(const char *text, nope_dec *out);
/* The same, saying why a text was refused; out is set only on NOPE_DEC_PARSED. */
nope_dec_why nope_dec_parse_reason(const char *text, nope_dec *out);

/* A plain unsigned decimal integer (digits only), NOPE_ERR_ARG if malformed or over 2^64-1. */
nope_status nope_dec_parse_u64(const char *text, uint64_t *out);
/* The same, saying why (NOPE_DEC_MALFORMED or NOPE_DEC_TOO_LARGE); out is set only on
 * NOPE_DEC_PARSED. */
nope_dec_why nope_dec_parse_u64_reason(const char *text, uint64_t *out);

/* -1, 0, 1 as a < b, a == b, a > b (finite values only). */
int nope_dec_cmp(const nope_dec *a, const nope_dec *b);

/* Round a non-negative decimal to the nearest integer multiple of 2^-frac_bits (ties away
 * from zero), exactly, in integers. false if negative, frac_bits > 62, or the whole part is over
 * 2^(62 - frac_bits). */
bool nope_dec_to_ufix(const nope_dec *v, unsigned frac_bits, uint64_t *out);

#if NOPE_NUM == NOPE_NUM_F32
/* The decimal as a double: digits and powers of ten in double arithmetic (not always the
 * nearest double, but the same double on every IEEE-754 target). */
double nope_dec_to_double(const nope_dec *v);

/* The NOPE_REPORT_DIGITS-significant-digit decimal nearest v (within a few 1e-16, the same
 * everywhere). */
nope_dec nope_dec_from_double(double v);
#endif

/* The NOPE_REPORT_DIGITS-significant-digit decimal nearest a / b, exactly (ties up), negated
 * when neg; 0 when a is 0, NaN when b is 0. a or b is scaled by 2 10^|p|, p the result's
 * exponent: that product must stay below 2^512. */
nope_dec nope_dec_from_ratio(const nope_big *a, const nope_big *b, bool neg);

/* How many decimal digits v has (1 for 0). */
unsigned nope_dec_count_digits(uint64_t v);

/* A finite decimal with the given digits and exponent. */
nope_dec nope_dec_make(uint64_t digits, int32_t exp10, bool neg);

/* Not a number: what a result without a value (a slope through a zero mean, ...) reports. */
nope_dec nope_dec_nan(void);

#endif
