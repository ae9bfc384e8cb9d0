/* Per trial on the pico: the LED toggles (people look at the board) and the trial's cycle
 * count (SysTick on the 125 MHz processor clock, extended to 64 bits by port_ticks) goes to
 * the diagnostic stream as "[pico] trial 3/10: 123456789 cycles".
 *
 * The program (ports/app.c) has no per-trial port hook, so the board links with
 * -Wl,--wrap=nope_experiment_run (BOARD_LDFLAGS): the program's call lands here, and this
 * wraps the program's progress callback in one that does the above first. The report is
 * untouched; only diagnostic lines are added. The count excludes this line's own output. */
#include "rp2040.h"

#include "nope/experiment.h"
#include "nope/format.h"
#include "port.h"

nope_status __real_nope_experiment_run(const nope_config *cfg, nope_progress_fn progress, void *ctx);
nope_status __wrap_nope_experiment_run(const nope_config *cfg, nope_progress_fn progress, void *ctx);

typedef struct {
    nope_progress_fn inner;
    void *inner_ctx;
    uint64_t start; /* ticks when the current trial began */
} trial_clock;

static void each_trial(void *ctx, uint32_t done, uint32_t total)
{
    trial_clock *t = ctx;
    uint64_t cycles = port_ticks() - t->start;
    char num[NOPE_FMT_MAX];
    rp2040_led_toggle();
    cm_diag_str("[pico] trial ");
    cm_diag_dec(done);
    cm_diag_str("/");
    cm_diag_dec(total);
    cm_diag_str(": ");
    nope_fmt_u64(num, cycles);
    cm_diag_str(num);
    cm_diag_str(" cycles\n");
    if (t->inner) {
        t->inner(t->inner_ctx, done, total);
    }
    t->start = port_ticks();
}

nope_status __wrap_nope_experiment_run(const nope_config *cfg, nope_progress_fn progress, void *ctx)
{
    trial_clock t = {progress, ctx, port_ticks()};
    return __real_nope_experiment_run(cfg, each_trial, &t);
}
