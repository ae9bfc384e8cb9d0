#include "nope/format.h"

#include "nope/decimal.h"

size_t nope_fmt_append(char *buf, size_t at, const char *s)
{
    while (*s)
        buf[at++] = *s++;
    buf[at] = '\0';
    return at;
}

size_t nope_fmt_u64(char *buf, uint64_t v)
{
    char rev[20];
    size_t n = 0;
    do {
        rev[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t k = 0; k < n; k++)
        buf[k] = rev[n - 1 - k];
    buf[n] = '\0';
    return n;
}

size_t nope_fmt_hex64(char *buf, uint64_t v)
{
    static const char HEX[] = "0123456789abcdef";
    for (int k = 0; k < 16; k++)
        buf[k] = HEX[(v >> (60 - 4 * k)) & 0xF];
    buf[16] = '\0';
    return 16;
}

size_t nope_fmt_sci(char *buf, const nope_dec *v, unsigned sig)
{
    size_t at = 0;
    if (sig < 1)
        sig = 1;
    if (sig > 18)
        sig = 18;
    if (v->special == NOPE_DEC_NAN)
        return nope_fmt_append(buf, 0, "nan");
    if (v->neg)
        buf[at++] = '-';
    if (v->special == NOPE_DEC_INF)
        return nope_fmt_append(buf, at, "inf");
    uint64_t digits = v->digits;
    int32_t exp10 = v->exp10;
    unsigned n = nope_dec_count_digits(digits);
    if (digits == 0) {
        exp10 = 0;
        n = 1;
    }
    /* Bring digits to exactly `sig` of them, rounding half up when dropping. */
    while (n > sig) {
        uint64_t dropped = digits % 10;
        digits /= 10;
        exp10++;
        n--;
        if (n == sig && dropped >= 5) /* the last dropped digit is the leading one */
            digits++;
    }
    if (nope_dec_count_digits(digits) > sig) { /* 9.99...95 rounded up to 10.0...0 */
        digits /= 10;
        exp10++;
    }
    while (nope_dec_count_digits(digits) < sig && digits != 0) {
        digits *= 10;
        exp10--;
    }
    int32_t sci_exp = digits == 0 ? 0 : exp10 + (int32_t)sig - 1;
    char mant[20];
    for (unsigned k = 0; k < sig; k++) {
        mant[sig - 1 - k] = (char)('0' + digits % 10);
        digits /= 10;
    }
    buf[at++] = mant[0];
    if (sig > 1) {
        buf[at++] = '.';
        for (unsigned k = 1; k < sig; k++)
            buf[at++] = mant[k];
    }
    buf[at++] = 'e';
    buf[at++] = sci_exp < 0 ? '-' : '+';
    uint32_t e = (uint32_t)(sci_exp < 0 ? -sci_exp : sci_exp);
    if (e < 10)
        buf[at++] = '0';
    at += nope_fmt_u64(buf + at, e);
    return at;
}

size_t nope_fmt_plain(char *buf, const nope_dec *v)
{
    size_t at = 0;
    if (v->special != NOPE_DEC_FINITE || v->exp10 > 20 || v->exp10 < -24)
        return nope_fmt_sci(buf, v, nope_dec_count_digits(v->digits)); /* too long written out */
    if (v->neg && v->digits != 0)
        buf[at++] = '-';
    char digits[24];
    size_t n = nope_fmt_u64(digits, v->digits);
    int32_t e = v->digits == 0 ? 0 : v->exp10;
    if (e >= 0) {
        at = nope_fmt_append(buf, at, digits);
        for (int32_t k = 0; k < e; k++)
            buf[at++] = '0';
    } else if ((size_t)-e >= n) { /* 0.000ddd */
        buf[at++] = '0';
        buf[at++] = '.';
        for (size_t k = 0; k < (size_t)-e - n; k++)
            buf[at++] = '0';
        at = nope_fmt_append(buf, at, digits);
    } else { /* ddd.ddd */
        size_t whole = n - (size_t)-e;
        for (size_t k = 0; k < n; k++) {
            if (k == whole)
                buf[at++] = '.';
            buf[at++] = digits[k];
        }
    }
    buf[at] = '\0';
    return at;
}
