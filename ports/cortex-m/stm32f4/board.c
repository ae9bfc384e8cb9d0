/* The STM32F4 boards' reset hook (ports/cortex-m/startup.c calls it before the output
 * starts): the clock tree, the LEDs, and the DWT cycle counter that trials.c reads. The clock
 * line waits until the output is up: stm32_clock_report(), from trials.c. */
#include "stm32f4.h"

static const char *clock_trouble; /* why the PLL does not run, or NULL */

void cm_board_init(void)
{
    clock_trouble = stm32_clock_init();
    stm32_led_init();
    DEMCR |= DEMCR_TRCENA;
    if (!(DWT_CTRL & DWT_CTRL_NOCYCCNT)) {
        DWT_CYCCNT = 0;
        DWT_CTRL |= DWT_CTRL_CYCCNTENA;
    }
}

static void diag_mhz(uint32_t hz)
{
    cm_diag_dec(hz / 1000000u);
    cm_diag_str(" MHz");
}

/* "clock: 100 MHz from the 16 MHz HSI via the PLL; console USART2 at 115200 baud", or what
 * did not come up and what runs instead, in one line. */
void stm32_clock_report(void)
{
    cm_diag_str("clock: " STM32_BOARD_NAME ": ");
    if (clock_trouble) {
        cm_diag_str(clock_trouble);
        cm_diag_str(" within ");
        cm_diag_dec(STM32_READY_POLLS);
        cm_diag_str(" polls; running on " STM32_RESET_CLOCK ", not ");
        diag_mhz(CM_CPU_HZ);
        cm_diag_str(": times and cycle counts are in ticks of ");
        diag_mhz(cm_cpu_hz);
    } else {
        diag_mhz(cm_cpu_hz);
        cm_diag_str(STM32_HSE_HZ ? " from the HSE crystal" : " from the 16 MHz HSI");
        cm_diag_str(" via the PLL");
    }
    cm_diag_str("\n");
}
