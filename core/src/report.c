#include "nope/report.h"

#include "nope/decimal.h"
#include "nope/format.h"
#include "nope/num.h"
#include "nope/summary.h"
#include "nope/theory2.h"

_Static_assert(NOPE_REPORT_WARNING_MAX == NOPE_SUMMARY_NOTE_MAX, "a warning is a note's size");

/* A number in 9 significant digits; an undefined one (NaN, infinity) is an empty field, never
 * "nan" or "inf": readers take an empty field as missing, and a warning line says why. */
void nope_report_put_sci(nope_writer *w, const nope_dec *v)
{
    if (v->special != NOPE_DEC_FINITE)
        return;
    char buf[NOPE_FMT_MAX];
    nope_fmt_sci(buf, v, NOPE_REPORT_DIGITS);
    nope_writer_put(w, buf);
}

static void put_keyed_u64(nope_writer *w, const char *key, uint64_t v)
{
    nope_writer_put(w, key);
    nope_writer_put_u64(w, v);
}

static void put_keyed_plain(nope_writer *w, const char *key, const nope_dec *v)
{
    char num[NOPE_FMT_MAX];
    nope_fmt_plain(num, v);
    nope_writer_put(w, key);
    nope_writer_put(w, num);
}

static void put_config(nope_writer *w, const nope_config *cfg)
{
    put_keyed_u64(w, "d=", cfg->d);
    put_keyed_u64(w, " heads=", cfg->heads);
    put_keyed_u64(w, " layers=", cfg->layers);
    put_keyed_u64(w, " ffn=", cfg->ffn);
    put_keyed_u64(w, " seq=", cfg->seq);
    put_keyed_u64(w, " vocab=", cfg->vocab);
    put_keyed_plain(w, " sigma=", &cfg->sigma);
    put_keyed_plain(w, " sigma_in=", &cfg->sigma_in);
    put_keyed_plain(w, " eps=", &cfg->eps);
    nope_writer_put(w, " act=");
    nope_writer_put(w, nope_act_name(cfg->act));
    nope_writer_put(w, " input=");
    nope_writer_put(w, nope_input_name(cfg->input));
    put_keyed_u64(w, " trials=", cfg->trials);
    put_keyed_u64(w, " seed=", cfg->seed);
}

/* Layer 1's theory as the summaries compute it (summary_<mode>.c, theory_at). */
static const char *theory_formula(nope_input input)
{
    const char *formula = "";
    switch (input) {
    case NOPE_INPUT_GAUSSIAN: formula = "d^2*sigma^4*c/m"; break;
    case NOPE_INPUT_TOKENS:
        formula = "d^2*sigma^4*c*(1+(m-1)/V)/m"; /* repeated tokens add (m-1)/V */
        break;
    }
    return formula;
}

/* How many of the layers x statistics slopes are undefined (a mean variance of 0). */
static uint64_t undefined_slopes(const nope_config *cfg)
{
    uint64_t n = 0;
    for (uint32_t l = 0; l < cfg->layers; l++)
        for (int s = 0; s < NOPE_STAT_COUNT; s++)
            n += nope_summary_slope(cfg, l, (nope_stat)s).special != NOPE_DEC_FINITE;
    return n;
}

/* The slopes' warning: how many are undefined, when any is. */
bool nope_report_slope_warning(const nope_config *cfg, char *buf)
{
    uint64_t undefined = undefined_slopes(cfg);
    if (undefined == 0)
        return false;
    char num[NOPE_FMT_MAX], all[NOPE_FMT_MAX];
    nope_fmt_u64(num, undefined);
    nope_fmt_u64(all, (uint64_t)cfg->layers * NOPE_STAT_COUNT);
    size_t at = nope_fmt_append(buf, nope_fmt_append(buf, 0, "slopes: "), num);
    at = nope_fmt_append(buf, nope_fmt_append(buf, at, " of "), all);
    nope_fmt_append(buf, at, " are undefined (a mean variance is 0 and has no logarithm); left empty");
    return true;
}

/* The second theory's warning, when the logits are too large for it. */
static bool theory2_warning(const nope_config *cfg, char *buf)
{
    if (nope_summary_theory2_defined(cfg))
        return false;
    nope_dec scale = nope_summary_theory2_scale(cfg);
    char num[NOPE_FMT_MAX];
    nope_fmt_sci(num, &scale, NOPE_REPORT_DIGITS);
    size_t at = nope_fmt_append(buf, nope_fmt_append(buf, 0, "theory2: logit scale s="), num);
    nope_fmt_append(buf, at,
                    " spreads past the " NOPE_THEORY2_S_MAX_TEXT " it integrates (softmax is close to a one-hot"
                    " choice there); attn_theory2 left empty");
    return true;
}

bool nope_report_warning(const nope_config *cfg, uint32_t k, char *buf)
{
    /* The numeric mode's own warnings first, then the report's: k counts the ones present. */
    uint32_t n = 0;
    for (uint32_t j = 0; nope_summary_warning(cfg, j, buf); j++)
        if (n++ == k)
            return true;
    if (nope_report_slope_warning(cfg, buf) && n++ == k)
        return true;
    if (theory2_warning(cfg, buf) && n++ == k)
        return true;
    return false;
}

