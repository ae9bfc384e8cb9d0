/* The fixed-point mode's summary, in integers only: every number the report prints is an exact
 * rational (mean, theory, c, slope) or the integer square root of one (standard error), turned
 * into a 9-significant-digit decimal by exact long division, rounded half up. The exact sums
 * over trials (nope_moments) are read as unsigned big integers. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_FIXED

#include "nope/decimal.h"
#include "nope/format.h"
#include "nope/math_fixed.h"
#include "nope/stats.h"

/* ---- Unsigned big integers: little-endian uint32 limbs, 512 bits ----
 * Bit budget of the largest value formed: the ratio's sum (2^84) times the theory's
 * denominator (< 2^300 with eps of 18 digits at 1e-12) times 2^64 stays below 2^460.
 * Operations work in place (r op= a) so that a small board's stack holds few of them. */
enum { BIG_LIMBS = 16, REPORT_DIGITS = 9 };
typedef struct {
    uint32_t w[BIG_LIMBS];
} big;

static void big_set_u64(big *r, uint64_t v)
{
    for (unsigned k = 2; k < BIG_LIMBS; k++)
        r->w[k] = 0;
    r->w[0] = (uint32_t)v;
    r->w[1] = (uint32_t)(v >> 32);
}

static void big_set_limbs(big *r, const uint32_t *limbs, unsigned n)
{
    for (unsigned k = 0; k < BIG_LIMBS; k++)
        r->w[k] = k < n ? limbs[k] : 0;
}

static bool big_is_zero(const big *a)
{
    for (unsigned k = 0; k < BIG_LIMBS; k++)
        if (a->w[k] != 0)
            return false;
    return true;
}

static unsigned big_bitlen(const big *a)
{
    for (unsigned k = BIG_LIMBS; k-- > 0;) {
        if (a->w[k] != 0) {
            unsigned n = 0;
            for (uint32_t v = a->w[k]; v != 0; v >>= 1)
                n++;
            return k * 32 + n;
        }
    }
    return 0;
}

static int big_cmp(const big *a, const big *b)
{
    for (unsigned k = BIG_LIMBS; k-- > 0;)
        if (a->w[k] != b->w[k])
            return a->w[k] < b->w[k] ? -1 : 1;
    return 0;
}

static void big_add(big *r, const big *a) /* r += a */
{
    uint64_t carry = 0;
    for (unsigned k = 0; k < BIG_LIMBS; k++) {
        carry += (uint64_t)r->w[k] + a->w[k];
        r->w[k] = (uint32_t)carry;
        carry >>= 32;
    }
}

static void big_sub(big *r, const big *a) /* r -= a, r >= a */
{
    uint64_t borrow = 0;
    for (unsigned k = 0; k < BIG_LIMBS; k++) {
        uint64_t d = (uint64_t)r->w[k] - a->w[k] - borrow;
        r->w[k] = (uint32_t)d;
        borrow = (d >> 32) & 1u;
    }
}

static void big_mul_u32(big *r, uint32_t m) /* r *= m */
{
    uint64_t carry = 0;
    for (unsigned k = 0; k < BIG_LIMBS; k++) {
        carry += (uint64_t)r->w[k] * m;
        r->w[k] = (uint32_t)carry;
        carry >>= 32;
    }
}

/* r *= m for m < 2^64: r m_hi 2^32 + r m_lo, from the top limb down so that each limb is read
 * before it is written. */
static void big_mul_u64(big *r, uint64_t m)
{
    uint64_t lo = (uint32_t)m, hi = m >> 32;
    if (hi == 0) {
        big_mul_u32(r, (uint32_t)lo);
        return;
    }
    big t = *r;
    big_mul_u32(r, (uint32_t)lo);
    big_mul_u32(&t, (uint32_t)hi);
    uint64_t carry = 0;
    for (unsigned k = 1; k < BIG_LIMBS; k++) {
        carry += (uint64_t)r->w[k] + t.w[k - 1];
        r->w[k] = (uint32_t)carry;
        carry >>= 32;
    }
}

