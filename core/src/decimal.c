#include "nope/decimal.h"

#include <stddef.h>

/* A written exponent up to 9999 lets every decimal this file and format.c print (whose exponents
 * reach +-(999 + 18) after normalising) parse back. */
enum { MAX_SIG_DIGITS = 18, MAX_EXP10 = 9999 };

#if NOPE_NUM == NOPE_NUM_F32
static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
#endif

nope_dec nope_dec_make(uint64_t digits, int32_t exp10, bool neg)
{
    nope_dec v = {digits, exp10, neg, NOPE_DEC_FINITE};
    return v;
}

/* 10^NOPE_REPORT_DIGITS: the report's significands are below it, and at least a tenth of it. */
static uint64_t report_digits_end(void)
{
    uint64_t v = 1;
    for (unsigned k = 0; k < NOPE_REPORT_DIGITS; k++)
        v *= 10;
    return v;
}

nope_dec nope_dec_nan(void)
{
    nope_dec v = nope_dec_make(0, 0, false);
    v.special = NOPE_DEC_NAN;
    return v;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

nope_dec_why nope_dec_parse_reason(const char *text, nope_dec *out)
{
    const char *p = text;
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = (*p++ == '-');
    uint64_t digits = 0;
    int sig = 0, exp10 = 0, seen = 0, pending_zeros = 0;
    bool after_point = false;
    /* A range problem is only the reason once the whole text has the right form. */
    nope_dec_why why = NOPE_DEC_PARSED;
    for (;; p++) {
        if (*p == '.' && !after_point) {
            after_point = true;
            continue;
        }
        if (!is_digit(*p))
            break;
        seen++;
        if (after_point)
            exp10--;
        if (*p == '0') { /* leading zeros never count; inner ones only once a digit follows */
            if (digits != 0)
                pending_zeros++;
            continue;
        }
        sig += pending_zeros + 1;
        if (sig > MAX_SIG_DIGITS) {
            why = NOPE_DEC_TOO_MANY_DIGITS;
            continue;
        }
        for (; pending_zeros > 0; pending_zeros--)
            digits *= 10;
        digits = digits * 10 + (uint64_t)(*p - '0');
    }
    exp10 += pending_zeros; /* trailing zeros: a power of ten, not significant digits */
    if (seen == 0)
        return NOPE_DEC_MALFORMED;
    if (*p == 'e' || *p == 'E') {
        p++;
        bool eneg = false;
        if (*p == '+' || *p == '-')
            eneg = (*p++ == '-');
        if (!is_digit(*p))
            return NOPE_DEC_MALFORMED;
        int e = 0;
        for (; is_digit(*p); p++) {
            if (e <= MAX_EXP10)
                e = e * 10 + (*p - '0');
        }
        if (e > MAX_EXP10 && why == NOPE_DEC_PARSED)
            why = NOPE_DEC_EXP_RANGE;
        exp10 += eneg ? -e : e;
    }
    if (*p != '\0')
        return NOPE_DEC_MALFORMED;
    if (why != NOPE_DEC_PARSED)
        return why;
    if (digits == 0)
        exp10 = 0;
    while (digits != 0 && digits % 10 == 0) { /* one canonical form per value */
        digits /= 10;
        exp10++;
    }
    /* The value's own exponent (d.ddd e+X) stays within what may be written, so whatever
     * format.c prints of it parses back. */
    int sci_exp = exp10 + (int)nope_dec_count_digits(digits) - 1;
    if (digits != 0 && (sci_exp > MAX_EXP10 || sci_exp < -MAX_EXP10))
        return NOPE_DEC_EXP_RANGE;
    *out = nope_dec_make(digits, exp10, neg && digits != 0);
    return NOPE_DEC_PARSED;
}

nope_status nope_dec_parse(const char *text, nope_dec *out)
{
    return nope_dec_parse_reason(text, out) == NOPE_DEC_PARSED ? NOPE_OK : NOPE_ERR_ARG;
}

nope_dec_why nope_dec_parse_u64_reason(const char *text, uint64_t *out)
{
    uint64_t v = 0;
    bool over = false;
    if (!is_digit(*text))
        return NOPE_DEC_MALFORMED;
    for (const char *p = text; *p; p++) { /* read to the end: "99...9x" is malformed, not too large */
        if (!is_digit(*p))
            return NOPE_DEC_MALFORMED;
        uint64_t digit = (uint64_t)(*p - '0');
        over = over || v > (UINT64_MAX - digit) / 10;
        if (!over)
            v = v * 10 + digit;
    }
    if (over)
        return NOPE_DEC_TOO_LARGE;
    *out = v;
    return NOPE_DEC_PARSED;
}

nope_status nope_dec_parse_u64(const char *text, uint64_t *out)
{
    return nope_dec_parse_u64_reason(text, out) == NOPE_DEC_PARSED ? NOPE_OK : NOPE_ERR_ARG;
}

unsigned nope_dec_count_digits(uint64_t v)
{
    unsigned n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

int nope_dec_cmp(const nope_dec *a, const nope_dec *b)
{
    int sign_a = a->digits == 0 ? 0 : (a->neg ? -1 : 1);
    int sign_b = b->digits == 0 ? 0 : (b->neg ? -1 : 1);
    if (sign_a != sign_b)
        return sign_a < sign_b ? -1 : 1;
    if (sign_a == 0)
        return 0;
    /* Same sign: compare magnitudes by order of magnitude, then by digits aligned to 19. */
    int mag_a = (int)nope_dec_count_digits(a->digits) + a->exp10;
    int mag_b = (int)nope_dec_count_digits(b->digits) + b->exp10;
    int cmp;
    if (mag_a != mag_b) {
        cmp = mag_a < mag_b ? -1 : 1;
    } else {
        uint64_t da = a->digits, db = b->digits;
        for (unsigned n = nope_dec_count_digits(da); n < 19; n++)
            da *= 10;
        for (unsigned n = nope_dec_count_digits(db); n < 19; n++)
            db *= 10;
        cmp = da == db ? 0 : (da < db ? -1 : 1);
    }
    return sign_a < 0 ? -cmp : cmp;
}

bool nope_dec_to_ufix(const nope_dec *v, unsigned frac_bits, uint64_t *out)
{
    if (v->neg || v->special != NOPE_DEC_FINITE || frac_bits > 62)
        return false;
    uint64_t digits = v->digits;
    int e = v->exp10;
    *out = 0;
    if (digits == 0)
        return true;
    for (; e > 0; e--) { /* integer part: scale the digits up */
        if (digits > UINT64_MAX / 10)
            return false;
        digits *= 10;
    }
    if (e < -38) /* digits < 10^18, so the value is below 10^-20: under half of 2^-62 */
        return true;
    /* 10^38 and a remainder below it fit 128 bits */
    nope_u128 denom = nope_u128_from_u64(1);
    for (int k = 0; k < -e; k++)
        denom = nope_u128_mul_u32(denom, 10);
    /* whole part, then the fraction bit by bit: rem < denom < 2^127, so 2 rem never overflows. */
    uint64_t whole = 0;
    nope_u128 rem = nope_u128_from_u64(digits);
    if (denom.hi == 0) {
        whole = digits / denom.lo;
        rem.lo = digits % denom.lo;
    }
    if (whole > (UINT64_C(1) << (62 - frac_bits)))
        return false;
    uint64_t result = whole;
    for (unsigned b = 0; b <= frac_bits; b++) {
        nope_u128 twice = nope_u128_shl(rem, 1);
        bool bit = !nope_u128_less(twice, denom);
        rem = bit ? nope_u128_sub(twice, denom) : twice;
        result = result * 2 + (bit ? 1 : 0);
    }
    *out = (result + 1) >> 1; /* the extra bit rounds: ties away from zero */
    return true;
}

/* double conversions: float32 mode only (the fixed-point mode has no floating point). */
#if NOPE_NUM == NOPE_NUM_F32

/* x 10^e in double arithmetic: one rounding for |e| <= 22, one more per further 10^22. */
static double times_pow10(double x, int e)
{
    while (e > 22) {
        x *= 1e22;
        e -= 22;
    }
    while (e < -22) {
        x /= 1e22;
        e += 22;
    }
    return e >= 0 ? x * POW10[e] : x / POW10[-e];
}

double nope_dec_to_double(const nope_dec *v)
{
    double x = times_pow10((double)v->digits, v->exp10);
    return v->neg ? -x : x;
}

nope_dec nope_dec_from_double(double v)
{
    nope_dec out = nope_dec_make(0, 0, false);
    if (v != v) {
        out.special = NOPE_DEC_NAN;
        return out;
    }
    out.neg = v < 0.0;
    double a = out.neg ? -v : v;
    if (a == 0.0) {
        out.neg = false;
        return out;
    }
    if (a > 1.7976931348623157e308) {
        out.special = NOPE_DEC_INF;
        return out;
    }
    /* Estimate the decimal exponent from the binary one, scale a into [10^(D-1), 10^D) (D =
     * NOPE_REPORT_DIGITS) with as few roundings as possible (one, for |k| <= 22), then correct
     * the estimate by one if needed. */
    union {
        double f;
        uint64_t u;
    } bits;
    bits.f = a;
    int e2 = (int)((bits.u >> 52) & 0x7FF) - 1023;
    int e10 = (int)((double)e2 * 0.30102999566398120);
    if (e2 < 0 && (double)e10 != (double)e2 * 0.30102999566398120)
        e10--; /* floor, not truncation */
    double s = times_pow10(a, (NOPE_REPORT_DIGITS - 1) - e10);
    while (s >= POW10[NOPE_REPORT_DIGITS]) {
        s /= 10.0;
        e10++;
    }
    while (s < POW10[NOPE_REPORT_DIGITS - 1]) {
        s *= 10.0;
        e10--;
    }
    uint64_t digits = (uint64_t)(s + 0.5);
    if (digits >= report_digits_end()) {
        digits /= 10;
        e10++;
    }
    out.digits = digits;
    out.exp10 = e10 - (NOPE_REPORT_DIGITS - 1);
    return out;
}

#endif

nope_dec nope_dec_from_ratio(const nope_big *a, const nope_big *b, bool neg)
{
    if (nope_big_is_zero(a))
        return nope_dec_make(0, 0, false);
    if (nope_big_is_zero(b))
        return nope_dec_nan();
    /* a / b is in [2^(l2-1), 2^(l2+1)): start from the decade of 2^l2, floor(l2 log10 2) with
     * 78913 / 2^18 for log10 2 (C division truncates, hence the step down below zero), then
     * step until the rounded digits land in [10^(D-1), 10^D), D = NOPE_REPORT_DIGITS. */
    int32_t l2 = (int32_t)nope_big_bitlen(a) - (int32_t)nope_big_bitlen(b); /* |l2| <= 512 */
    int32_t t = l2 * 78913;
    int32_t p = t / 262144 - (t % 262144 < 0 ? 1 : 0) - (NOPE_REPORT_DIGITS - 1);
    for (;;) {
        /* round(a 10^-p / b) = floor((2 num + den) / (2 den)), num = a 10^max(-p,0) and
         * den = b 10^max(p,0) */
        nope_big num = *a, den = *b, q;
        nope_big_mul_pow10(p < 0 ? &num : &den, (unsigned)(p < 0 ? -p : p));
        nope_big_shl(&num, 1);
        nope_big_add(&num, &den);
        nope_big_shl(&den, 1);
        nope_big_div(&q, &num, &den);
        uint64_t digits = nope_big_bitlen(&q) > 62 ? UINT64_MAX : nope_big_low_u64(&q);
        if (digits >= report_digits_end())
            p++;
        else if (digits < report_digits_end() / 10)
            p--;
        else
            return nope_dec_make(digits, p, neg);
    }
}
