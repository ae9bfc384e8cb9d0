/* The float32 mode's summary: everything in IEEE double with the core's own log and sqrt, from
 * the exact sums rounded once to double. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32

#include "nope/decimal.h"
#include "nope/format.h"
#include "nope/math_float.h"
#include "nope/summary.h"
#include "nope/theory2.h"

static double mean_of(const nope_moments *m, uint32_t trials)
{
    return nope_f32_moments_sum(m) / (double)trials;
}

/* Standard error of the mean: sqrt(sample variance / T), sample variance with T - 1. */
static double se_of(const nope_moments *m, uint32_t trials)
{
    double mean = mean_of(m, trials);
    double var = (nope_f32_moments_sum_sq(m) - (double)trials * mean * mean) / (double)(trials - 1);
    if (var < 0.0)
        var = 0.0; /* rounding can push an all-equal sample just below zero */
    return nope_f64_sqrt(var / (double)trials);
}

static double scale_of(uint32_t scale_q)
{
    return (double)scale_q / (double)(UINT32_C(1) << NOPE_SCALE_FRAC_BITS);
}

static double theory_c(const nope_config *cfg)
{
    double s = scale_of(nope_config_input_scale_q(cfg));
    double v = s * s * (double)(cfg->d - 1) / (double)cfg->d;
    return v / (v + nope_dec_to_double(&cfg->eps));
}

/* First order: E[var] = d^2 sigma^4 c / m; with token inputs, repeated tokens add
 * E[sum of squared token counts] / m^2 = (1 + (m - 1)/V) / m. */
static double theory_at(const nope_config *cfg, uint32_t pos)
{
    double sigma = scale_of(cfg->sigma_q);
    double d = (double)cfg->d, m = (double)(pos + 1);
    double t = d * d * sigma * sigma * sigma * sigma * theory_c(cfg) / m;
    switch (cfg->input) {
    case NOPE_INPUT_GAUSSIAN: break;
    case NOPE_INPUT_TOKENS: t *= 1.0 + (m - 1.0) / (double)cfg->vocab; break;
    }
    return t;
}

static const double Q40 = 1099511627776.0; /* 2^40 */

static int64_t theory_c_q40(const nope_config *cfg)
{
    return (int64_t)(theory_c(cfg) * Q40 + 0.5);
}

/* d^2 sigma^4 c G(m), G from nope/theory2.h. */
static double theory2_at(const nope_config *cfg, uint32_t pos)
{
    double sigma = scale_of(cfg->sigma_q);
    double d = (double)cfg->d;
    double g = (double)nope_theory2_g_q40(cfg, theory_c_q40(cfg), pos) / Q40;
    return d * d * sigma * sigma * sigma * sigma * theory_c(cfg) * g;
}

bool nope_summary_theory2_defined(const nope_config *cfg)
{
    return nope_theory2_defined(cfg, theory_c_q40(cfg));
}

nope_dec nope_summary_theory2_scale(const nope_config *cfg)
{
    return nope_dec_from_double((double)nope_theory2_scale_q40(cfg, theory_c_q40(cfg)) / Q40);
}

void nope_summary_mean_se(const nope_moments *m, uint32_t trials, nope_dec *mean, nope_dec *se)
{
    *mean = nope_dec_from_double(mean_of(m, trials));
    *se = nope_dec_from_double(se_of(m, trials));
}

void nope_summary_row_get(const nope_config *cfg, uint32_t layer, uint32_t pos, nope_summary_row *row)
{
    for (int s = 0; s < NOPE_STAT_COUNT; s++) {
        const nope_moments *m = nope_stats_get((nope_stat)s, layer, pos);
        row->var[s] = nope_dec_from_double(mean_of(m, cfg->trials));
        row->se[s] = nope_dec_from_double(se_of(m, cfg->trials));
    }
    row->attn_theory = nope_dec_from_double(nope_summary_has_theory(layer) ? theory_at(cfg, pos) : 0.0);
    row->attn_theory2 = nope_dec_nan();
    if (nope_summary_has_theory(layer) && nope_summary_theory2_defined(cfg))
        row->attn_theory2 = nope_dec_from_double(theory2_at(cfg, pos));
}

nope_dec nope_summary_theory_c(const nope_config *cfg)
{
    return nope_dec_from_double(theory_c(cfg));
}

static double slope_of(const nope_config *cfg, uint32_t layer, nope_stat stat)
{
    double sx = 0.0, sy = 0.0;
    for (uint32_t p = 0; p < cfg->seq; p++) {
        const nope_moments *m = nope_stats_get(stat, layer, p);
        sx += nope_f64_log((double)(p + 1));
        sy += nope_f64_log(mean_of(m, cfg->trials));
    }
    double mx = sx / (double)cfg->seq, my = sy / (double)cfg->seq;
    double sxy = 0.0, sxx = 0.0;
    for (uint32_t p = 0; p < cfg->seq; p++) {
        const nope_moments *m = nope_stats_get(stat, layer, p);
        double dx = nope_f64_log((double)(p + 1)) - mx;
        sxy += dx * (nope_f64_log(mean_of(m, cfg->trials)) - my);
        sxx += dx * dx;
    }
    return sxy / sxx;
}

nope_dec nope_summary_slope(const nope_config *cfg, uint32_t layer, nope_stat stat)
{
    for (uint32_t p = 0; p < cfg->seq; p++)
        if (!(mean_of(nope_stats_get(stat, layer, p), cfg->trials) > 0.0))
            return nope_dec_nan(); /* the log of a zero mean: no slope, as in fixed point */
    return nope_dec_from_double(slope_of(cfg, layer, stat));
}

bool nope_summary_note(const nope_config *cfg, uint32_t k, char *buf)
{
    (void)cfg;
    (void)k;
    (void)buf;
    return false; /* float32 has nothing to add: it neither saturates nor rounds by choice */
}

bool nope_summary_warning(const nope_config *cfg, uint32_t k, char *buf)
{
    (void)cfg;
    uint64_t inexact = nope_num_counter(0);
    if (k > 0 || inexact == 0)
        return false; /* an undefined slope is the report's own warning */
    char num[NOPE_FMT_MAX];
    nope_fmt_u64(num, inexact);
    nope_fmt_append(buf, nope_fmt_append(buf, nope_fmt_append(buf, 0, "inexact="), num),
                    ": sums over trials spanned more than their exact range and were rounded, so a merge of"
                    " shards may differ from one run in the last digits");
    return true;
}

nope_dec nope_summary_ratio(const nope_config *cfg)
{
    double total = 0.0;
    for (uint32_t p = 0; p < cfg->seq; p++)
        total += mean_of(nope_stats_get(NOPE_STAT_ATTN, 0, p), cfg->trials) / theory_at(cfg, p);
    return nope_dec_from_double(total / (double)cfg->seq);
}

void nope_summary_ratio2(const nope_config *cfg, nope_dec *mean, nope_dec *worst, uint32_t *worst_pos)
{
    double total = 0.0, far = 0.0, far_ratio = 1.0;
    *worst_pos = 0;
    for (uint32_t p = 0; p < cfg->seq; p++) {
        double ratio = mean_of(nope_stats_get(NOPE_STAT_ATTN, 0, p), cfg->trials) / theory2_at(cfg, p);
        double off = ratio > 1.0 ? ratio - 1.0 : 1.0 - ratio;
        total += ratio;
        if (off > far) {
            far = off;
            far_ratio = ratio;
            *worst_pos = p;
        }
    }
    *mean = nope_dec_from_double(total / (double)cfg->seq);
    *worst = nope_dec_from_double(far_ratio);
}

#endif
