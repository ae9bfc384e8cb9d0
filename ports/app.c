#include "app.h"

#include "nope/cli.h"
#include "nope/experiment.h"
#include "nope/format.h"
#include "nope/model.h"
#include "nope/num.h"
#include "nope/report.h"
#include "port.h"

static size_t text_length(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void diag(const char *s)
{
    port_write(PORT_STREAM_DIAG, s, text_length(s));
}

static void report_bytes(void *ctx, const char *bytes, size_t n)
{
    (void)ctx;
    port_write(PORT_STREAM_REPORT, bytes, n);
}

/* Progress on the diagnostic stream, only once a run has taken over a second, at most once a
 * second, and only where the port has a clock. */
typedef struct {
    uint64_t start, last, rate;
    bool shown;
} progress_state;

static void progress(void *ctx, uint32_t done, uint32_t total)
{
    progress_state *p = ctx;
    if (p->rate == 0)
        return;
    uint64_t now = port_ticks();
    if (now - p->start < p->rate || (now - p->last < p->rate && done != total))
        return;
    if (!p->shown && done == total)
        return; /* finished before anything was shown: say nothing */
    p->last = now;
    p->shown = true;
    char num[NOPE_FMT_MAX];
    diag("\rnope: trial ");
    nope_fmt_u64(num, done);
    diag(num);
    diag("/");
    nope_fmt_u64(num, total);
    diag(num);
    diag(", ");
    nope_fmt_u64(num, (now - p->start) / p->rate);
    diag(num);
    diag(" s");
    if (done < total) {
        diag(", about ");
        nope_fmt_u64(num, (now - p->start) / p->rate * (total - done) / done);
        diag(num);
        diag(" s left   ");
    }
    if (done == total)
        diag("\n");
}

int nope_app_main(int argc, char **argv)
{
    nope_config cfg;
    char err[NOPE_CLI_ERR_MAX];
    nope_status st = nope_cli_parse(argc - 1, (const char *const *)(argv + 1), &cfg, err);
    if (st == NOPE_HELP) {
        const char *usage = nope_cli_usage();
        port_write(PORT_STREAM_REPORT, usage, text_length(usage));
        return 0;
    }
    if (st != NOPE_OK) {
        diag("nope: ");
        diag(err);
        diag("\n");
        return 2;
    }
    if (cfg.seed_random) {
        uint32_t hi, lo;
        if (!port_entropy(&hi) || !port_entropy(&lo)) {
            diag("nope: --seed random: this platform has no entropy source; pass --seed N\n");
            return 2;
        }
        cfg.seed = ((uint64_t)hi << 32) | lo;
    }
    char text[NOPE_REPORT_CONFIG_MAX];
    nope_report_config_text(text, &cfg);
    diag("nope: mode " NOPE_NUM_NAME ", ");
    diag(text);
    diag("\n");

    progress_state p = {port_ticks(), 0, port_ticks_per_second(), false};
    p.last = p.start;
    st = nope_experiment_run(&cfg, progress, &p);
    if (st != NOPE_OK) { /* the parser checks all of this first; reaching here is a bug */
        diag("nope: configuration rejected by the experiment after parsing\n");
        return 2;
    }
    nope_sink sink = {report_bytes, NULL};
    nope_report_write(&cfg, &sink);
    return 0;
}
