#include "nope/flag_text.h"

#include "nope/format.h"

nope_msg nope_msg_start(char *buf, size_t cap)
{
    buf[0] = '\0';
    return (nope_msg){buf, 0, cap};
}

static void say_n(nope_msg *m, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i] && m->len < m->cap - 1; i++) {
        unsigned char c = (unsigned char)s[i];
        m->buf[m->len++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    m->buf[m->len] = '\0';
}

void nope_msg_say(nope_msg *m, const char *s)
{
    say_n(m, s, m->cap);
}

void nope_msg_u64(nope_msg *m, uint64_t v)
{
    char num[NOPE_FMT_MAX];
    nope_fmt_u64(num, v);
    nope_msg_say(m, num);
}

void nope_msg_echo(nope_msg *m, const char *typed)
{
    size_t n = 0;
    while (typed[n] && n <= NOPE_FLAG_ECHO_MAX)
        n++;
    if (n == 0)
        nope_msg_say(m, "''");
    say_n(m, typed, NOPE_FLAG_ECHO_MAX);
    if (n > NOPE_FLAG_ECHO_MAX)
        nope_msg_say(m, "...");
}

void nope_msg_about(nope_msg *m, const char *flag, const char *value)
{
    nope_msg_echo(m, flag);
    if (value) {
        nope_msg_say(m, " ");
        nope_msg_echo(m, value);
    }
    nope_msg_say(m, ": ");
}

nope_status nope_flag_refuse(char *err, size_t cap, nope_status status, const char *flag, const char *value,
                             const char *why)
{
    nope_msg m = nope_msg_start(err, cap);
    nope_msg_about(&m, flag, value);
    nope_msg_say(&m, why);
    return status;
}

static void allowed(nope_msg *m, const char *lo, const char *hi)
{
    nope_msg_say(m, "; allowed ");
    nope_msg_say(m, lo);
    nope_msg_say(m, "..");
    nope_msg_say(m, hi);
}

nope_status nope_flag_uint(const char *flag, const char *value, uint64_t lo, uint64_t hi, const char *cap_name,
                           uint64_t *out, char *err, size_t cap)
{
    uint64_t v;
    nope_dec_why why = nope_dec_parse_u64_reason(value, &v);
    if (why == NOPE_DEC_TOO_LARGE)
        v = UINT64_MAX; /* over 2^64-1 is over every range, and says so below */
    else if (why != NOPE_DEC_PARSED)
        v = lo, why = NOPE_DEC_MALFORMED;
    if (why == NOPE_DEC_PARSED && v >= lo && v <= hi) {
        *out = v;
        return NOPE_OK;
    }
    const bool over_cap = why != NOPE_DEC_MALFORMED && v > hi && cap_name;
    nope_msg m = nope_msg_start(err, cap);
    nope_msg_about(&m, flag, value);
    nope_msg_say(&m, why == NOPE_DEC_MALFORMED ? "not a whole number"
                     : over_cap                ? "over this build's capacity "
                                               : "out of range");
    if (over_cap) {
        nope_msg_say(&m, cap_name);
        nope_msg_say(&m, "=");
        nope_msg_u64(&m, hi);
    }
    char lo_text[NOPE_FMT_MAX], hi_text[NOPE_FMT_MAX];
    nope_fmt_u64(lo_text, lo);
    nope_fmt_u64(hi_text, hi);
    allowed(&m, lo_text, hi_text);
    return over_cap ? NOPE_ERR_CAPACITY : NOPE_ERR_ARG;
}

nope_status nope_flag_decimal(const char *flag, const char *value, const char *lo, const char *hi, nope_dec *out,
                              char *err, size_t cap)
{
    nope_dec v, vlo, vhi;
    nope_dec_parse(lo, &vlo);
    nope_dec_parse(hi, &vhi);
    nope_dec_why why = nope_dec_parse_reason(value, &v);
    if (why == NOPE_DEC_PARSED && nope_dec_cmp(&v, &vlo) >= 0 && nope_dec_cmp(&v, &vhi) <= 0) {
        *out = v;
        return NOPE_OK;
    }
    nope_msg m = nope_msg_start(err, cap);
    nope_msg_about(&m, flag, value);
    nope_msg_say(&m, why == NOPE_DEC_PARSED            ? "out of range"
                     : why == NOPE_DEC_TOO_MANY_DIGITS ? "more than 18 significant digits"
                     : why == NOPE_DEC_EXP_RANGE       ? "exponent out of range"
                                                       : "not a decimal number");
    allowed(&m, lo, hi);
    return NOPE_ERR_ARG;
}

bool nope_flag_same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}
