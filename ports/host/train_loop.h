/* nope-train's loop: steps of forward, backward, clip, schedule and AdamW over the training
 * windows; the held-out evaluation; progress on stderr; the model written atomically at the
 * checkpoints and at the end. Host only. */
#ifndef NOPE_TRAIN_LOOP_H
#define NOPE_TRAIN_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "../train_flags.h"

/* Everything a run works in, allocated by the caller (ports/host/train_main.c). */
typedef struct {
    const nope_train_opts *o;
    const uint8_t *text;
    size_t n;                      /* text bytes */
    float *params, *grads, *m, *v; /* nope_train_param_count each; m, v zero */
    float *acts, *work;            /* nope_train_acts_floats, _work_floats of o->batch */
    uint8_t *windows;              /* o->batch * (seq + 1) */
    uint8_t *file;                 /* the model file's bytes: file_cap */
    size_t file_cap;
} nope_train_run;

/* The whole run. Returns the exit status: 0 with the model written and the final held-out bits
 * per byte on stdout; 1 when training fails (a NaN or an infinity) or the model cannot be
 * written, with one line on stderr and --out as it was. */
int nope_train_loop(nope_train_run *r);

#endif
