/* The STM32F4 boards around the trials (the hooks of ports/cortex-m/cm.h): the clock line once
 * the console works, the LEDs changing after every trial, and the cycles the generic per-trial
 * line prints: DWT's when it counts (it is 32 bits, made 64 by noting each wrap when read, once a
 * trial at least: a wrap takes 25 s at 168 MHz, a default trial 2 to 4 s), SysTick's where it
 * does not (QEMU does not model DWT: it reads 0). */
#include "port.h"
#include "stm32f4.h"

static uint32_t dwt_last;
static uint64_t dwt_high; /* wraps of CYCCNT so far, times 2^32 */
static bool dwt_counts;

void cm_board_ready(void)
{
    stm32_clock_report();
    uint32_t before = DWT_CYCCNT;
    for (volatile int k = 0; k < 8; k++) {
    }
    dwt_counts = DWT_CYCCNT != before;
    cm_diag_str(dwt_counts ? "stm32f4: cycles per trial from DWT CYCCNT\n"
                           : "stm32f4: cycles per trial from SysTick (DWT not counting: QEMU)\n");
}

void cm_board_trial_done(uint32_t done, uint32_t total)
{
    (void)done;
    (void)total;
    stm32_led_toggle();
}

uint64_t cm_cycles(void)
{
    if (!dwt_counts)
        return port_ticks();
    uint32_t now = DWT_CYCCNT;
    if (now < dwt_last)
        dwt_high += UINT64_C(1) << 32;
    dwt_last = now;
    return dwt_high | now;
}