static void big_mul(big *r, const big *a, const big *b) /* r = a b < 2^512, r not a or b */
{
    for (unsigned k = 0; k < BIG_LIMBS; k++)
        r->w[k] = 0;
    for (unsigned i = 0; i < BIG_LIMBS; i++) {
        if (a->w[i] == 0)
            continue;
        uint64_t carry = 0;
        for (unsigned j = 0; i + j < BIG_LIMBS; j++) {
            carry += (uint64_t)a->w[i] * b->w[j] + r->w[i + j];
            r->w[i + j] = (uint32_t)carry;
            carry >>= 32;
        }
    }
}

static void big_shl(big *r, unsigned s) /* r <<= s */
{
    unsigned limbs = s / 32, bits = s % 32;
    for (unsigned k = BIG_LIMBS; k-- > 0;) {
        uint32_t v = k >= limbs ? r->w[k - limbs] << bits : 0;
        if (bits != 0 && k > limbs)
            v |= r->w[k - limbs - 1] >> (32 - bits);
        r->w[k] = v;
    }
}

static void big_shr1(big *r) /* r >>= 1 */
{
    for (unsigned k = 0; k < BIG_LIMBS; k++)
        r->w[k] = (r->w[k] >> 1) | (k + 1 < BIG_LIMBS ? r->w[k + 1] << 31 : 0);
}

static void big_mul_pow10(big *r, unsigned p) /* r *= 10^p */
{
    for (; p >= 9; p -= 9)
        big_mul_u32(r, UINT32_C(1000000000));
    uint32_t rest = 1;
    while (p-- > 0)
        rest *= 10;
    big_mul_u32(r, rest);
}

/* q = floor(a / b), b != 0, q not a or b: restoring long division, one bit of a at a time. */
static void big_div(big *q, const big *a, const big *b)
{
    big rem;
    big_set_u64(&rem, 0);
    big_set_u64(q, 0);
    for (unsigned bit = big_bitlen(a); bit-- > 0;) {
        big_shl(&rem, 1);
        rem.w[0] |= (a->w[bit / 32] >> (bit % 32)) & 1u;
        if (big_cmp(&rem, b) >= 0) {
            big_sub(&rem, b);
            q->w[bit / 32] |= UINT32_C(1) << (bit % 32);
        }
    }
}

/* a = floor(sqrt(a)), bit by bit (a is consumed as the remainder). */
static void big_isqrt(big *a)
{
    big res, bit;
    big_set_u64(&res, 0);
    unsigned top = big_bitlen(a);
    if (top == 0)
        return;
    big_set_u64(&bit, 1);
    big_shl(&bit, (top - 1) & ~1u);
    while (!big_is_zero(&bit)) {
        /* if a >= res + bit: a -= res + bit, res = res/2 + bit; else res = res/2 */
        big_add(&res, &bit);
        bool take = big_cmp(a, &res) >= 0;
        if (take)
            big_sub(a, &res);
        big_sub(&res, &bit);
        big_shr1(&res);
        if (take)
            big_add(&res, &bit);
        big_shr1(&bit);
        big_shr1(&bit);
    }
    *a = res;
}

static uint64_t big_low_u64(const big *a)
{
    return (uint64_t)a->w[1] << 32 | a->w[0];
}

/* ---- Rationals to decimals ---- */

static nope_dec dec_nan(void)
{
    nope_dec v = nope_dec_make(0, 0, false);
    v.special = NOPE_DEC_NAN;
    return v;
}

/* The 9-significant-digit decimal nearest a / b (ties up), negated when neg. */
static nope_dec dec_from_ratio(const big *a, const big *b, bool neg)
{
    if (big_is_zero(a))
        return nope_dec_make(0, 0, false);
    if (big_is_zero(b))
        return dec_nan();
    /* a / b is in [2^(la-lb-1), 2^(la-lb+1)): start from that decade, then step until the
     * rounded digits land in [10^8, 10^9). 78913 / 2^18 is log10(2) to 6 digits. */
    int32_t l2 = (int32_t)big_bitlen(a) - (int32_t)big_bitlen(b);
    int32_t p = (int32_t)nope_fx_floor_shr((int64_t)l2 * 78913, 18) - (REPORT_DIGITS - 1);
    for (;;) {
        /* round(a 10^-p / b) = floor((2 num + den) / (2 den)), num = a 10^max(-p,0) and
         * den = b 10^max(p,0) */
        big num = *a, den = *b, q;
        big_mul_pow10(p < 0 ? &num : &den, (unsigned)(p < 0 ? -p : p));
        big_shl(&num, 1);
        big_add(&num, &den);
        big_shl(&den, 1);
        big_div(&q, &num, &den);
        uint64_t digits = big_bitlen(&q) > 62 ? UINT64_MAX : big_low_u64(&q);
        if (digits >= UINT64_C(1000000000))
            p++;
        else if (digits < UINT64_C(100000000))
            p--;
        else
            return nope_dec_make(digits, p, neg);
    }
}

