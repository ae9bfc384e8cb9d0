/* The fixed-point mode's summary, in integers only: every number the report prints is an exact
 * rational (mean, theory, c, slope) or the integer square root of one (standard error), turned
 * into the report's decimal by exact long division (nope_dec_from_ratio). The exact sums over
 * trials (nope_moments) are read as big integers (nope/wide.h). Bit budget of the largest value
 * formed: the ratio's sum (2^84) times the theory's denominator (< 2^300 with eps of 18 digits
 * at 1e-12; theory2's, c's times 2^136, is below 2^306) times 2^64 stays below 2^460, inside
 * nope_big's 512 bits. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_FIXED

#include "nope/decimal.h"
#include "nope/format.h"
#include "nope/math_fixed.h"
#include "nope/summary.h"
#include "nope/theory2.h"
#include "nope/wide.h"

/* ---- Means and standard errors ---- */

static void sum_of(nope_big *r, const nope_moments *m)
{
    nope_big_set_words(r, m->sum, NOPE_FX_SUM_WORDS);
}

static void sum_sq_of(nope_big *r, const nope_moments *m)
{
    nope_big_set_words(r, m->sq, NOPE_FX_SQ_WORDS);
}

/* T 2^(2F): the denominator that turns a sum of Q(2F) statistics into their mean. */
static void mean_den(nope_big *r, uint32_t trials)
{
    nope_big_set_u64(r, trials);
    nope_big_shl(r, NOPE_FX_STAT_FRAC);
}

static nope_dec mean_of(const nope_moments *m, uint32_t trials)
{
    nope_big s, den;
    sum_of(&s, m);
    mean_den(&den, trials);
    return nope_dec_from_ratio(&s, &den, false);
}

/* SE = the root of (sample variance / T) = root of ((T sum_sq - sum^2) / (T^2 (T-1))) / 2^(2F): the
 * numerator in exact integers from the exact sums (never negative; 0 when all values are
 * equal), the square root of the quotient scaled by 2^(2j) so that it carries about 64 bits. */
static nope_dec se_of(const nope_moments *m, uint32_t trials)
{
    nope_big a, b, c;
    sum_of(&a, m);
    nope_big_mul(&b, &a, &a); /* b = sum^2 */
    sum_sq_of(&a, m);
    nope_big_mul_u32(&a, trials); /* a = T sum_sq */
    if (nope_big_cmp(&a, &b) <= 0)
        return nope_dec_make(0, 0, false);
    nope_big_sub(&a, &b); /* a = T sum_sq - sum^2 */
    nope_big_set_u64(&b, (uint64_t)trials * trials);
    nope_big_mul_u32(&b, trials - 1); /* b = T^2 (T-1) */
    int32_t gap = 128 - ((int32_t)nope_big_bitlen(&a) - (int32_t)nope_big_bitlen(&b));
    unsigned j = gap > 0 ? (unsigned)(gap + 1) / 2 : 0;
    nope_big_shl(&a, 2 * j);
    nope_big_div(&c, &a, &b);
    nope_big_isqrt(&c);
    nope_big_set_u64(&b, 1);
    nope_big_shl(&b, j + NOPE_FX_STAT_FRAC);
    return nope_dec_from_ratio(&c, &b, false);
}

/* ---- Layer 1's theory, as an exact rational ---- */

/* c = v / (v + eps), v = s^2 (d-1)/d with s = s_q 2^-24 and eps = e_d 10^e_x:
 * c = s_q^2 (d-1) P / (s_q^2 (d-1) P + e_d Q d 2^48), P = 10^max(-e_x, 0), Q = 10^max(e_x, 0). */
static void theory_c(const nope_config *cfg, nope_big *num, nope_big *den)
{
    uint32_t s_q = nope_config_input_scale_q(cfg);
    nope_big_set_u64(num, s_q);
    nope_big_mul_u32(num, s_q);
    nope_big_mul_u32(num, cfg->d - 1);
    nope_big_mul_pow10(num, cfg->eps.exp10 < 0 ? (unsigned)-cfg->eps.exp10 : 0);
    nope_big_set_u64(den, cfg->eps.digits);
    nope_big_mul_pow10(den, cfg->eps.exp10 > 0 ? (unsigned)cfg->eps.exp10 : 0);
    nope_big_mul_u32(den, cfg->d);
    nope_big_shl(den, 2 * NOPE_SCALE_FRAC_BITS);
    nope_big_add(den, num);
}

