/* The float32 mode's sums over trials, exact (nope/num_f32.h): each sum is an integer of words
 * times 2^exp. A double added is odd * 2^e; exp is the least such e so far, which does not
 * depend on the order of the terms, and neither does the integer: any order, any split into
 * shards and any order of merging them give the same words. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32

#include <float.h>

#include "nope/format.h"
#include "nope/num.h"
#include "nope/wide.h"

#define MAX_WORDS NOPE_F32_SQ_WORDS
_Static_assert(NOPE_F32_SUM_WORDS <= MAX_WORDS, "the largest sum is the square's");

static uint64_t inexact_count;

const char *nope_num_counter_name(unsigned k)
{
    return k == 0 ? "inexact" : NULL;
}

uint64_t nope_num_counter(unsigned k)
{
    return k == 0 ? inexact_count : 0;
}

void nope_num_counter_add(unsigned k, uint64_t v)
{
    if (k == 0)
        inexact_count += v;
}

void nope_num_counters_reset(void)
{
    inexact_count = 0;
}

/* dst (n words) = floor(src 2^(src_exp - exp)); false when that needs more than n words. */
static bool place(uint32_t *dst, unsigned n, const uint32_t *src, unsigned src_n, int src_exp, int exp)
{
    nope_words_clear(dst, n);
    if (src_exp >= exp)
        return nope_words_add_shifted(dst, n, src, src_n, (unsigned)(src_exp - exp));
    if (exp - src_exp >= 32 * (int)src_n)
        return true; /* every bit drops */
    uint32_t low[MAX_WORDS];
    for (unsigned k = 0; k < MAX_WORDS; k++)
        low[k] = k < src_n ? src[k] : 0;
    nope_words_shr(low, MAX_WORDS, (unsigned)(exp - src_exp));
    return nope_words_add_shifted(dst, n, low, MAX_WORDS, 0);
}

/* (w, *exp) += (t, t_exp): exactly when both fit in n words at the lower exponent; otherwise at
 * the lowest exponent where they do, the bits below it dropped, and counted. */
static void exact_add(int16_t *exp, uint32_t *w, unsigned n, const uint32_t *t, unsigned t_n, int t_exp)
{
    if (*exp == NOPE_F32_SUM_NAN || nope_words_bitlen(t, t_n) == 0)
        return;
    unsigned w_len = nope_words_bitlen(w, n);
    /* The common case: the term at or above the running exponent, and room for the sum. This is
     * what the general path below does then (w placed at its own exponent is w). */
    if (w_len != 0 && t_exp >= *exp && nope_words_add_shifted(w, n, t, t_n, (unsigned)(t_exp - *exp)))
        return;
    int lo = w_len == 0 || t_exp < *exp ? t_exp : *exp;
    uint32_t sum[MAX_WORDS];
    if (place(sum, n, w, n, *exp, lo) && nope_words_add_shifted(sum, n, t, t_n, (unsigned)(t_exp - lo))) {
        for (unsigned k = 0; k < n; k++)
            w[k] = sum[k];
        *exp = (int16_t)lo;
        return;
    }
    inexact_count++;
    int t_top = t_exp + (int)nope_words_bitlen(t, t_n), w_top = *exp + (int)w_len;
    int e = (t_top > w_top ? t_top : w_top) + 2 - 32 * (int)n; /* room for both and the carry */
    uint32_t t_at_e[MAX_WORDS];
    place(sum, n, w, n, *exp, e);
    place(t_at_e, n, t, t_n, t_exp, e);
    nope_words_add_shifted(sum, n, t_at_e, n, 0);
    for (unsigned k = 0; k < n; k++)
        w[k] = sum[k];
    *exp = (int16_t)e;
}

/* nope_words_add_shifted(w, n, {odd, odd >> 32}, 2, s), odd != 0, inline: the same test for
 * room and the same sum, with the term's (at most three) shifted words made at once. This is
 * the common case of every trial's moments (a term at or above the running exponent), twice per
 * row and layer. */
