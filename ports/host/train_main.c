/* nope-train's main (host): flags, the text, --out checked, memory, workers, then the loop
 * (train_loop.c). Bad input: one line on stderr, exit 2, nothing on stdout, no file written. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../port.h"
#include "../train_flags.h"
#include "../train_model.h"
#include "../train_text.h"
#include "atomic_file.h"
#include "nope/format.h"
#include "nope/parallel.h"
#include "text_file.h"
#include "train_loop.h"

/* Window offsets are drawn as 32-bit integers: the text stays well below 2^32 bytes. */
#define MAX_TEXT_BYTES ((size_t)1 << 30)

/* A path as the user typed it, in one printable line: the first 64 bytes, '?' for the rest. */
static const char *shown(const char *path, char *buf)
{
    size_t k = 0;
    for (; path[k] && k < 64; k++)
        buf[k] = (unsigned char)path[k] < 0x20 || (unsigned char)path[k] >= 0x7f ? '?' : path[k];
    strcpy(buf + k, path[k] ? "..." : "");
    return buf;
}

static int usage_error(const char *flag, const char *path, const char *why)
{
    char buf[80];
    fprintf(stderr, "nope-train: %s %s: %s\n", flag, shown(path, buf), why);
    return 2;
}

/* The buffers of a run, all or nothing. */
static bool allocate(nope_train_run *r)
{
    const nope_train_shape *s = &r->o->shape;
    const size_t np = nope_train_param_count(s), batch = r->o->batch;
    const nope_mf_dims dims = nope_train_model_dims(s);
    r->params = malloc(np * sizeof(float));
    r->grads = malloc(np * sizeof(float));
    r->m = calloc(np, sizeof(float));
    r->v = calloc(np, sizeof(float));
    r->acts = malloc(nope_train_acts_floats(s, batch) * sizeof(float));
    r->work = malloc(nope_train_work_floats(s, batch) * sizeof(float));
    r->windows = malloc(batch * (s->seq + 1));
    r->file_cap = (size_t)nope_mf_file_size(&dims);
    r->file = malloc(r->file_cap);
    return r->params && r->grads && r->m && r->v && r->acts && r->work && r->windows && r->file;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a closed stderr must not stop training */
    nope_train_opts o;
    char err[NOPE_TRAIN_ERR_MAX], why[512];
    nope_status st = nope_train_flags_parse(argc - 1, (const char *const *)argv + 1, &o, err);
    if (st == NOPE_HELP) {
        fputs(nope_train_flags_usage(), stdout);
        return fflush(stdout) != 0;
    }
    if (st != NOPE_OK) {
        fprintf(stderr, "nope-train: %s\n", err);
        return 2;
    }
    if (!nope_atomic_probe(o.out, why, sizeof why))
        return usage_error("--out", o.out, why);
    if (o.held_out && !nope_atomic_probe(o.held_out, why, sizeof why))
        return usage_error("--held-out", o.held_out, why);
    nope_train_run r = {.o = &o};
    uint8_t *text = nope_text_file_read(o.text, MAX_TEXT_BYTES, &r.n, why, sizeof why);
    if (!text)
        return usage_error("--text", o.text, why);
    r.text = text;
    char buf[80];
    const size_t train = nope_text_train_bytes(r.n), need = nope_text_min_bytes(o.shape.seq);
    if (r.n < need) {
        snprintf(why, sizeof why,
                 "%zu bytes, too short for --seq %u: its first 90%% (%zu bytes, trained on) and the rest "
                 "(%zu bytes, held out) each need a window of %u bytes; allowed %zu bytes or more",
                 r.n, o.shape.seq, train, r.n - train, o.shape.seq + 1, need);
        return usage_error("--text", o.text, why);
    }
    /* The held-out part as its own file, for the experiment on the trained model (docs/science.md,
     * "Trained models": its --text is the held-out text). */
    if (o.held_out && !nope_atomic_write(o.held_out, text + train, r.n - train, why, sizeof why)) {
        fprintf(stderr, "nope-train: --held-out %s: %s\n", shown(o.held_out, buf), why);
        return 1;
    }
    if (!allocate(&r)) {
        fprintf(stderr, "nope-train: out of memory: this shape and --batch %u need about %zu MB\n", o.batch,
                (4 * (4 * nope_train_param_count(&o.shape) + nope_train_acts_floats(&o.shape, o.batch) +
                      nope_train_work_floats(&o.shape, o.batch))) >>
                    20);
        return 2;
    }
    uint32_t workers = o.threads ? o.threads : port_cores();
    nope_parallel_set(port_parallel(), workers);

    char sigma[NOPE_FMT_MAX], lr[NOPE_FMT_MAX], floor[NOPE_FMT_MAX], clip[NOPE_FMT_MAX], wd[NOPE_FMT_MAX],
        eps[NOPE_FMT_MAX];
    nope_fmt_plain(sigma, &o.sigma_dec), nope_fmt_plain(lr, &o.lr_dec), nope_fmt_plain(floor, &o.min_lr_frac_dec);
    nope_fmt_plain(clip, &o.clip_dec), nope_fmt_plain(wd, &o.weight_decay_dec), nope_fmt_plain(eps, &o.eps_dec);
    fprintf(stderr,
            "nope-train: d=%u heads=%u layers=%u ffn=%u seq=%u act=%s eps=%s batch=%u steps=%u lr=%s warmup=%u "
            "min_lr_frac=%s clip=%s weight_decay=%s sigma=%s seed=%llu, %u thread%s\n",
            o.shape.d, o.shape.heads, o.shape.layers, o.shape.ffn, o.shape.seq, nope_act_name(o.shape.act), eps,
            o.batch, o.steps, lr, o.warmup, floor, clip, wd, sigma, (unsigned long long)o.seed, nope_parallel_workers(),
            nope_parallel_workers() == 1 ? "" : "s");
    fprintf(stderr,
            "nope-train: text %s: %zu bytes; trains on the first %zu, holds out the last %zu (%u windows of %u)\n",
            shown(o.text, buf), r.n, train, r.n - train, o.eval_windows, o.shape.seq + 1);
    int status = nope_train_loop(&r);
    free(r.params), free(r.grads), free(r.m), free(r.v), free(r.acts), free(r.work), free(r.windows), free(r.file);
    free(text);
    if (fflush(stdout) != 0 && status == 0)
        status = 1;
    return status;
}
