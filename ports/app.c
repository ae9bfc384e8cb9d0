#include "app.h"

#include "nope/cli.h"
#include "nope/experiment.h"
#include "nope/format.h"
#include "nope/model.h"
#include "nope/num.h"
#include "nope/parallel.h"
#include "nope/partial.h"
#include "nope/profile.h"
#include "nope/report.h"
#include "nope/trained.h"
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

/* ctx carries the port stream. */
static void stream_bytes(void *ctx, const char *bytes, size_t n)
{
    port_write(*(const port_stream *)ctx, bytes, n);
}

/* Flags into cfg, --seed random resolved. Returns -1 to go on, else the exit status. Kept out
 * of nope_app_main so its message buffer is off the stack while the experiment runs. */
static __attribute__((noinline)) int configure(int argc, const char *const *argv, nope_config *cfg)
{
    char err[NOPE_CLI_ERR_MAX];
    nope_status st = nope_cli_parse(argc - 1, argv + 1, cfg, err);
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
    if (cfg->seed_random) {
        uint32_t hi, lo;
        if (!port_entropy(&hi) || !port_entropy(&lo)) {
            diag("nope: --seed random: this platform has no entropy source; pass --seed N\n");
            return 2;
        }
        cfg->seed = ((uint64_t)hi << 32) | lo;
    }
    return -1;
}

/* Progress on the diagnostic stream, only once a run has taken over a second, at most once a
 * second, and only where the port has a clock. */
typedef struct {
    uint64_t start, last, rate;
    size_t width; /* of the widest update so far, which the next one must cover */
    bool shown;
} progress_state;

static void progress(void *ctx, uint32_t done, uint32_t total)
{
    progress_state *p = ctx;
    port_trial_done(done, total);
    if (p->rate == 0)
        return;
    uint64_t now = port_ticks();
    if (now - p->start < p->rate || (now - p->last < p->rate && done != total))
        return;
    if (!p->shown && done == total)
        return; /* finished before anything was shown: say nothing */
    p->last = now;
    p->shown = true;
    /* "nope: trial " and four numbers of at most 20 digits with their words: at most 112 bytes,
     * padded to the widest update so far (so also at most 112), then the line end. */
    char text[128];
    char num[NOPE_FMT_MAX];
    size_t at = nope_fmt_append(text, 0, "nope: trial ");
    nope_fmt_u64(num, done);
    at = nope_fmt_append(text, nope_fmt_append(text, at, num), "/");
    nope_fmt_u64(num, total);
    at = nope_fmt_append(text, nope_fmt_append(text, at, num), ", ");
    nope_fmt_u64(num, (now - p->start) / p->rate);
    at = nope_fmt_append(text, nope_fmt_append(text, at, num), " s");
    if (done < total) {
        nope_fmt_u64(num, (now - p->start) / p->rate * (total - done) / done);
        at = nope_fmt_append(text, nope_fmt_append(text, nope_fmt_append(text, at, ", about "), num), " s left");
    }
    size_t width = at;
    while (at < p->width)
        text[at++] = ' ';
    p->width = width > p->width ? width : p->width;
    /* The update ends its own line: '\r' (the next one writes over it) or, at the end, '\n'. So
     * whoever splits the stream into lines as it comes (tools/qemu-run, a serial log) passes
     * each update on at once rather than when the next one starts it. One write per update. */
    text[at++] = done < total ? '\r' : '\n';
    port_write(PORT_STREAM_DIAG, text, at);
}

/* The report's warnings again on the diagnostic stream, where a person watching the run sees
 * them. Kept out of nope_app_main so the buffer is off the experiment's stack. */
static __attribute__((noinline)) void warn(const nope_config *cfg)
{
    char text[NOPE_REPORT_WARNING_MAX];
    for (uint32_t k = 0; nope_report_warning(cfg, k, text); k++) {
        diag("nope: warning: ");
        diag(text);
        diag("\n");
    }
}

/* The run's workers: --threads N, or every core the port has, at most what this build's model
 * can use. Where the port has threads the banner says how many ("2 threads, "); the
 * report never does, as it is the same at any count. */
static __attribute__((noinline)) void start_workers(const nope_config *cfg)
{
    nope_parallel_for_fn run = port_parallel();
    uint32_t workers = cfg->threads ? cfg->threads : port_cores();
    nope_parallel_set(run, workers < nope_model_max_workers() ? workers : nope_model_max_workers());
    if (run == NULL)
        return;
    char num[NOPE_FMT_MAX];
    nope_fmt_u64(num, nope_parallel_workers());
    diag(num);
    diag(nope_parallel_workers() == 1 ? " thread, " : " threads, ");
}