/* d^2 sigma^4 c / m, times (V + m - 1) / V with token inputs; sigma = sigma_q 2^-24. */
static void theory_at(const nope_config *cfg, uint32_t pos, nope_big *num, nope_big *den)
{
    uint32_t m = pos + 1;
    theory_c(cfg, num, den);
    nope_big_mul_u32(num, cfg->d);
    nope_big_mul_u32(num, cfg->d);
    for (int k = 0; k < 4; k++)
        nope_big_mul_u32(num, cfg->sigma_q);
    nope_big_shl(den, 4 * NOPE_SCALE_FRAC_BITS);
    nope_big_mul_u32(den, m);
    switch (cfg->input) {
    case NOPE_INPUT_GAUSSIAN: break;
    case NOPE_INPUT_TOKENS:
        nope_big_mul_u64(num, (uint64_t)cfg->vocab + m - 1);
        nope_big_mul_u32(den, cfg->vocab);
        break;
    }
}

/* c as Q40, rounded: (num 2^41 + den) / (2 den). */
static int64_t theory_c_q40(const nope_config *cfg)
{
    nope_big num, den, q;
    theory_c(cfg, &num, &den);
    nope_big_shl(&num, NOPE_THEORY2_FRAC + 1);
    nope_big_add(&num, &den);
    nope_big_shl(&den, 1);
    nope_big_div(&q, &num, &den);
    return (int64_t)nope_big_low_u64(&q);
}

/* d^2 sigma^4 c G(m) = c d^2 sigma_q^4 G_q40 / 2^(96 + 40). */
static void theory2_at(const nope_config *cfg, uint32_t pos, nope_big *num, nope_big *den)
{
    uint64_t g = (uint64_t)nope_theory2_g_q40(cfg, theory_c_q40(cfg), pos);
    theory_c(cfg, num, den);
    nope_big_mul_u32(num, cfg->d);
    nope_big_mul_u32(num, cfg->d);
    for (int k = 0; k < 4; k++)
        nope_big_mul_u32(num, cfg->sigma_q);
    nope_big_mul_u64(num, g);
    nope_big_shl(den, 4 * NOPE_SCALE_FRAC_BITS + NOPE_THEORY2_FRAC);
}

bool nope_summary_theory2_defined(const nope_config *cfg)
{
    return nope_theory2_defined(cfg, theory_c_q40(cfg));
}

nope_dec nope_summary_theory2_scale(const nope_config *cfg)
{
    nope_big num, den;
    nope_big_set_u64(&num, (uint64_t)nope_theory2_scale_q40(cfg, theory_c_q40(cfg)));
    nope_big_set_u64(&den, 1);
    nope_big_shl(&den, NOPE_THEORY2_FRAC);
    return nope_dec_from_ratio(&num, &den, false);
}

void nope_summary_mean_se(const nope_moments *m, uint32_t trials, nope_dec *mean, nope_dec *se)
{
    *mean = mean_of(m, trials);
    *se = se_of(m, trials);
}

void nope_summary_row_get(const nope_config *cfg, uint32_t layer, uint32_t pos, nope_summary_row *row)
{
    for (int s = 0; s < NOPE_STAT_COUNT; s++) {
        const nope_moments *m = nope_stats_get((nope_stat)s, layer, pos);
        row->var[s] = mean_of(m, cfg->trials);
        row->se[s] = se_of(m, cfg->trials);
    }
    row->attn_theory = nope_dec_make(0, 0, false);
    if (nope_summary_has_theory(layer)) {
        nope_big num, den;
        theory_at(cfg, pos, &num, &den);
        row->attn_theory = nope_dec_from_ratio(&num, &den, false);
    }
    row->attn_theory2 = nope_dec_nan();
    if (nope_summary_has_theory(layer) && nope_summary_theory2_defined(cfg)) {
        nope_big num, den;
        theory2_at(cfg, pos, &num, &den);
        row->attn_theory2 = nope_dec_from_ratio(&num, &den, false);
    }
}

