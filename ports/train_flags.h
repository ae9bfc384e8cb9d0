/* nope-train's flags: what a training run is given, range-checked with the core's own decimal
 * parser (no strtod, so a value means the same float everywhere). Freestanding like core/: the
 * host's main (ports/host/train_main.c) calls it. float32 builds only. */
#ifndef NOPE_TRAIN_FLAGS_H
#define NOPE_TRAIN_FLAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/train.h"

#define NOPE_TRAIN_ERR_MAX 320
/* Limits of the run's own flags (the shape's are the build's capacities, nope/config.h). */
#define NOPE_TRAIN_MAX_BATCH 1024
#define NOPE_TRAIN_MAX_STEPS 10000000
#define NOPE_TRAIN_MAX_EVAL_WINDOWS 100000

typedef struct {
    const char *text, *out; /* paths, as given */
    const char *held_out;   /* --held-out: where to write the held-out part; NULL: nowhere */
    nope_train_shape shape; /* vocab is 256: bytes */
    uint32_t batch, steps, warmup, eval_every, eval_windows, checkpoint_every;
    uint32_t threads; /* 0: every core */
    float lr, min_lr_frac, clip, weight_decay;
    uint32_t sigma_q; /* sigma * 2^NOPE_SCALE_FRAC_BITS */
    uint64_t seed;
    /* the decimals as typed, for the banner */
    nope_dec lr_dec, min_lr_frac_dec, clip_dec, weight_decay_dec, sigma_dec, eps_dec;
} nope_train_opts;

/* Parse argv[0..argc) (no program name) over the defaults. NOPE_OK; NOPE_HELP for --help; else
 * one line in err (no newline) naming the flag, the value, why, and what is allowed. */
nope_status nope_train_flags_parse(int argc, const char *const *argv, nope_train_opts *o, char *err);

/* The --help text. */
const char *nope_train_flags_usage(void);

#endif