/* "nope: shard k/K: trials a to b (0-based) of T, a partial on the report stream". */
static __attribute__((noinline)) void shard_banner(const nope_config *cfg)
{
    uint32_t first, end;
    nope_experiment_trials(cfg, &first, &end);
    const uint64_t numbers[] = {cfg->shard, cfg->shards, first, end - 1u, cfg->trials};
    static const char *const after[] = {"/", ": trials ", " to ", " (0-based) of ",
                                        ", written as a partial to merge\n"};
    char num[NOPE_FMT_MAX];
    diag("nope: shard ");
    for (unsigned k = 0; k < sizeof numbers / sizeof numbers[0]; k++) {
        nope_fmt_u64(num, numbers[k]);
        diag(num);
        diag(after[k]);
    }
}

#if NOPE_PROFILE
/* A profile build's counters on the diagnostic stream, one "profile: name ticks=T brackets=B"
 * line per kernel and the MACs, in the port's clock ticks (tools/bench-board turns them into
 * instructions). */
static __attribute__((noinline)) void profile_write(void)
{
    char num[NOPE_FMT_MAX];
    for (int k = 0; k < NOPE_PROF_KERNELS; k++) {
        diag("profile: ");
        diag(nope_prof_name((nope_prof_kernel)k));
        nope_fmt_u64(num, nope_prof.ticks[k]);
        diag(" ticks=");
        diag(num);
        nope_fmt_u64(num, nope_prof.brackets[k]);
        diag(" brackets=");
        diag(num);
        diag("\n");
    }
    nope_fmt_u64(num, nope_prof.macs);
    diag("profile: macs=");
    diag(num);
    nope_fmt_u64(num, port_ticks_per_second());
    diag(" ticks_per_second=");
    diag(num);
    diag("\n");
}
#endif

/* A file's name in a message: bytes that are not printable ASCII shown as '?', so the line stays one. */
static void diag_name(const char *name)
{
    char c[2] = {0, 0};
    for (size_t k = 0; name[k] && k < 200; k++) {
        unsigned char b = (unsigned char)name[k];
        c[0] = (b < 0x20 || b >= 0x7f) ? '?' : (char)b;
        diag(c);
    }
}

/* "nope: --model NAME: " and the rest. */
static void diag_about(const char *flag, const char *name)
{
    diag("nope: ");
    diag(flag);
    diag(" ");
    diag_name(name);
    diag(": ");
}

/* The bytes of --model or --text from the port; false (and the line said) when there are none. */
static bool input_bytes(const char *flag, const char *name, const uint8_t **bytes, size_t *size)
{
    const char *why = "";
    if (port_input(name, bytes, size, &why))
        return true;
    diag_about(flag, name);
    diag("cannot read it: ");
    diag(why);
    diag("\n");
    return false;
}

/* The model parsed, the text checked against it and the flags: 0 to go on, else 2 (said). */
static __attribute__((noinline)) int trained_inputs(nope_config *cfg, nope_trained_inputs *in)
{
    static const char *const tensor_names[NOPE_MF_TENSORS] = {"embedding", "ln1_gain", "ln1_bias", "wq",       "wk",
                                                              "wv",        "wo",       "ln2_gain", "ln2_bias", "w1",
                                                              "w2",        "lnf_gain", "lnf_bias"};
    const uint8_t *model;
    size_t model_size, text_size;
    if (!input_bytes("--model", cfg->model, &model, &model_size) ||
        !input_bytes("--text", cfg->text, &in->text, &text_size))
        return 2;
    in->text_len = text_size;
    nope_mf_status st = nope_model_file_parse(model, model_size, &in->model);
    if (st != NOPE_MF_OK) {
        char num[NOPE_FMT_MAX];
        diag_about("--model", cfg->model);
        diag(nope_mf_status_text(st));
        if (st == NOPE_MF_ERR_NONFINITE) {
            diag(" (");
            diag(tensor_names[in->model.bad_tensor]);
            nope_fmt_u64(num, in->model.bad_layer + 1u);
            diag(", layer ");
            diag(num);
            nope_fmt_u64(num, in->model.bad_index);
            diag(", index ");
            diag(num);
            diag(")");
        }
        diag("\n");
        return 2;
    }
    in->text_crc = nope_crc32(0, in->text, text_size);
    char err[NOPE_CLI_ERR_MAX];
    if (nope_trained_configure(cfg, in, err) != NOPE_OK) {
        diag("nope: ");
        diag(err);
        diag("\n");
        return 2;
    }
    return 0;
}