nope_dec nope_summary_theory_c(const nope_config *cfg)
{
    nope_big num, den;
    theory_c(cfg, &num, &den);
    return nope_dec_from_ratio(&num, &den, false);
}

/* ---- Slopes ---- */

/* log2 of a sum over trials (>= 1) in Q30, from its top 64 bits (sum < 2^88). */
static int64_t sum_log2_q30(const nope_moments *m)
{
    nope_u128 sum = nope_fx_moments_sum(m);
    unsigned drop = nope_bitlen64(sum.hi);
    return nope_fx_log2_q30(nope_u128_shr(sum, drop).lo) + (int64_t)drop * ((int64_t)1 << 30);
}

static bool sum_is_zero(const nope_moments *m)
{
    nope_u128 sum = nope_fx_moments_sum(m);
    return sum.hi == 0 && sum.lo == 0;
}

/* Least squares of log2(mean variance) on log2(position): the same slope as with natural
 * logarithms (both axes scale alike), and log2 of the sum differs from log2 of the mean by a
 * constant, which the slope ignores. Logs in Q26 (|dx| <= 16, |dy| <= 88: products < 2^63). */
nope_dec nope_summary_slope(const nope_config *cfg, uint32_t layer, nope_stat stat)
{
    enum { LOG_FRAC = 26 };
    int64_t sx = 0, sy = 0;
    for (uint32_t p = 0; p < cfg->seq; p++) {
        const nope_moments *m = nope_stats_get(stat, layer, p);
        if (sum_is_zero(m))
            return nope_dec_nan(); /* the log of a zero mean: no slope, as in float */
        sx += nope_fx_round_shr(nope_fx_log2_q30(p + 1), 30 - LOG_FRAC);
        sy += nope_fx_round_shr(sum_log2_q30(m), 30 - LOG_FRAC);
    }
    int64_t mx = nope_fx_div_round(sx, cfg->seq), my = nope_fx_div_round(sy, cfg->seq);
    nope_wide_sum sxy = {0, 0}, sxx = {0, 0};
    for (uint32_t p = 0; p < cfg->seq; p++) {
        const nope_moments *m = nope_stats_get(stat, layer, p);
        int64_t dx = nope_fx_round_shr(nope_fx_log2_q30(p + 1), 30 - LOG_FRAC) - mx;
        int64_t dy = nope_fx_round_shr(sum_log2_q30(m), 30 - LOG_FRAC) - my;
        nope_wide_sum_add(&sxy, dx * dy);
        nope_wide_sum_add(&sxx, dx * dx);
    }
    bool neg, neg_xx;
    nope_big num, den;
    nope_big_set_u128(&num, nope_wide_sum_abs(sxy, &neg));
    nope_big_set_u128(&den, nope_wide_sum_abs(sxx, &neg_xx));
    return nope_dec_from_ratio(&num, &den, neg);
}

/* ---- Notes and the ratio ---- */

/* The note on the formats, and why an underflow matters, with this build's fraction bits. */
#define Q_FRAC_TEXT NOPE_FX_STR(NOPE_Q_FRAC)
#define FORMATS_NOTE "fixed activations=int32-q" Q_FRAC_TEXT " weights=int32-q20 statistic=uint64-q"
#define UNDERFLOW_WHY                                                                                     \
    ": per-trial variances with rms under 2^11 steps of 2^-" Q_FRAC_TEXT " may be off by more than 2^-11" \
    " (use NUM=f32 or a larger sigma)"

bool nope_summary_note(const nope_config *cfg, uint32_t k, char *buf)
{
    (void)cfg;
    if (k == 0) {
        char num[NOPE_FMT_MAX];
        nope_fmt_u64(num, nope_fx_saturations());
        nope_fmt_append(buf, nope_fmt_append(buf, 0, "saturations="), num);
        return true;
    }
    if (k == 1) {
        char num[NOPE_FMT_MAX];
        nope_fmt_u64(num, nope_fx_underflows());
        nope_fmt_append(buf, nope_fmt_append(buf, 0, "underflows="), num);
        return true;
    }
    if (k == 2) {
        char num[NOPE_FMT_MAX];
        nope_fmt_u64(num, NOPE_FX_STAT_FRAC);
        size_t at = nope_fmt_append(buf, 0, FORMATS_NOTE);
        nope_fmt_append(buf, nope_fmt_append(buf, at, num), " rounding=nearest-ties-up overflow=saturate");
        return true;
    }
    return false;
}