/* ---- Means and standard errors ---- */

static void sum_of(big *r, const nope_moments *m)
{
    const uint32_t limbs[3] = {m->sum[0], m->sum[1], m->sum[2] & NOPE_FX_SUM_TOP_MASK};
    big_set_limbs(r, limbs, 3);
}

static void sum_sq_of(big *r, const nope_moments *m)
{
    big_set_limbs(r, m->sq, 2);
    big_shl(r, m->sum[2] >> NOPE_FX_SQ_EXP_SHIFT);
}

/* T 2^(2F): the denominator that turns a sum of Q(2F) statistics into their mean. */
static void mean_den(big *r, uint32_t trials)
{
    big_set_u64(r, trials);
    big_shl(r, NOPE_FX_STAT_FRAC);
}

static nope_dec mean_of(const nope_moments *m, uint32_t trials)
{
    big s, den;
    sum_of(&s, m);
    mean_den(&den, trials);
    return dec_from_ratio(&s, &den, false);
}

/* SE = the root of (sample variance / T) = root of ((T sum_sq - sum^2) / (T^2 (T-1))) / 2^(2F): the
 * numerator in exact integers from the sums as held (sum_sq to 64 significant bits: a
 * negative numerator, possible only through that rounding when all values are equal, is 0),
 * the square root of the quotient scaled by 2^(2j) so that it carries about 64 bits. */
static nope_dec se_of(const nope_moments *m, uint32_t trials)
{
    big a, b, c;
    sum_of(&a, m);
    big_mul(&b, &a, &a); /* b = sum^2 */
    sum_sq_of(&a, m);
    big_mul_u32(&a, trials); /* a = T sum_sq */
    if (big_cmp(&a, &b) <= 0)
        return nope_dec_make(0, 0, false);
    big_sub(&a, &b); /* a = T sum_sq - sum^2 */
    big_set_u64(&b, (uint64_t)trials * trials);
    big_mul_u32(&b, trials - 1); /* b = T^2 (T-1) */
    int32_t gap = 128 - ((int32_t)big_bitlen(&a) - (int32_t)big_bitlen(&b));
    unsigned j = gap > 0 ? (unsigned)(gap + 1) / 2 : 0;
    big_shl(&a, 2 * j);
    big_div(&c, &a, &b);
    big_isqrt(&c);
    big_set_u64(&b, 1);
    big_shl(&b, j + NOPE_FX_STAT_FRAC);
    return dec_from_ratio(&c, &b, false);
}

/* ---- Layer 1's theory, as an exact rational ---- */

/* c = v / (v + eps), v = s^2 (d-1)/d with s = s_q 2^-24 and eps = e_d 10^e_x:
 * c = s_q^2 (d-1) P / (s_q^2 (d-1) P + e_d Q d 2^48), P = 10^max(-e_x, 0), Q = 10^max(e_x, 0). */
static void theory_c(const nope_config *cfg, big *num, big *den)
{
    uint32_t s_q = cfg->input == NOPE_INPUT_TOKENS ? cfg->sigma_q : cfg->sigma_in_q;
    big_set_u64(num, s_q);
    big_mul_u32(num, s_q);
    big_mul_u32(num, cfg->d - 1);
    big_mul_pow10(num, cfg->eps.exp10 < 0 ? (unsigned)-cfg->eps.exp10 : 0);
    big_set_u64(den, cfg->eps.digits);
    big_mul_pow10(den, cfg->eps.exp10 > 0 ? (unsigned)cfg->eps.exp10 : 0);
    big_mul_u32(den, cfg->d);
    big_shl(den, 2 * NOPE_SCALE_FRAC_BITS);
    big_add(den, num);
}