/* The report of a trained run and its warnings: in a frame of its own, after the trials, so that
 * the warning's text is not on the stack while the model runs (the micro:bit's is tight). */
static __attribute__((noinline)) void trained_report(const nope_config *cfg, const nope_trained_inputs *in,
                                                     const nope_moments *loss)
{
    static const port_stream report_stream = PORT_STREAM_REPORT;
    nope_sink report_sink = {stream_bytes, (void *)&report_stream};
    nope_trained_report_write(cfg, in, loss, &report_sink);
    char text[NOPE_REPORT_WARNING_MAX];
    for (uint32_t k = 0; nope_trained_report_warning(cfg, in, k, text); k++) {
        diag("nope: warning: ");
        diag(text);
        diag("\n");
    }
}

/* "nope: mode ..., trained model, d=.. layers=.. seq=.. trials=..": its own frame too. */
static __attribute__((noinline)) void trained_banner(const nope_config *cfg)
{
    diag("nope: mode " NOPE_NUM_NAME ", ");
    start_workers(cfg);
    diag("trained model, ");
    char num[NOPE_FMT_MAX];
    const uint64_t numbers[] = {cfg->d, cfg->layers, cfg->seq, cfg->trials};
    static const char *const before[] = {"d=", " layers=", " seq=", " trials="};
    for (unsigned k = 0; k < 4; k++) {
        nope_fmt_u64(num, numbers[k]);
        diag(before[k]);
        diag(num);
    }
    diag("\n");
}

/* --model FILE --text FILE: the same experiment and report on a trained model. */
static __attribute__((noinline)) int trained_main(nope_config *cfg)
{
    /* On this function's stack, not static: a random run does not pay for them. */
    nope_trained_inputs in;
    nope_moments loss[NOPE_MAX_SEQ];
    int status = trained_inputs(cfg, &in);
    if (status != 0)
        return status;
    trained_banner(cfg);
    progress_state p = {port_ticks(), 0, port_ticks_per_second(), 0, false};
    p.last = p.start;
    port_trial_done(0, cfg->trials);
    nope_trained_run(cfg, &in, loss, progress, &p);
    trained_report(cfg, &in, loss);
    return 0;
}

int nope_app_main(int argc, const char *const *argv)
{
    static const port_stream report_stream = PORT_STREAM_REPORT, diag_stream = PORT_STREAM_DIAG;
    nope_config cfg;
    int status = configure(argc, argv, &cfg);
    if (status >= 0)
        return status;
    if (cfg.model != NULL)
        return trained_main(&cfg);
    nope_sink diag_sink = {stream_bytes, (void *)&diag_stream};
    diag("nope: mode " NOPE_NUM_NAME ", ");
    start_workers(&cfg);
    nope_report_config_write(&cfg, &diag_sink);
    diag("\n");
    if (cfg.shards > 0)
        shard_banner(&cfg);

    progress_state p = {port_ticks(), 0, port_ticks_per_second(), 0, false};
    p.last = p.start;
#if NOPE_PROFILE
    nope_prof_clock = port_ticks;
    nope_prof_calibrate(1000);
#endif
    port_trial_done(0, cfg.trials);
    if (nope_experiment_run(&cfg, progress, &p) != NOPE_OK) {
        /* the parser checks all of this first; reaching here is a bug */
        diag("nope: configuration rejected by the experiment after parsing\n");
        return 2;
    }
#if NOPE_PROFILE
    profile_write();
#endif
    if (cfg.shards > 0) {
        /* a shard's sums, to merge with the other shards'; the report and its warnings come then */
        nope_sink report_sink = {stream_bytes, (void *)&report_stream};
        nope_partial_write(&cfg, &report_sink);
        return 0;
    }
    return nope_app_report(&cfg);
}

int nope_app_report(const nope_config *cfg)
{
    static const port_stream report_stream = PORT_STREAM_REPORT;
    nope_sink report_sink = {stream_bytes, (void *)&report_stream};
    nope_report_write(cfg, &report_sink);
    warn(cfg);
    return 0;
}
