/* ports/port.h for Cortex-M boards. Output goes either to semihosting (the report to the
 * host's stdout, diagnostics to its stderr: two clean streams under QEMU) or to the board's
 * UART, where both streams share one wire and every diagnostic line starts with
 * CM_DIAG_PREFIX so that tools/qemu-run can split them again. */
#include "cm.h"
#include "nope/format.h"
#include "port.h"

/* ---- output ---- */

#if CM_OUT == CM_OUT_SEMIHOST
static int32_t out_handle[3] = {-1, -1, -1}; /* indexed by port_stream */

void cm_output_init(void)
{
    out_handle[PORT_STREAM_REPORT] = cm_semihost_open_tt(false);
    out_handle[PORT_STREAM_DIAG] = cm_semihost_open_tt(true);
}

void port_write(port_stream stream, const char *bytes, size_t n)
{
    int32_t h = out_handle[stream == PORT_STREAM_REPORT ? PORT_STREAM_REPORT : PORT_STREAM_DIAG];
    if (h >= 0) {
        (void)cm_semihost_write(h, bytes, n);
        return;
    }
    /* No file handles: SYS_WRITE0 through a small NUL-terminated bounce buffer. */
    char chunk[65];
    while (n > 0) {
        size_t k = n < sizeof chunk - 1 ? n : sizeof chunk - 1;
        for (size_t i = 0; i < k; i++) {
            chunk[i] = bytes[i] ? bytes[i] : ' ';
        }
        chunk[k] = 0;
        cm_semihost_write0(chunk);
        bytes += k;
        n -= k;
    }
}
#else
static bool diag_line_open;   /* a diagnostic line was started and not yet ended */
static bool report_line_open; /* a report line was started and not yet ended */
/* The last diagnostic byte was '\r': what follows writes over the line (progress), and gets the
 * prefix again so that a reader splitting at '\r' as well as '\n' sees each update as it comes. */
static bool diag_rewritten;

void cm_output_init(void)
{
    cm_uart_init();
}

void port_write(port_stream stream, const char *bytes, size_t n)
{
    bool diag = stream != PORT_STREAM_REPORT;
    /* Never splice one stream into the middle of the other's line. */
    if (diag ? report_line_open : diag_line_open) {
        cm_uart_putc('\n');
        report_line_open = diag_line_open = diag_rewritten = false;
    }
    bool *open = diag ? &diag_line_open : &report_line_open;
    for (size_t i = 0; i < n; i++) {
        if (diag && (!*open || diag_rewritten)) {
            for (const char *p = CM_DIAG_PREFIX; *p; p++) {
                cm_uart_putc((uint8_t)*p);
            }
        }
        cm_uart_putc((uint8_t)bytes[i]);
        *open = bytes[i] != '\n';
        diag_rewritten = diag && bytes[i] == '\r';
    }
}
#endif

void cm_diag_str(const char *z)
{
    size_t n = 0;
    while (z[n]) {
        n++;
    }
    port_write(PORT_STREAM_DIAG, z, n);
}

void cm_diag_dec(uint32_t v)
{
    char buf[11];
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    port_write(PORT_STREAM_DIAG, buf + i, sizeof buf - i);
}

/* "  name=0x0123abcd\n" */
void cm_diag_hex(const char *name, uint32_t v)
{
    char buf[11] = "0x";
    for (int i = 0; i < 8; i++) {
        buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xFu];
    }
    buf[10] = '\n';
    cm_diag_str("  ");
    cm_diag_str(name);
    cm_diag_str("=");
    port_write(PORT_STREAM_DIAG, buf, sizeof buf);
}

/* ---- entropy: the board's driver (entropy_none.c where there is no RNG) ---- */

bool port_entropy(uint32_t *out)
{
    return cm_entropy(out);
}

/* ---- exit ---- */

_Noreturn void port_exit(int status)
{
    bool overflow = cm_stack_overflowed();
    cm_diag_str("[cortex-m] stack high-water mark: ");
    cm_diag_dec(cm_stack_used());
    cm_diag_str(" of ");
    cm_diag_dec((uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom));
    cm_diag_str(overflow ? " bytes: OVERFLOW into .bss\n" : " bytes (painted)\n");
    if (overflow && status == 0) {
        status = CM_STATUS_STACK;
    }
#if CM_SEMIHOSTING
    cm_semihost_exit(status);
#else
    __asm__ volatile("cpsid i" ::: "memory");
    for (;;) {
        __asm__ volatile("wfi");
    }
#endif
}

