#include "nope/report.h"

#include "nope/decimal.h"
#include "nope/format.h"
#include "nope/num.h"
#include "nope/stats.h"

enum { REPORT_SIG_DIGITS = 9, LINE_MAX = 640 };

/* A line being assembled, and the checksum of everything already sent. */
typedef struct {
    const nope_sink *sink;
    uint64_t checksum;
    char line[LINE_MAX];
    size_t len;
} report_writer;

uint64_t nope_report_fnv1a64(uint64_t hash, const char *bytes, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        hash ^= (uint8_t)bytes[k];
        hash *= UINT64_C(0x100000001b3);
    }
    return hash;
}

static void put(report_writer *w, const char *s)
{
    while (*s && w->len < LINE_MAX - 1)
        w->line[w->len++] = *s++;
}

static void put_u64(report_writer *w, uint64_t v)
{
    char buf[NOPE_FMT_MAX];
    nope_fmt_u64(buf, v);
    put(w, buf);
}

static void put_sci(report_writer *w, const nope_dec *v)
{
    char buf[NOPE_FMT_MAX];
    nope_fmt_sci(buf, v, REPORT_SIG_DIGITS);
    put(w, buf);
}

static void end_line(report_writer *w)
{
    w->line[w->len++] = '\n';
    w->checksum = nope_report_fnv1a64(w->checksum, w->line, w->len);
    w->sink->write(w->sink->ctx, w->line, w->len);
    w->len = 0;
}

static void put_plain(char *buf, size_t *at, const char *key, const nope_dec *v)
{
    char num[NOPE_FMT_MAX];
    nope_fmt_plain(num, v);
    for (const char *s = key; *s; s++)
        buf[(*at)++] = *s;
    for (const char *s = num; *s; s++)
        buf[(*at)++] = *s;
}

static void put_text(char *buf, size_t *at, const char *s)
{
    while (*s)
        buf[(*at)++] = *s++;
}

static void put_uint(char *buf, size_t *at, const char *key, uint64_t v)
{
    put_text(buf, at, key);
    *at += nope_fmt_u64(buf + *at, v);
}

size_t nope_report_config_text(char *buf, const nope_config *cfg)
{
    size_t at = 0;
    put_uint(buf, &at, "d=", cfg->d);
    put_uint(buf, &at, " heads=", cfg->heads);
    put_uint(buf, &at, " layers=", cfg->layers);
    put_uint(buf, &at, " ffn=", cfg->ffn);
    put_uint(buf, &at, " seq=", cfg->seq);
    put_uint(buf, &at, " vocab=", cfg->vocab);
    put_plain(buf, &at, " sigma=", &cfg->sigma);
    put_plain(buf, &at, " sigma_in=", &cfg->sigma_in);
    put_plain(buf, &at, " eps=", &cfg->eps);
    put_text(buf, &at, cfg->act == NOPE_ACT_GELU ? " act=gelu" : " act=relu");
    put_text(buf, &at, cfg->input == NOPE_INPUT_TOKENS ? " input=tokens" : " input=gaussian");
    put_uint(buf, &at, " trials=", cfg->trials);
    put_uint(buf, &at, " seed=", cfg->seed);
    buf[at] = '\0';
    return at;
}

void nope_report_write(const nope_config *cfg, const nope_sink *sink)
{
    report_writer w;
    w.sink = sink;
    w.checksum = NOPE_FNV1A64_INIT;
    w.len = 0;
    char config[NOPE_REPORT_CONFIG_MAX];

    put(&w, "# nope-variance report v1");
    end_line(&w);
    put(&w, "# mode=" NOPE_NUM_NAME);
    end_line(&w);
    nope_report_config_text(config, cfg);
    put(&w, "# config ");
    put(&w, config);
    end_line(&w);
    char note[NOPE_SUMMARY_NOTE_MAX];
    for (uint32_t k = 0; nope_summary_note(cfg, k, note); k++) {
        put(&w, "# ");
        put(&w, note);
        end_line(&w);
    }
    nope_dec c = nope_summary_theory_c(cfg);
    put(&w, "# theory layer=1 c=");
    put_sci(&w, &c);
    put(&w, cfg->input == NOPE_INPUT_TOKENS ? " formula=d^2*sigma^4*c*(1+(m-1)/V)/m"
                                            : " formula=d^2*sigma^4*c/m");
    end_line(&w);
    for (uint32_t l = 0; l < cfg->layers; l++) {
        nope_dec attn_slope, hid_slope;
        nope_summary_slopes(cfg, l, &attn_slope, &hid_slope);
        put(&w, "# slope layer=");
        put_u64(&w, l + 1);
        put(&w, " attn=");
        put_sci(&w, &attn_slope);
        put(&w, " hid=");
        put_sci(&w, &hid_slope);
        end_line(&w);
    }
    nope_dec ratio = nope_summary_ratio(cfg);
    put(&w, "# ratio layer=1 mean=");
    put_sci(&w, &ratio);
    end_line(&w);

    put(&w, "layer,pos,attn_var,attn_se,attn_theory,hid_var,hid_se");
    end_line(&w);
    for (uint32_t l = 0; l < cfg->layers; l++) {
        for (uint32_t p = 0; p < cfg->seq; p++) {
            nope_summary_row row;
            nope_summary_row_get(cfg, l, p, &row);
            put_u64(&w, l + 1);
            put(&w, ",");
            put_u64(&w, p + 1);
            put(&w, ",");
            put_sci(&w, &row.attn_var);
            put(&w, ",");
            put_sci(&w, &row.attn_se);
            put(&w, ",");
            if (nope_summary_has_theory(l))
                put_sci(&w, &row.attn_theory);
            put(&w, ",");
            put_sci(&w, &row.hid_var);
            put(&w, ",");
            put_sci(&w, &row.hid_se);
            end_line(&w);
        }
    }
    char hex[NOPE_FMT_MAX];
    nope_fmt_hex64(hex, w.checksum);
    put(&w, "# checksum fnv1a64=");
    put(&w, hex);
    end_line(&w);
}
