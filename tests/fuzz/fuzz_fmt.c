/* The report's number formatter (format.h) and the decimal it prints (decimal.h):
 *   - nope_fmt_sci(nope_dec_from_double(v), 9) for any double v: the text has the documented
 *     shape (-d.dddddddde+XX, or inf/-inf/nan) and strtod reads it back within 0.5e-8
 *     relative (9 significant digits) plus the conversion error (1e-15 relative, and one
 *     subnormal step);
 *   - nope_fmt_sci(v, sig) of any decimal, any sig: exactly the digits of v rounded half up to
 *     sig digits, computed here on the decimal string;
 *   - nope_fmt_plain of every decimal nope_dec_parse accepts: nope_dec_parse reads it back to
 *     the identical decimal (digits, exponent, sign).
 * Output buffers are exactly NOPE_FMT_MAX bytes, so ASan sees any write past them. */
#include "fuzz_util.h"

#include "nope/decimal.h"
#include "nope/format.h"

static bool sci_shape(const char *s)
{
    if (!strcmp(s, "inf") || !strcmp(s, "-inf") || !strcmp(s, "nan"))
        return true;
    if (*s == '-')
        s++;
    if (!(s[0] >= '0' && s[0] <= '9'))
        return false;
    s++;
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s++ != 'e' || (*s != '+' && *s != '-'))
        return false;
    s++;
    int n = 0;
    while (*s >= '0' && *s <= '9')
        s++, n++;
    return n >= 2 && *s == '\0';
}

static void check_from_double(double v, char *buf)
{
    nope_dec d = nope_dec_from_double(v);
    size_t len = nope_fmt_sci(buf, &d, 9);
    FUZZ_CHECK(len == strlen(buf) && len < NOPE_FMT_MAX, "fmt_sci length %zu for %a", len, v);
    FUZZ_CHECK(sci_shape(buf), "fmt_sci(from_double(%a)) = \"%s\": not the documented shape", v, buf);
    double back = strtod(buf, NULL);
    if (isnan(v)) {
        FUZZ_CHECK(isnan(back), "%a printed as \"%s\"", v, buf);
        return;
    }
    if (isinf(v)) {
        FUZZ_CHECK(back == v, "%a printed as \"%s\"", v, buf);
        return;
    }
    double tol = fabs(v) * (0.5e-8 + 1e-15) + 0x1p-1074;
    FUZZ_CHECK(fabs(back - v) <= tol, "%.17g [bits %016llx] printed as \"%s\", read back %.17g: relative %.3g > 0.5e-8",
               v, (unsigned long long)bits_of_f64(v), buf, back, fabs(back - v) / fabs(v));
    FUZZ_CHECK(v != 0.0 || !strcmp(buf, "0.00000000e+00"), "zero printed as \"%s\"", buf);
}

/* v rounded half up to sig digits, printed as fmt_sci documents, from the decimal string. */
static void sci_ref(char *out, const nope_dec *v, unsigned sig)
{
    char digs[32];
    int n = snprintf(digs, sizeof digs, "%llu", (unsigned long long)v->digits);
    long e = v->digits == 0 ? 0 : (long)v->exp10 + n - 1; /* scientific exponent */
    char r[32];
    for (unsigned k = 0; k < sig; k++)
        r[k] = k < (unsigned)n ? digs[k] : '0';
    if ((unsigned)n > sig && digs[sig] >= '5') { /* half up on the first dropped digit */
        int k = (int)sig - 1;
        while (k >= 0 && r[k] == '9')
            r[k--] = '0';
        if (k >= 0) {
            r[k]++;
        } else {
            memmove(r + 1, r, sig - 1);
            r[0] = '1';
            e++;
        }
    }
    char *o = out;
    if (v->neg)
        *o++ = '-';
    *o++ = r[0];
    if (sig > 1) {
        *o++ = '.';
        memcpy(o, r + 1, sig - 1);
        o += sig - 1;
    }
    sprintf(o, "e%c%02ld", e < 0 ? '-' : '+', e < 0 ? -e : e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    char *buf = malloc(NOPE_FMT_MAX), want[64];
    uint8_t mode = take_u8(&in);
    if (mode % 3 == 0) {
        while (in.n >= 8)
            check_from_double(f64_of_bits(take_u64(&in)), buf);
    } else if (mode % 3 == 1) {
        while (in.n >= 12) {
            uint64_t digits = take_u64(&in);
            int32_t exp10 = (int32_t)(int16_t)take_range(&in, 0, 65535) % 1100;
            nope_dec v = nope_dec_make(digits, exp10, take_u8(&in) & 1);
            unsigned sig = 1 + take_u8(&in) % 18;
            if (v.digits == 0)
                v.neg = false;
            size_t len = nope_fmt_sci(buf, &v, sig);
            sci_ref(want, &v, sig);
            FUZZ_CHECK(len == strlen(buf) && !strcmp(buf, want), "fmt_sci(%s%llue%d, %u) = \"%s\", want \"%s\"",
                       v.neg ? "-" : "", (unsigned long long)v.digits, (int)v.exp10, sig, buf, want);
        }
    } else {
        char *text = malloc(in.n + 1);
        memcpy(text, in.p, in.n);
        text[in.n] = '\0';
        nope_dec v, back;
        /* corpus/fmt/finding_exponent_over_9999 (fixed): parse took values up to 10^(2 9999) but
         * only written exponents up to 9999, so "27e9999" printed as "2.7e+10000", refused. */
        if (nope_dec_parse(text, &v) == NOPE_OK) {
            size_t len = nope_fmt_plain(buf, &v);
            FUZZ_CHECK(len == strlen(buf) && len < NOPE_FMT_MAX, "fmt_plain length %zu", len);
            FUZZ_CHECK((nope_dec_parse(buf, &back) == NOPE_OK && back.digits == v.digits && back.exp10 == v.exp10 &&
                        back.neg == v.neg && back.special == v.special),
                       "fmt_plain(parse(\"%s\") = %s%llue%d) = \"%s\", which does not parse back to it", text,
                       v.neg ? "-" : "", (unsigned long long)v.digits, (int)v.exp10, buf);
        }
        free(text);
    }
    free(buf);
    return 0;
}
