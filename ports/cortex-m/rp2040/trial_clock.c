/* The Pico around the trials (the hooks of ports/cortex-m/cm.h): the LED on GP25 changes after
 * every trial; the port's per-trial line counts cycles with SysTick (the M0+ has no DWT cycle
 * counter). */
#include "rp2040.h"

void cm_board_trial_done(uint32_t done, uint32_t total)
{
    (void)done;
    (void)total;
    rp2040_led_toggle();
}