/* d^2 sigma^4 c / m, times (V + m - 1) / V with token inputs; sigma = sigma_q 2^-24. */
static void theory_at(const nope_config *cfg, uint32_t pos, big *num, big *den)
{
    uint32_t m = pos + 1;
    theory_c(cfg, num, den);
    big_mul_u32(num, cfg->d);
    big_mul_u32(num, cfg->d);
    for (int k = 0; k < 4; k++)
        big_mul_u32(num, cfg->sigma_q);
    big_shl(den, 4 * NOPE_SCALE_FRAC_BITS);
    big_mul_u32(den, m);
    if (cfg->input == NOPE_INPUT_TOKENS) {
        big_mul_u64(num, (uint64_t)cfg->vocab + m - 1);
        big_mul_u32(den, cfg->vocab);
    }
}

void nope_summary_row_get(const nope_config *cfg, uint32_t layer, uint32_t pos, nope_summary_row *row)
{
    const nope_moments *attn = nope_stats_attn(layer, pos);
    const nope_moments *hid = nope_stats_hid(layer, pos);
    row->attn_var = mean_of(attn, cfg->trials);
    row->attn_se = se_of(attn, cfg->trials);
    row->attn_theory = nope_dec_make(0, 0, false);
    if (nope_summary_has_theory(layer)) {
        big num, den;
        theory_at(cfg, pos, &num, &den);
        row->attn_theory = dec_from_ratio(&num, &den, false);
    }
    row->hid_var = mean_of(hid, cfg->trials);
    row->hid_se = se_of(hid, cfg->trials);
}

nope_dec nope_summary_theory_c(const nope_config *cfg)
{
    big num, den;
    theory_c(cfg, &num, &den);
    return dec_from_ratio(&num, &den, false);
}

/* ---- Slopes ---- */

/* log2 of a sum over trials (>= 1) in Q30, from its top 64 bits (sum < 2^88). */
static int64_t sum_log2_q30(const nope_moments *m)
{
    uint64_t top = m->sum[2] & NOPE_FX_SUM_TOP_MASK;
    uint64_t low = (uint64_t)m->sum[1] << 32 | m->sum[0];
    if (top == 0)
        return nope_fx_log2_q30(low);
    unsigned drop = 0;
    while ((top >> drop) != 0)
        drop++;
    uint64_t x = (top << (64 - drop)) | (low >> drop);
    return nope_fx_log2_q30(x) + (int64_t)drop * ((int64_t)1 << 30);
}

static bool sum_is_zero(const nope_moments *m)
{
    return m->sum[0] == 0 && m->sum[1] == 0 && (m->sum[2] & NOPE_FX_SUM_TOP_MASK) == 0;
}

/* A signed sum kept exact as hi 2^32 + lo (lo unsigned), for products up to 2^63. */
typedef struct {
    int64_t hi;
    uint64_t lo;
} wide_sum;

static void wide_add(wide_sum *s, int64_t prod)
{
    s->hi += nope_fx_floor_shr(prod, 32);
    s->lo += (uint64_t)prod & UINT32_MAX;
}

/* r = |s|, and its sign. */
static void wide_abs(big *r, const wide_sum *s, bool *neg)
{
    /* Normalise lo into [0, 2^32) first so the value is hi 2^32 + lo exactly. */
    int64_t hi = s->hi + (int64_t)(s->lo >> 32);
    uint64_t lo = s->lo & UINT32_MAX;
    *neg = hi < 0;
    if (*neg) {
        /* |hi 2^32 + lo| = (-hi - 1) 2^32 + (2^32 - lo), with lo = 0 carried back */
        uint64_t mag_hi = (uint64_t)(-(hi + 1)), mag_lo = (UINT64_C(1) << 32) - lo;
        big_set_u64(r, mag_hi);
        big_shl(r, 32);
        big b;
        big_set_u64(&b, mag_lo);
        big_add(r, &b);
        return;
    }
    big_set_u64(r, (uint64_t)hi);
    big_shl(r, 32);
    r->w[0] = (uint32_t)lo; /* the low limb is 0 after the shift */
}

