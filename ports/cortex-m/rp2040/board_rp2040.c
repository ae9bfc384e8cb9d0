/* Raspberry Pi Pico bring-up: peripherals out of reset, clk_sys at 125 MHz from the 12 MHz
 * crystal through PLL_SYS, clk_peri (the UART's clock) = clk_sys, and the LED pin.
 *
 * Every wait is bounded. A crystal that never becomes stable leaves everything on the ring
 * oscillator (about 6.5 MHz, uncalibrated: the baud rate is then approximate); a PLL that never
 * locks leaves clk_sys on the 12 MHz crystal (the baud rate is right). Either way the run goes
 * on and one diagnostic line says so, because port_ticks_per_second() still claims
 * CM_CPU_HZ = 125 MHz: seconds derived from ticks are then wrong, cycle counts are not. */
#include "rp2040.h"

typedef enum { CLOCK_PLL, CLOCK_NO_PLL_LOCK, CLOCK_NO_XOSC, CLOCK_MUX_STUCK } clock_state;
static clock_state clock_result;

bool rp2040_wait(volatile uint32_t *reg, uint32_t mask, uint32_t want)
{
    for (uint32_t polls = 0; polls < RP_MAX_POLLS; polls++) {
        if ((*reg & mask) == want) {
            return true;
        }
    }
    return false;
}

static bool unreset(uint32_t mask)
{
    RP_CLR(RESETS_RESET) = mask;
    return rp2040_wait(&RESETS_RESET_DONE, mask, mask);
}

/* clk_sys and clk_ref back on their reset sources (clk_ref, the ROSC) before the PLL is reset:
 * a debugger reset can leave clk_sys running from the PLL. */
static bool clocks_to_reset_sources(void)
{
    CLK_SYS_RESUS_CTRL = 0u;
    RP_CLR(CLK_SYS_CTRL) = CLK_SYS_SRC_AUX;
    bool ok = rp2040_wait(&CLK_SYS_SELECTED, 0x1u, 0x1u);
    RP_CLR(CLK_REF_CTRL) = CLK_REF_SRC_MASK;
    return rp2040_wait(&CLK_REF_SELECTED, 0x1u, 0x1u) && ok;
}

static bool xosc_start(void)
{
    CM_REG(XOSC_CTRL) = XOSC_CTRL_FREQ_1_15MHZ;
    XOSC_STARTUP = XOSC_STARTUP_1MS;
    RP_SET(XOSC_CTRL) = XOSC_CTRL_ENABLE;
    return rp2040_wait(&XOSC_STATUS, XOSC_STATUS_STABLE, XOSC_STATUS_STABLE);
}

static bool pll_sys_start(void)
{
    RP_SET(RESETS_RESET) = RESETS_PLL_SYS;
    if (!unreset(RESETS_PLL_SYS)) {
        return false;
    }
    PLL_CS = PLL_REFDIV;
    PLL_FBDIV_INT = PLL_FBDIV;
    RP_CLR(PLL_PWR) = PLL_PWR_PD | PLL_PWR_VCOPD;
    if (!rp2040_wait(&PLL_CS, PLL_CS_LOCK, PLL_CS_LOCK)) {
        return false;
    }
    PLL_PRIM = (PLL_POSTDIV1 << 16) | (PLL_POSTDIV2 << 12);
    RP_CLR(PLL_PWR) = PLL_PWR_POSTDIVPD;
    return true;
}

/* Returns the frequency clk_sys (and so clk_peri) runs at. */
static uint32_t clocks_start(void)
{
    if (!clocks_to_reset_sources()) {
        clock_result = CLOCK_MUX_STUCK;
        return ROSC_NOMINAL_HZ;
    }
    if (!xosc_start()) {
        clock_result = CLOCK_NO_XOSC;
        return ROSC_NOMINAL_HZ;
    }
    /* clk_ref from the crystal: the reference of the watchdog tick, and clk_sys's fallback. */
    CLK_REF_DIV = CLK_DIV_ONE;
    CM_REG(CLK_REF_CTRL) = (CM_REG(CLK_REF_CTRL) & ~CLK_REF_SRC_MASK) | CLK_REF_SRC_XOSC;
    if (!rp2040_wait(&CLK_REF_SELECTED, 0x7u, 1u << CLK_REF_SRC_XOSC)) {
        clock_result = CLOCK_MUX_STUCK;
        return ROSC_NOMINAL_HZ;
    }
    if (!pll_sys_start()) {
        clock_result = CLOCK_NO_PLL_LOCK;
        return XOSC_HZ;
    }
    /* clk_sys: aux source pll_sys selected while the glitchless mux still points at clk_ref,
     * then the mux switched over. */
    CLK_SYS_DIV = CLK_DIV_ONE;
    RP_CLR(CLK_SYS_CTRL) = CLK_SYS_AUXSRC_MASK;
    RP_SET(CLK_SYS_CTRL) = CLK_SYS_SRC_AUX;
    if (!rp2040_wait(&CLK_SYS_SELECTED, 0x3u, 0x2u)) {
        clock_result = CLOCK_MUX_STUCK;
        return XOSC_HZ;
    }
    clock_result = CLOCK_PLL;
    return CM_CPU_HZ;
}

uint32_t rp2040_board_init(void)
{
    uint32_t hz = clocks_start();
    /* clk_peri from clk_sys: stopped while its source changes, then enabled. */
    CLK_PERI_CTRL = 0u;
    CLK_PERI_CTRL = CLK_PERI_ENABLE;

    RP_SET(RESETS_RESET) = RESETS_UART0;
    (void)unreset(RESETS_IO_BANK0 | RESETS_PADS_BANK0 | RESETS_UART0);

    /* LED: a plain SIO output, off to start. */
    PADS_BANK0_GPIO(PICO_LED_PIN) &= ~PADS_OD;
    IO_BANK0_GPIO_CTRL(PICO_LED_PIN) = GPIO_FUNC_SIO;
    SIO_GPIO_OUT_CLR = 1u << PICO_LED_PIN;
    SIO_GPIO_OE_SET = 1u << PICO_LED_PIN;
    return hz;
}

void rp2040_led_toggle(void)
{
    SIO_GPIO_OUT_XOR = 1u << PICO_LED_PIN;
}

void rp2040_clock_report(void)
{
    switch (clock_result) {
    case CLOCK_PLL: return;
    case CLOCK_NO_PLL_LOCK:
        cm_diag_str("clock: PLL_SYS did not lock within ");
        cm_diag_dec(RP_MAX_POLLS);
        cm_diag_str(" polls; running on the 12 MHz XOSC: cycle counts are right, seconds from "
                    "ticks are 125/12 too long (CM_CPU_HZ assumes 125 MHz)\n");
        return;
    case CLOCK_NO_XOSC:
        cm_diag_str("clock: XOSC not stable within ");
        cm_diag_dec(RP_MAX_POLLS);
        cm_diag_str(" polls; running on the ROSC (about 6.5 MHz, uncalibrated): baud rate "
                    "approximate, seconds from ticks wrong (CM_CPU_HZ assumes 125 MHz)\n");
        return;
    case CLOCK_MUX_STUCK:
        cm_diag_str("clock: a clock mux did not switch within ");
        cm_diag_dec(RP_MAX_POLLS);
        cm_diag_str(" polls; running on the reset clock: baud rate approximate, seconds from "
                    "ticks wrong (CM_CPU_HZ assumes 125 MHz)\n");
        return;
    }
}
