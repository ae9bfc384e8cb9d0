/* The flashable micro:bit boards (microbit, microbit-v2): what a real board adds to the QEMU
 * image. Reset brings up the 16 MHz crystal (bounded wait), lights one LED of the matrix and
 * starts a cycle counter; each trial then toggles the LED, and the port's per-trial line counts
 * its cycles with that counter (the hooks of ports/cortex-m/cm.h). The nRF51 also replaces the
 * port's weak port_ticks: its Cortex-M0 has no SysTick (an option ARMv6-M allows and Nordic left
 * out), so the SysTick clock would stand still on the real chip; TIMER0 counts the same 16 MHz
 * instead, and QEMU models it too.
 *
 * Cycle counters: DWT CYCCNT on the nRF52's Cortex-M4, TIMER0 (HFCLK, prescaler 0) on the nRF51,
 * both 32 bits, made 64 by noting each wrap when read; they are read at least once a trial, and
 * a trial is far shorter than a wrap (67 s at 64 MHz, 268 s at 16 MHz: see the boards' READMEs). */
#include "nope/format.h"
#include "nrf5.h"
#include "port.h"

#if !defined(NRF5_LED_ROW) || !defined(NRF5_LED_COL)
#error "NRF5_LED_ROW and NRF5_LED_COL (pins of one LED of the matrix) come from boards/<board>/board.mk"
#endif

#if defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_7M__)
#define NRF5_CYCLES_DWT 1
#define DEMCR CM_REG(0xE000EDFCu) /* debug exception and monitor control */
#define DEMCR_TRCENA (1u << 24)   /* powers the DWT */
#define DWT_CTRL CM_REG(0xE0001000u)
#define DWT_CTRL_CYCCNTENA 0x1u
#define DWT_CYCCNT CM_REG(0xE0001004u)
#define NRF5_COUNTER_NAME "DWT CYCCNT"
#else
#define NRF5_CYCLES_DWT 0
#define NRF5_COUNTER_NAME "TIMER0 (no SysTick, no DWT on this Cortex-M0)"
#endif

/* Polls of EVENTS_HFCLKSTARTED before giving up: the crystal starts in under 1 ms, 16 000 cycles
 * at 16 MHz, and each poll takes several; under QEMU the event never comes. */
#define HFXO_MAX_POLLS 200000u

static bool hfxo_running;
static bool led_lit;
static uint32_t counter_last; /* the 32-bit counter when last read */
static uint64_t counter_high; /* its wraps so far, times 2^32 */

static uint32_t counter_read(void)
{
#if NRF5_CYCLES_DWT
    return DWT_CYCCNT;
#else
    NRF5_TIMER0_TASKS_CAPTURE0 = 1u;
    return NRF5_TIMER0_CC0;
#endif
}

static void counter_start(void)
{
#if NRF5_CYCLES_DWT
    DEMCR |= DEMCR_TRCENA;
    DWT_CYCCNT = 0u;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;
#else
    NRF5_TIMER0_MODE = NRF5_TIMER_MODE_TIMER;
    NRF5_TIMER0_BITMODE = NRF5_TIMER_BITMODE_32;
    NRF5_TIMER0_PRESCALER = 0u; /* HFCLK itself: 16 MHz, the CPU clock */
    NRF5_TIMER0_TASKS_CLEAR = 1u;
    NRF5_TIMER0_TASKS_START = 1u;
#endif
    counter_last = counter_read();
}

/* Cycles since reset, 64 bits: a read lower than the last one means one wrap in between. */
uint64_t cm_cycles(void)
{
    uint32_t now = counter_read();
    if (now < counter_last) {
        counter_high += (uint64_t)1 << 32;
    }
    counter_last = now;
    return counter_high + now;
}

void nrf5_board_start(void)
{
    NRF5_CLOCK_EVENTS_HFCLKSTARTED = 0u;
    NRF5_CLOCK_TASKS_HFCLKSTART = 1u;
    for (uint32_t polls = 0; polls < HFXO_MAX_POLLS && !hfxo_running; polls++) {
        hfxo_running = NRF5_CLOCK_EVENTS_HFCLKSTARTED != 0u;
    }
    /* One LED: its row driven high, its column low; every other matrix pin stays an input. */
    nrf5_gpio_output(NRF5_LED_ROW, true);
    nrf5_gpio_output(NRF5_LED_COL, false);
    led_lit = true;
    counter_start();
}

#if !NRF5_CYCLES_DWT
uint64_t port_ticks(void)
{
    return cm_cycles(); /* at CM_CPU_HZ = 16 MHz, what port_ticks_per_second() says */
}
#endif

static void diag(const char *z)
{
    size_t n = 0;
    while (z[n]) {
        n++;
    }
    port_write(PORT_STREAM_DIAG, z, n);
}

static void diag_u64(uint64_t v)
{
    char num[NOPE_FMT_MAX];
    nope_fmt_u64(num, v);
    diag(num);
}

/* "board: clock ...; LED ...; cycles per trial from ..." once, before the first trial. */
void cm_board_ready(void)
{
    if (hfxo_running) {
        diag("board: HFCLK from the 16 MHz crystal");
    } else {
        diag("board: clock: the 16 MHz crystal did not start within ");
        diag_u64(HFXO_MAX_POLLS);
        diag(" polls; running on the internal RC oscillator, so seconds from cycle counts and "
             "the baud rate are off by up to a few percent");
    }
    diag("; LED row 1 column 1 toggles each trial; cycles per trial from " NRF5_COUNTER_NAME " at ");
    diag_u64(CM_CPU_HZ);
    diag(" Hz\n");
}

void cm_board_trial_done(uint32_t done, uint32_t total)
{
    (void)done;
    (void)total;
    led_lit = !led_lit;
    nrf5_gpio_write(NRF5_LED_ROW, led_lit);
}