/* A count and what it means, or nothing when the count is 0. */
static bool count_warning(char *buf, uint64_t count, const char *key, const char *why)
{
    if (count == 0)
        return false;
    char num[NOPE_FMT_MAX];
    nope_fmt_u64(num, count);
    nope_fmt_append(buf, nope_fmt_append(buf, nope_fmt_append(buf, 0, key), num), why);
    return true;
}

bool nope_summary_warning(const nope_config *cfg, uint32_t k, char *buf)
{
    (void)cfg;
    bool saturated = count_warning(buf, nope_fx_saturations(), "saturations=",
                                   ": values beyond +-128 were clipped, so these variances are not the model's"
                                   " (use NUM=f32 or a smaller sigma)");
    if (k == 0 && saturated)
        return true;
    if (k == (saturated ? 1u : 0u))
        return count_warning(buf, nope_fx_underflows(), "underflows=", UNDERFLOW_WHY);
    return false;
}

/* Layer 1's mean / theory at pos, to 64 fraction bits (floor), into r; the theory is tnum / tden.
 * mean / theory = sum tden / (T 2^(2F) tnum). */
static void ratio_at(const nope_config *cfg, uint32_t pos, nope_big *tnum, const nope_big *tden, nope_big *r)
{
    nope_big t;
    nope_big_mul_u32(tnum, cfg->trials);
    nope_big_shl(tnum, NOPE_FX_STAT_FRAC); /* T 2^(2F) tnum */
    sum_of(r, nope_stats_get(NOPE_STAT_ATTN, 0, pos));
    nope_big_mul(&t, r, tden);
    nope_big_shl(&t, 64); /* sum tden 2^64 */
    nope_big_div(r, &t, tnum);
}

/* sum / (seq 2^64): a mean of ratios kept to 64 fraction bits. */
static nope_dec mean_of_ratios(const nope_config *cfg, const nope_big *sum)
{
    nope_big t;
    nope_big_set_u64(&t, cfg->seq);
    nope_big_shl(&t, 64);
    return nope_dec_from_ratio(sum, &t, false);
}

/* Mean over positions of mean / theory: each ratio to 64 fraction bits, then their exact sum. */
nope_dec nope_summary_ratio(const nope_config *cfg)
{
    nope_big acc, tnum, tden, r;
    nope_big_set_u64(&acc, 0);
    for (uint32_t p = 0; p < cfg->seq; p++) {
        theory_at(cfg, p, &tnum, &tden);
        ratio_at(cfg, p, &tnum, &tden, &r);
        nope_big_add(&acc, &r);
    }
    return mean_of_ratios(cfg, &acc);
}

void nope_summary_ratio2(const nope_config *cfg, nope_dec *mean, nope_dec *worst, uint32_t *worst_pos)
{
    nope_big acc, tnum, tden, r, one, off, far, far_ratio;
    nope_big_set_u64(&acc, 0);
    nope_big_set_u64(&one, 1);
    nope_big_shl(&one, 64);
    nope_big_set_u64(&far, 0);
    far_ratio = one;
    *worst_pos = 0;
    for (uint32_t p = 0; p < cfg->seq; p++) {
        theory2_at(cfg, p, &tnum, &tden);
        ratio_at(cfg, p, &tnum, &tden, &r);
        nope_big_add(&acc, &r);
        if (nope_big_cmp(&r, &one) >= 0) {
            off = r;
            nope_big_sub(&off, &one);
        } else {
            off = one;
            nope_big_sub(&off, &r);
        }
        if (nope_big_cmp(&off, &far) > 0) {
            far = off;
            far_ratio = r;
            *worst_pos = p;
        }
    }
    *mean = mean_of_ratios(cfg, &acc);
    *worst = nope_dec_from_ratio(&far_ratio, &one, false);
}

#endif
