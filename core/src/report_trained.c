/* A trained model's report (nope/report.h, "A trained model's report"): the random report's
 * statistics and slopes, the model and text named by checksum, and the loss per position. */
#include "nope/decimal.h"
#include "nope/format.h"
#include "nope/num.h"
#include "nope/report.h"
#include "nope/summary.h"
#include "nope/trained.h"

/* 8 lower-case hex digits of a CRC-32. */
static void put_crc(nope_writer *w, uint32_t crc)
{
    char hex[NOPE_FMT_MAX];
    nope_fmt_hex64(hex, crc);
    nope_writer_put(w, hex + 8);
}

static void put_keyed_u64(nope_writer *w, const char *key, uint64_t v)
{
    nope_writer_put(w, key);
    nope_writer_put_u64(w, v);
}

static void put_config(nope_writer *w, const nope_config *cfg, const nope_trained_inputs *in)
{
    char num[NOPE_FMT_MAX];
    nope_writer_put(w, "model=");
    put_crc(w, in->model.crc);
    put_keyed_u64(w, " model_bytes=", in->model.size);
    nope_writer_put(w, " text=");
    put_crc(w, in->text_crc);
    put_keyed_u64(w, " text_bytes=", in->text_len);
    put_keyed_u64(w, " d=", cfg->d);
    put_keyed_u64(w, " heads=", cfg->heads);
    put_keyed_u64(w, " layers=", cfg->layers);
    put_keyed_u64(w, " ffn=", cfg->ffn);
    put_keyed_u64(w, " seq=", cfg->seq);
    put_keyed_u64(w, " vocab=", cfg->vocab);
    nope_fmt_plain(num, &cfg->eps);
    nope_writer_put(w, " eps=");
    nope_writer_put(w, num);
    nope_writer_put(w, " act=");
    nope_writer_put(w, nope_act_name(cfg->act));
    put_keyed_u64(w, " trials=", cfg->trials);
    put_keyed_u64(w, " seed=", cfg->seed);
}

#if NOPE_NUM == NOPE_NUM_FIXED
/* "model_fixed saturated=N flushed=M": the file's weights that did not fit the fixed format. */
static bool fixed_note(const nope_trained_inputs *in, char *buf, bool warning)
{
    nope_mf_fixed_counts c = nope_model_file_fixed_counts(&in->model, NOPE_Q_FRAC);
    if (warning && c.saturated == 0)
        return false;
    char num[NOPE_FMT_MAX];
    size_t at = nope_fmt_append(buf, 0, "model_fixed saturated=");
    nope_fmt_u64(num, c.saturated);
    at = nope_fmt_append(buf, nope_fmt_append(buf, at, num), " flushed=");
    nope_fmt_u64(num, c.flushed);
    at = nope_fmt_append(buf, at, num);
    if (warning)
        nope_fmt_append(buf, at, ": weights outside the fixed format became its ends, so this is not quite the model");
    return true;
}
#endif

bool nope_trained_report_warning(const nope_config *cfg, const nope_trained_inputs *in, uint32_t k, char *buf)
{
    uint32_t n = 0;
    for (uint32_t j = 0; nope_summary_warning(cfg, j, buf); j++)
        if (n++ == k)
            return true;
#if NOPE_NUM == NOPE_NUM_FIXED
    if (fixed_note(in, buf, true) && n++ == k)
        return true;
#else
    (void)in;
#endif
    return nope_report_slope_warning(cfg, buf) && n++ == k;
}

void nope_trained_report_write(const nope_config *cfg, const nope_trained_inputs *in, const nope_moments *loss,
                               const nope_sink *sink)
{
    nope_writer w;
    nope_writer_init(&w, sink);
    nope_writer_put(&w, "# nope-variance report v1");
    nope_writer_end_line(&w);
    nope_writer_put(&w, "# mode=" NOPE_NUM_NAME);
    nope_writer_end_line(&w);
    nope_writer_put(&w, "# config ");
    put_config(&w, cfg, in);
    nope_writer_end_line(&w);
    char note[NOPE_SUMMARY_NOTE_MAX];
    for (uint32_t k = 0; nope_summary_note(cfg, k, note); k++)
        nope_report_comment_put(&w, "# ", note);
#if NOPE_NUM == NOPE_NUM_FIXED
    fixed_note(in, note, false);
    nope_report_comment_put(&w, "# ", note);
#endif
    for (uint32_t k = 0; nope_trained_report_warning(cfg, in, k, note); k++)
        nope_report_comment_put(&w, "# warning ", note);
    nope_report_slopes_put(&w, cfg);
    nope_writer_put(&w, "layer,pos,attn_var,attn_se,attn_theory,attn_theory2,hid_var,hid_se,loss,loss_se");
    nope_writer_end_line(&w);
    for (uint32_t l = 0; l < cfg->layers; l++)
        for (uint32_t p = 0; p < cfg->seq; p++) {
            nope_dec mean[NOPE_STAT_COUNT + 1], se[NOPE_STAT_COUNT + 1];
            for (int s = 0; s < NOPE_STAT_COUNT; s++)
                nope_summary_mean_se(nope_stats_get((nope_stat)s, l, p), cfg->trials, &mean[s], &se[s]);
            nope_summary_mean_se(&loss[p], cfg->trials, &mean[NOPE_STAT_COUNT], &se[NOPE_STAT_COUNT]);
            nope_writer_put_u64(&w, l + 1);
            nope_writer_put(&w, ",");
            nope_writer_put_u64(&w, p + 1);
            for (int s = 0; s <= NOPE_STAT_COUNT; s++) {
                nope_writer_put(&w, ",");
                nope_report_put_sci(&w, &mean[s]);
                nope_writer_put(&w, ",");
                nope_report_put_sci(&w, &se[s]);
                if (s == NOPE_STAT_ATTN)
                    nope_writer_put(&w, ",,"); /* no random-init theory for a trained model */
            }
            nope_writer_end_line(&w);
        }
    nope_writer_checksum_line(&w);
}
