/* train_bits: three training steps of a small model (forward, backward, clip, AdamW on the
 * schedule), for each activation, written to stdout as raw bytes: the losses, every gradient and
 * the parameters after each step. tests/scripts/train_bits.sh builds this with several compilers,
 * levels and thread counts and compares the bytes. Usage: train_bits [threads] */
#include <stdio.h>
#include <stdlib.h>

#include "nope/parallel.h"
#include "nope/train.h"
#include "port.h"

int main(int argc, char **argv)
{
    if (argc > 1)
        nope_parallel_set(port_parallel(), (uint32_t)atoi(argv[1]));
    for (int act = 0; act < 2; act++) {
        nope_train_shape s = {32, 4, 2, 96, 256, 16, (nope_act)act, 1e-5f};
        enum { BATCH = 6, STEPS = 3 };
        const size_t np = nope_train_param_count(&s);
        float *p = malloc(np * 4), *g = malloc(np * 4), *m = calloc(np, 4), *v = calloc(np, 4);
        float *acts = malloc(nope_train_acts_floats(&s, BATCH) * 4);
        float *work = malloc(nope_train_work_floats(&s, BATCH) * 4);
        const char *text = "It was the best of times, it was the worst of times, it was the age of wisdom, "
                           "it was the age of foolishness, it was the epoch of belief.";
        uint8_t windows[BATCH * 17];
        nope_train_init(&s, p, 42, (uint32_t)(0.02 * (1 << NOPE_SCALE_FRAC_BITS)));
        nope_adamw opt = nope_adamw_defaults();
        for (uint32_t t = 0; t < STEPS; t++) {
            for (size_t k = 0; k < sizeof windows; k++)
                windows[k] = (uint8_t)text[(k + 11 * t) % 120];
            float loss = nope_train_forward(&s, p, windows, BATCH, acts, work);
            nope_train_backward(&s, p, windows, BATCH, acts, g, work);
            float norm = nope_train_clip(g, np, 0.5f);
            nope_train_adamw_step(&s, p, g, m, v, t + 1, nope_train_lr(t, 2, STEPS, 3e-3f, 3e-4f), &opt);
            fwrite(&loss, 4, 1, stdout);
            fwrite(&norm, 4, 1, stdout);
            fwrite(g, 4, np, stdout);
            fwrite(p, 4, np, stdout);
        }
        free(p), free(g), free(m), free(v), free(acts), free(work);
    }
    return fflush(stdout) != 0;
}