/* Least squares of log2(mean variance) on log2(position): the same slope as with natural
 * logarithms (both axes scale alike), and log2 of the sum differs from log2 of the mean by a
 * constant, which the slope ignores. Logs in Q26 (|dx| <= 16, |dy| <= 88: products < 2^63). */
static nope_dec slope_of(const nope_config *cfg, uint32_t layer, bool attn)
{
    enum { LOG_FRAC = 26 };
    int64_t sx = 0, sy = 0;
    for (uint32_t p = 0; p < cfg->seq; p++) {
        const nope_moments *m = attn ? nope_stats_attn(layer, p) : nope_stats_hid(layer, p);
        if (sum_is_zero(m))
            return dec_nan(); /* the log of a zero mean: no slope, as in float */
        sx += nope_fx_round_shr(nope_fx_log2_q30(p + 1), 30 - LOG_FRAC);
        sy += nope_fx_round_shr(sum_log2_q30(m), 30 - LOG_FRAC);
    }
    int64_t mx = nope_fx_div_round(sx, cfg->seq), my = nope_fx_div_round(sy, cfg->seq);
    wide_sum sxy = {0, 0}, sxx = {0, 0};
    for (uint32_t p = 0; p < cfg->seq; p++) {
        const nope_moments *m = attn ? nope_stats_attn(layer, p) : nope_stats_hid(layer, p);
        int64_t dx = nope_fx_round_shr(nope_fx_log2_q30(p + 1), 30 - LOG_FRAC) - mx;
        int64_t dy = nope_fx_round_shr(sum_log2_q30(m), 30 - LOG_FRAC) - my;
        wide_add(&sxy, dx * dy);
        wide_add(&sxx, dx * dx);
    }
    bool neg, neg_xx;
    big num, den;
    wide_abs(&num, &sxy, &neg);
    wide_abs(&den, &sxx, &neg_xx);
    return dec_from_ratio(&num, &den, neg);
}

void nope_summary_slopes(const nope_config *cfg, uint32_t layer, nope_dec *attn, nope_dec *hid)
{
    *attn = slope_of(cfg, layer, true);
    *hid = slope_of(cfg, layer, false);
}

/* ---- Notes and the ratio ---- */

static size_t put_text(char *buf, size_t at, const char *s)
{
    while (*s)
        buf[at++] = *s++;
    buf[at] = '\0';
    return at;
}

bool nope_summary_note(const nope_config *cfg, uint32_t k, char *buf)
{
    (void)cfg;
    if (k == 0) {
        char num[NOPE_FMT_MAX];
        nope_fmt_u64(num, nope_fx_saturations());
        put_text(buf, put_text(buf, 0, "saturations="), num);
        return true;
    }
    if (k == 1) {
        char num[NOPE_FMT_MAX];
        nope_fmt_u64(num, NOPE_FX_STAT_FRAC);
        size_t at = put_text(buf, 0, "fixed activations=int32-q" NOPE_FX_STR(NOPE_Q_FRAC)
                                     " weights=int32-q20 statistic=uint64-q");
        put_text(buf, put_text(buf, at, num), " rounding=nearest-ties-up overflow=saturate");
        return true;
    }
    return false;
}

/* Mean over positions of mean / theory: each ratio to 64 fraction bits (floor), then their
 * exact sum over seq 2^64. mean / theory = sum tden / (T 2^(2F) tnum). */
nope_dec nope_summary_ratio(const nope_config *cfg)
{
    big acc, tnum, tden, s, t;
    big_set_u64(&acc, 0);
    for (uint32_t p = 0; p < cfg->seq; p++) {
        theory_at(cfg, p, &tnum, &tden);
        big_mul_u32(&tnum, cfg->trials);
        big_shl(&tnum, NOPE_FX_STAT_FRAC); /* T 2^(2F) tnum */
        sum_of(&s, nope_stats_attn(0, p));
        big_mul(&t, &s, &tden);
        big_shl(&t, 64); /* sum tden 2^64 */
        big_div(&s, &t, &tnum);
        big_add(&acc, &s);
    }
    big_set_u64(&t, cfg->seq);
    big_shl(&t, 64);
    return dec_from_ratio(&acc, &t, false);
}

#endif