void nope_report_config_write(const nope_config *cfg, const nope_sink *sink)
{
    nope_writer w;
    nope_writer_init(&w, sink);
    put_config(&w, cfg);
    nope_writer_flush(&w);
}

void nope_report_head_put(nope_writer *w, const char *title, const nope_config *cfg)
{
    nope_writer_put(w, title);
    nope_writer_end_line(w);
    nope_writer_put(w, "# mode=" NOPE_NUM_NAME);
    nope_writer_end_line(w);
    nope_writer_put(w, "# config ");
    put_config(w, cfg);
    nope_writer_end_line(w);
}

/* "# theory2 layer=1 s=... mean=... worst=... at=...": the logits' scale, then layer 1's mean
 * measured / theory2 over positions and the one furthest from 1 (when theory2 is defined). */
static void put_theory2_line(nope_writer *w, const nope_config *cfg)
{
    nope_dec scale = nope_summary_theory2_scale(cfg);
    nope_writer_put(w, "# theory2 layer=1 s=");
    nope_report_put_sci(w, &scale);
    if (nope_summary_theory2_defined(cfg)) {
        nope_dec mean, worst;
        uint32_t worst_pos;
        nope_summary_ratio2(cfg, &mean, &worst, &worst_pos);
        nope_writer_put(w, " mean=");
        nope_report_put_sci(w, &mean);
        nope_writer_put(w, " worst=");
        nope_report_put_sci(w, &worst);
        put_keyed_u64(w, " at=", worst_pos + 1);
    }
    nope_writer_end_line(w);
}

void nope_report_comment_put(nope_writer *w, const char *prefix, const char *text)
{
    nope_writer_put(w, prefix);
    nope_writer_put(w, text);
    nope_writer_end_line(w);
}

void nope_report_slopes_put(nope_writer *w, const nope_config *cfg)
{
    for (uint32_t l = 0; l < cfg->layers; l++) {
        nope_writer_put(w, "# slope layer=");
        nope_writer_put_u64(w, l + 1);
        for (int s = 0; s < NOPE_STAT_COUNT; s++) {
            nope_dec slope = nope_summary_slope(cfg, l, (nope_stat)s);
            nope_writer_put(w, " ");
            nope_writer_put(w, nope_stat_name((nope_stat)s));
            nope_writer_put(w, "=");
            nope_report_put_sci(w, &slope);
        }
        nope_writer_end_line(w);
    }
}

void nope_report_write(const nope_config *cfg, const nope_sink *sink)
{
    nope_writer w;
    nope_writer_init(&w, sink);

    nope_report_head_put(&w, "# nope-variance report v1", cfg);
    char note[NOPE_SUMMARY_NOTE_MAX];
    for (uint32_t k = 0; nope_summary_note(cfg, k, note); k++)
        nope_report_comment_put(&w, "# ", note);
    for (uint32_t k = 0; nope_report_warning(cfg, k, note); k++)
        nope_report_comment_put(&w, "# warning ", note);
    nope_dec c = nope_summary_theory_c(cfg);
    nope_writer_put(&w, "# theory layer=1 c=");
    nope_report_put_sci(&w, &c);
    nope_writer_put(&w, " formula=");
    nope_writer_put(&w, theory_formula(cfg->input));
    nope_writer_end_line(&w);
    nope_report_slopes_put(&w, cfg);
    nope_dec ratio = nope_summary_ratio(cfg);
    nope_writer_put(&w, "# ratio layer=1 mean=");
    nope_report_put_sci(&w, &ratio);
    nope_writer_end_line(&w);
    put_theory2_line(&w, cfg);

    /* Each statistic's mean and standard error; the theory beside the attention's. */
    nope_writer_put(&w, "layer,pos");
    for (int s = 0; s < NOPE_STAT_COUNT; s++) {
        nope_writer_put(&w, ",");
        nope_writer_put(&w, nope_stat_name((nope_stat)s));
        nope_writer_put(&w, "_var,");
        nope_writer_put(&w, nope_stat_name((nope_stat)s));
        nope_writer_put(&w, "_se");
        if (s == NOPE_STAT_ATTN)
            nope_writer_put(&w, ",attn_theory,attn_theory2");
    }
    nope_writer_end_line(&w);
    for (uint32_t l = 0; l < cfg->layers; l++) {
        for (uint32_t p = 0; p < cfg->seq; p++) {
            nope_summary_row row;
            nope_summary_row_get(cfg, l, p, &row);
            nope_writer_put_u64(&w, l + 1);
            nope_writer_put(&w, ",");
            nope_writer_put_u64(&w, p + 1);
            for (int s = 0; s < NOPE_STAT_COUNT; s++) {
                nope_writer_put(&w, ",");
                nope_report_put_sci(&w, &row.var[s]);
                nope_writer_put(&w, ",");
                nope_report_put_sci(&w, &row.se[s]);
                if (s == NOPE_STAT_ATTN) {
                    nope_writer_put(&w, ",");
                    if (nope_summary_has_theory(l))
                        nope_report_put_sci(&w, &row.attn_theory);
                    nope_writer_put(&w, ",");
                    nope_report_put_sci(&w, &row.attn_theory2);
                }
            }
            nope_writer_end_line(&w);
        }
    }
    nope_writer_checksum_line(&w);
}