/* ---- after each trial: the board's sign of life and the trial's cycle count ---- */

__attribute__((weak)) void cm_board_ready(void)
{
}

__attribute__((weak)) void cm_board_trial_done(uint32_t done, uint32_t total)
{
    (void)done;
    (void)total;
}

__attribute__((weak)) uint64_t cm_cycles(void)
{
    return port_ticks();
}

static uint64_t trial_start; /* set by port_trial_done(0, ...) just before the first trial */

/* "cycles: trial 3/10: 123456789 (7.716 s at 16000000 Hz)": the count leaves out this line. */
void port_trial_done(uint32_t done, uint32_t total)
{
    if (done == 0) { /* the trials start now */
        trial_start = cm_cycles();
        return;
    }
    uint64_t spent = cm_cycles() - trial_start;
    cm_board_trial_done(done, total);
    char num[NOPE_FMT_MAX];
    uint64_t ms = spent / (cm_cpu_hz / 1000u);
    cm_diag_str("cycles: trial ");
    cm_diag_dec(done);
    cm_diag_str("/");
    cm_diag_dec(total);
    cm_diag_str(": ");
    nope_fmt_u64(num, spent);
    cm_diag_str(num);
    cm_diag_str(" (");
    nope_fmt_u64(num, ms / 1000u);
    cm_diag_str(num);
    cm_diag_str(".");
    uint32_t frac = (uint32_t)(ms % 1000u);
    cm_diag_str(frac < 10u ? "00" : frac < 100u ? "0" : "");
    cm_diag_dec(frac);
    cm_diag_str(" s at ");
    cm_diag_dec(cm_cpu_hz);
    cm_diag_str(" Hz)\n");
    trial_start = cm_cycles();
}

/* ---- clock: SysTick on the processor clock, 24 bits extended in its interrupt ---- */

static volatile uint32_t systick_wraps;
uint32_t cm_cpu_hz = CM_CPU_HZ;

void cm_systick_handler(void)
{
    systick_wraps++;
}

void cm_ticks_init(void)
{
    CM_SYST_RVR = CM_SYST_MAX;
    CM_SYST_CVR = 0;
    CM_SYST_CSR = CM_SYST_CSR_ENABLE | CM_SYST_CSR_TICKINT | CM_SYST_CSR_CLKSOURCE;
}

/* The counter may have wrapped (and reloaded) before its interrupt was taken: QEMU, for one,
 * takes interrupts only between translated blocks. So a pending SysTick with a counter still
 * in the upper half of its range means one wrap not yet counted. The wrap count is read on
 * both sides to catch an interrupt taken in between. 2^32 wraps of 2^24 ticks never run out. */
/* Weak: a core without SysTick (the nRF51's M0) counts with a timer of its own instead. */
__attribute__((weak)) uint64_t port_ticks(void)
{
    uint32_t hi, cur;
    bool pending;
    do {
        hi = systick_wraps;
        cur = CM_SYST_CVR;
        pending = (CM_SCB_ICSR & CM_ICSR_PENDSTSET) != 0;
    } while (hi != systick_wraps);
    if (pending && cur > CM_SYST_MAX / 2) {
        hi++;
    }
    return ((uint64_t)hi << 24) + (CM_SYST_MAX - cur);
}

uint64_t port_ticks_per_second(void)
{
    return cm_cpu_hz;
}

/* ---- threads: none; a board runs every range in turn on its one core ---- */

uint32_t port_cores(void)
{
    return 1;
}

nope_parallel_for_fn port_parallel(void)
{
    return NULL;
}

/* ---- inputs: the model and text slice linked into flash, read where they lie ---- */

static bool same_name(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

bool port_input(const char *name, const uint8_t **bytes, size_t *size, const char **why)
{
    if (cm_inputs == NULL) {
        *why = "this image links no files (make BOARD=... MODEL=FILE TEXT=FILE links a model and a text into flash)";
        return false;
    }
    for (const cm_input *in = cm_inputs; in->name != NULL; in++) {
        if (same_name(in->name, name)) {
            *bytes = in->bytes;
            *size = in->size;
            return true;
        }
    }
    *why = "this image links only the MODEL and TEXT it was built with, under the names its flags give them";
    return false;
}