static inline bool add_odd_shifted(uint32_t *w, unsigned n, uint64_t odd, unsigned s)
{
    if (s >= 32 * n || nope_bitlen64(odd) + s >= 32 * n || (w[n - 1] >> 31) != 0)
        return false; /* the sum could carry out of the top word */
    unsigned k = s / 32, bits = s % 32;
    const uint32_t part[3] = {(uint32_t)(odd << bits), (uint32_t)((odd << bits) >> 32),
                              bits > 0 ? (uint32_t)(odd >> (64 - bits)) : 0};
    uint64_t carry = 0;
    for (unsigned j = 0; j < 3 && k < n; j++, k++) {
        carry += (uint64_t)w[k] + part[j];
        w[k] = (uint32_t)carry;
        carry >>= 32;
    }
    for (; carry != 0 && k < n; k++) {
        carry += w[k];
        w[k] = (uint32_t)carry;
        carry >>= 32;
    }
    return true;
}

static bool words_zero(const uint32_t *w, unsigned n)
{
    uint32_t any = 0;
    for (unsigned k = 0; k < n; k++)
        any |= w[k];
    return any == 0;
}

/* v > 0 finite as odd * 2^e, added. */
static void add_double(int16_t *exp, uint32_t *w, unsigned n, double v)
{
    union {
        double d;
        uint64_t u;
    } bits = {v};
    uint64_t frac = bits.u & ((UINT64_C(1) << 52) - 1);
    int biased = (int)((bits.u >> 52) & 0x7ff);
    uint64_t odd = biased == 0 ? frac : frac | UINT64_C(1) << 52;
    int e = (biased == 0 ? 1 : biased) - 1075;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__aarch64__))
    /* One instruction for the trailing zeros on a host (odd != 0: v > 0). */
    unsigned zeros = (unsigned)__builtin_ctzll(odd);
    odd >>= zeros;
    e += (int)zeros;
#else
    while ((odd & 1) == 0) {
        odd >>= 1;
        e++;
    }
#endif
    /* exact_add's first path, without its calls (its result when this one returns). */
    if (*exp != NOPE_F32_SUM_NAN && e >= *exp && !words_zero(w, n) && add_odd_shifted(w, n, odd, (unsigned)(e - *exp)))
        return;
    const uint32_t t[2] = {(uint32_t)odd, (uint32_t)(odd >> 32)};
    exact_add(exp, w, n, t, 2, e);
}

static bool finite(double v)
{
    return v == v && v <= DBL_MAX && v >= -DBL_MAX;
}

/* A NaN sum has no words: one form, whatever was added before. */
static void set_nan(int16_t *exp, uint32_t *w, unsigned n)
{
    *exp = NOPE_F32_SUM_NAN;
    nope_words_clear(w, n);
}

void nope_moments_add(nope_moments *m, nope_acc_t v)
{
    double sq = v * v;
    if (!finite(v))
        set_nan(&m->sum_exp, m->sum, NOPE_F32_SUM_WORDS);
    else if (v > 0.0)
        add_double(&m->sum_exp, m->sum, NOPE_F32_SUM_WORDS, v);
    if (!finite(sq))
        set_nan(&m->sq_exp, m->sq, NOPE_F32_SQ_WORDS);
    else if (sq > 0.0)
        add_double(&m->sq_exp, m->sq, NOPE_F32_SQ_WORDS, sq);
}

static void merge_sum(int16_t *exp, uint32_t *w, unsigned n, int16_t from_exp, const uint32_t *from)
{
    if (from_exp == NOPE_F32_SUM_NAN)
        set_nan(exp, w, n);
    else
        exact_add(exp, w, n, from, n, from_exp);
}

bool nope_moments_merge(nope_moments *into, const nope_moments *from)
{
    merge_sum(&into->sum_exp, into->sum, NOPE_F32_SUM_WORDS, from->sum_exp, from->sum);
    merge_sum(&into->sq_exp, into->sq, NOPE_F32_SQ_WORDS, from->sq_exp, from->sq);
    return true; /* what would not fit is rounded and counted, as when adding trials */
}

/* 2^e as a factor, exactly (|e| <= 60). */
static double pow2(int e)
{
    double p = (double)(UINT64_C(1) << (e < 0 ? -e : e));
    return e < 0 ? 1.0 / p : p;
}

