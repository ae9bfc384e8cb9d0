#define _POSIX_C_SOURCE 200809L
#include "train_loop.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

#include "../train_model.h"
#include "../train_text.h"
#include "atomic_file.h"
#include "nope/train.h"

#define LN2 0.69314718055994530942

/* Seconds between progress lines. */
#define PROGRESS_EVERY_S 5.0

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Mean loss over the fixed held-out windows, in bits per byte: chunks of up to `batch` windows,
 * each chunk's mean weighted by its windows, summed in order (the same double every time). */
static double heldout_bpb(nope_train_run *r)
{
    const nope_train_opts *o = r->o;
    const uint32_t seq = o->shape.seq, total = o->eval_windows;
    double sum = 0;
    for (uint32_t k0 = 0; k0 < total; k0 += o->batch) {
        uint32_t nb = total - k0 < o->batch ? total - k0 : o->batch;
        for (uint32_t b = 0; b < nb; b++) {
            const uint8_t *from = r->text + nope_text_eval_offset(r->n, seq, k0 + b, total);
            for (uint32_t i = 0; i <= seq; i++)
                r->windows[(size_t)b * (seq + 1) + i] = from[i];
        }
        sum += (double)nope_train_forward(&o->shape, r->params, r->windows, nb, r->acts, r->work) * nb;
    }
    return sum / total / LN2;
}

/* The model at --out, atomically. false (after one line on stderr) when it cannot be. */
static bool save(nope_train_run *r, uint32_t step)
{
    size_t size;
    char why[512];
    nope_mf_status st = nope_train_model_encode(&r->o->shape, r->params, r->file, r->file_cap, &size);
    if (st == NOPE_MF_ERR_NONFINITE) {
        fprintf(stderr, "nope-train: step %u: a parameter is NaN or infinite; training failed, %s left as it was\n",
                step, r->o->out);
        return false;
    }
    if (st != NOPE_MF_OK) {
        fprintf(stderr, "nope-train: the model file cannot be encoded: %s\n", nope_mf_status_text(st));
        return false;
    }
    if (!nope_atomic_write(r->o->out, r->file, size, why, sizeof why)) {
        fprintf(stderr, "nope-train: --out %s: %s; left as it was\n", r->o->out, why);
        return false;
    }
    return true;
}

int nope_train_loop(nope_train_run *r)
{
    const nope_train_opts *o = r->o;
    const nope_train_shape *s = &o->shape;
    const size_t np = nope_train_param_count(s);
    const nope_adamw opt = {0.9f, 0.999f, 1e-8f, o->weight_decay};
    const float lr_min = o->lr * o->min_lr_frac;
    nope_train_init(s, r->params, o->seed, o->sigma_q);

    const double start = now_s();
    double last_shown = start, train_sum = 0, heldout = -1;
    uint32_t train_count = 0, heldout_step = 0;
    for (uint32_t t = 0; t < o->steps; t++) {
        nope_text_train_windows(r->windows, r->text, r->n, s->seq, o->seed, t, o->batch);
        float loss = nope_train_forward(s, r->params, r->windows, o->batch, r->acts, r->work);
        if (!isfinite(loss)) {
            fprintf(stderr, "nope-train: step %u: the training loss is %s; training failed, %s left as it was\n", t + 1,
                    isnan(loss) ? "NaN" : "infinite", o->out);
            return 1;
        }
        nope_train_backward(s, r->params, r->windows, o->batch, r->acts, r->grads, r->work);
        if (o->clip > 0)
            nope_train_clip(r->grads, np, o->clip);
        float lr = nope_train_lr(t, o->warmup, o->steps, o->lr, lr_min);
        nope_train_adamw_step(s, r->params, r->grads, r->m, r->v, t + 1, lr, &opt);
        train_sum += loss, train_count++;

        const uint32_t done = t + 1;
        if (done % o->eval_every == 0 || done == o->steps) {
            heldout = heldout_bpb(r), heldout_step = done;
            if (!isfinite(heldout)) {
                fprintf(stderr,
                        "nope-train: step %u: the held-out loss is not finite; training failed, %s left as it was\n",
                        done, o->out);
                return 1;
            }
            const double elapsed = now_s() - start;
            fprintf(stderr, "nope-train: step %u/%u: held-out %.4f bits per byte, %.0f s, %.2f steps/s\n", done,
                    o->steps, heldout, elapsed, done / elapsed);
        }
        if (o->checkpoint_every && done % o->checkpoint_every == 0 && done < o->steps && !save(r, done))
            return 1;
        double now = now_s();
        if (now - last_shown >= PROGRESS_EVERY_S && done < o->steps) {
            double per_step = (now - start) / done;
            fprintf(stderr, "nope-train: step %u/%u, train %.4f bits per byte", done, o->steps,
                    train_sum / train_count / LN2);
            if (heldout >= 0)
                fprintf(stderr, ", held-out %.4f (step %u)", heldout, heldout_step);
            fprintf(stderr, ", %.0f s, about %.0f s left\n", now - start, per_step * (o->steps - done));
            last_shown = now, train_sum = 0, train_count = 0;
        }
    }
    if (!save(r, o->steps))
        return 1;
    const nope_mf_dims dims = nope_train_model_dims(s);
    fprintf(stderr, "nope-train: wrote %s (%llu bytes) after %u steps in %.1f s\n", o->out,
            (unsigned long long)nope_mf_file_size(&dims), o->steps, now_s() - start);
    printf("held-out bits per byte: %.4f after %u steps (%u windows of %u bytes)\n", heldout, o->steps, o->eval_windows,
           s->seq + 1);
    return 0;
}
