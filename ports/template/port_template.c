/* A new port starts here: copy this file to ports/<name>/port_<name>.c and fill in each
 * function. The contract is ports/port.h; this file says what each function must do and what
 * the program does with it. Nothing in core/ calls these: ports/app.c does. */
#include "../app.h"
#include "../port.h"

/* Send n bytes. PORT_STREAM_REPORT carries only the report: its bytes must reach the user
 * unchanged (no newline translation) for tools/compare to find them identical to a host's.
 * PORT_STREAM_DIAG carries banners, progress and errors; with a single channel, send both
 * there. Block until the bytes are handed over (a UART: poll its TX-ready flag). */
void port_write(port_stream stream, const char *bytes, size_t n)
{
    (void)stream;
    (void)bytes;
    (void)n;
}

/* Fill *out with 32 bits from a hardware RNG and return true; return false where there is none
 * (the program then refuses --seed random rather than inventing a seed). Non-blocking. */
bool port_entropy(uint32_t *out)
{
    (void)out;
    return false;
}

/* Leave with this status: exit() on a host, semihosting SYS_EXIT under a debugger or QEMU, or
 * a halt loop on bare hardware (after the last byte has left the UART). */
_Noreturn void port_exit(int status)
{
    (void)status;
    for (;;) {
    }
}

/* After each trial: blink an LED, write the trial's cycle count to the diagnostic stream (the
 * Cortex-M port does both through its board hooks), or nothing. Must not touch the report. */
void port_trial_done(uint32_t done, uint32_t total)
{
    (void)done;
    (void)total;
}

/* A free-running 64-bit tick count (extend a 24-bit SysTick in its interrupt), and its rate.
 * Return 0 from port_ticks_per_second() when there is no clock: progress is then not shown. */
uint64_t port_ticks(void)
{
    return 0;
}

uint64_t port_ticks_per_second(void)
{
    return 0;
}

/* The cores a run uses by default. A single core: 1. */
uint32_t port_cores(void)
{
    return 1;
}

/* Threads: a function that runs nope/parallel.h's ranges on that many threads (ports/host/
 * threads_host.c does it with a pool of POSIX threads woken per call), or NULL for none. */
nope_parallel_for_fn port_parallel(void)
{
    return 0;
}

/* Inputs the flags name (--model FILE, --text FILE): a port with files reads them into memory
 * (ports/host/port_host.c); a board returns bytes it links into flash, or false and a reason. */
bool port_input(const char *name, const uint8_t **bytes, size_t *size, const char **why)
{
    (void)name;
    (void)bytes;
    (void)size;
    *why = "this platform has no inputs";
    return false;
}

/* The entry point calls the program with its flags (a board compiles them in) and exits with
 * the status it returns: 0, or 2 for bad input. */
int main(void)
{
    static const char *const argv[] = {"nope", "--trials", "10", 0};
    port_exit(nope_app_main(3, argv));
}