/* The sum rounded to the nearest double, ties to even. */
static double value_of(int16_t exp, const uint32_t *w, unsigned n)
{
    if (exp == NOPE_F32_SUM_NAN)
        return 0.0 / 0.0;
    unsigned len = nope_words_bitlen(w, n);
    uint32_t top[MAX_WORDS];
    for (unsigned k = 0; k < n; k++)
        top[k] = w[k];
    int e = exp;
    bool round_up = false;
    if (len > 53) {
        unsigned drop = len - 53;
        bool half = (w[(drop - 1) / 32] >> ((drop - 1) % 32)) & 1;
        bool below = false;
        for (unsigned b = 0; b + 1 < drop && !below; b++)
            below = (w[b / 32] >> (b % 32)) & 1;
        nope_words_shr(top, n, drop);
        round_up = half && (below || (top[0] & 1));
        e += (int)drop;
    }
    double x = (double)((uint64_t)top[1] << 32 | top[0]) + (round_up ? 1.0 : 0.0);
    for (; e > 60; e -= 60)
        x *= pow2(60);
    for (; e < -60; e += 60)
        x *= pow2(-60);
    return x * pow2(e);
}

double nope_f32_moments_sum(const nope_moments *m)
{
    return value_of(m->sum_exp, m->sum, NOPE_F32_SUM_WORDS);
}

double nope_f32_moments_sum_sq(const nope_moments *m)
{
    return value_of(m->sq_exp, m->sq, NOPE_F32_SQ_WORDS);
}

/* ---- Text: "<exp>:<hex>" per sum, the exponent 0 for a zero sum and "nan" for NaN ---- */

static size_t sum_text(char *buf, int16_t exp, const uint32_t *w, unsigned n)
{
    if (exp == NOPE_F32_SUM_NAN)
        return nope_fmt_append(buf, 0, "nan:0");
    size_t at = 0;
    bool zero = nope_words_bitlen(w, n) == 0;
    if (exp < 0 && !zero)
        buf[at++] = '-';
    at += nope_fmt_u64(buf + at, zero ? 0 : (uint64_t)(exp < 0 ? -exp : exp));
    buf[at++] = ':';
    return at + nope_words_to_hex(buf + at, w, n);
}

size_t nope_moments_text(char *buf, const nope_moments *m)
{
    size_t at = sum_text(buf, m->sum_exp, m->sum, NOPE_F32_SUM_WORDS);
    buf[at++] = ':';
    return at + sum_text(buf + at, m->sq_exp, m->sq, NOPE_F32_SQ_WORDS);
}

/* One "<exp>:<hex>" from text[*at..len), *at moved past it and its ':' separator if any. */
static bool sum_from_text(int16_t *exp, uint32_t *w, unsigned n, const char *text, size_t len, size_t *at)
{
    size_t i = *at, end = *at;
    while (end < len && text[end] != ':')
        end++;
    size_t hex = end + 1, hex_end = hex;
    while (hex_end < len && text[hex_end] != ':')
        hex_end++;
    if (end >= len || !nope_words_from_hex(w, n, text + hex, hex_end - hex))
        return false;
    *at = hex_end < len ? hex_end + 1 : hex_end;
    bool zero = nope_words_bitlen(w, n) == 0;
    if (end - i == 3 && text[i] == 'n' && text[i + 1] == 'a' && text[i + 2] == 'n') {
        *exp = NOPE_F32_SUM_NAN;
        return zero;
    }
    bool neg = i < end && text[i] == '-';
    i += neg;
    if (i == end || end - i > 5 || (text[i] == '0' && end - i > 1))
        return false;
    int32_t mag = 0;
    for (; i < end; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        mag = mag * 10 + (text[i] - '0');
    }
    if (mag > 2000 || (neg && mag == 0) || (zero && mag != 0))
        return false; /* beyond any double's bits, or not as written */
    *exp = (int16_t)(neg ? -mag : mag);
    return true;
}

bool nope_moments_from_text(nope_moments *m, const char *text, size_t len)
{
    size_t at = 0;
    return sum_from_text(&m->sum_exp, m->sum, NOPE_F32_SUM_WORDS, text, len, &at) && at < len &&
           sum_from_text(&m->sq_exp, m->sq, NOPE_F32_SQ_WORDS, text, len, &at) && at == len && text[len - 1] != ':';
}

#endif
