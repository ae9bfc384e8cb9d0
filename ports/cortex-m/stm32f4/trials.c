/* Per-trial signs of life on the STM32F4 boards: after every trial the LEDs change and the
 * diagnostic stream gets the trial's cycle count, from SysTick (which counts the processor
 * clock) and from the DWT cycle counter (which QEMU does not model: it reads 0 there).
 *
 * The program (ports/app.c) hands its progress callback to nope_experiment_run; the board's
 * link wraps that call (-Wl,--wrap=nope_experiment_run, BOARD_LDFLAGS in family.mk) so that
 * this callback runs first and then the program's own. Nothing else changes: the same
 * trials, the same report. */
#include "nope/experiment.h"
#include "nope/format.h"
#include "port.h"
#include "stm32f4.h"

nope_status __real_nope_experiment_run(const nope_config *cfg, nope_progress_fn progress, void *ctx);
nope_status __wrap_nope_experiment_run(const nope_config *cfg, nope_progress_fn progress, void *ctx);

typedef struct {
    nope_progress_fn progress; /* the program's callback and its context */
    void *ctx;
    uint64_t ticks; /* SysTick and DWT at the start of the trial */
    uint32_t cycles;
} trial_clock;

static void diag_u64(uint64_t v)
{
    char num[NOPE_FMT_MAX];
    port_write(PORT_STREAM_DIAG, num, nope_fmt_u64(num, v));
}

static void restart(trial_clock *t)
{
    t->ticks = port_ticks();
    t->cycles = DWT_CYCCNT;
}

/* "stm32f4: trial 3/10: 123456789 cycles (SysTick), 123456789 (DWT)"; under QEMU the DWT
 * part says it does not count. The line and the program's progress are not timed. */
static void trial_done(void *ctx, uint32_t done, uint32_t total)
{
    trial_clock *t = ctx;
    uint64_t ticks = port_ticks() - t->ticks;
    uint32_t cycles = DWT_CYCCNT - t->cycles;
    stm32_led_toggle();
    cm_diag_str("stm32f4: trial ");
    cm_diag_dec(done);
    cm_diag_str("/");
    cm_diag_dec(total);
    cm_diag_str(": ");
    diag_u64(ticks);
    cm_diag_str(" cycles (SysTick), ");
    if (cycles) {
        cm_diag_dec(cycles);
        cm_diag_str(" (DWT)\n");
    } else {
        cm_diag_str("DWT not counting (QEMU)\n");
    }
    if (t->progress) {
        t->progress(t->ctx, done, total);
    }
    restart(t);
}

nope_status __wrap_nope_experiment_run(const nope_config *cfg, nope_progress_fn progress, void *ctx)
{
    stm32_clock_report();
    trial_clock t = {progress, ctx, 0, 0};
    restart(&t);
    return __real_nope_experiment_run(cfg, trial_done, &t);
}
