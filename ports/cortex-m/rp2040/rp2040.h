/* RP2040 registers the pico board code touches (RP2040 datasheet, chapter 2: address map,
 * resets, clocks, XOSC, PLL, SIO; chapter 4: UART, IO_BANK0, PADS_BANK0), and the hooks the
 * files of this directory share. Every peripheral has atomic aliases: +0x2000 sets the bits
 * written, +0x3000 clears them, so no read-modify-write races with the hardware. */
#ifndef NOPE_RP2040_H
#define NOPE_RP2040_H

#include "../cm.h"

#define RP_SET(addr) CM_REG((addr) + 0x2000u)
#define RP_CLR(addr) CM_REG((addr) + 0x3000u)

/* Resets: a peripheral stays in reset until its bit is cleared; RESET_DONE says it is out. */
#define RESETS_BASE 0x4000C000u
#define RESETS_RESET (RESETS_BASE + 0x0u)
#define RESETS_RESET_DONE CM_REG(RESETS_BASE + 0x8u)
#define RESETS_IO_BANK0 (1u << 5)
#define RESETS_PADS_BANK0 (1u << 8)
#define RESETS_PLL_SYS (1u << 12)
#define RESETS_UART0 (1u << 22)

/* Crystal oscillator: 12 MHz on the Pico. */
#define XOSC_BASE 0x40024000u
#define XOSC_CTRL (XOSC_BASE + 0x00u)
#define XOSC_STATUS CM_REG(XOSC_BASE + 0x04u)
#define XOSC_STARTUP CM_REG(XOSC_BASE + 0x0Cu)
#define XOSC_CTRL_FREQ_1_15MHZ 0xAA0u
#define XOSC_CTRL_ENABLE (0xFABu << 12)
#define XOSC_STATUS_STABLE (1u << 31)
/* Startup delay in units of 256 XOSC cycles: (12 MHz x 1 ms + 128) / 256. */
#define XOSC_STARTUP_1MS 47u
#define XOSC_HZ 12000000u

/* System PLL: 12 MHz / REFDIV 1 x FBDIV 125 = 1500 MHz VCO, / 6 / 2 = 125 MHz. */
#define PLL_SYS_BASE 0x40028000u
#define PLL_CS CM_REG(PLL_SYS_BASE + 0x0u)
#define PLL_PWR (PLL_SYS_BASE + 0x4u)
#define PLL_FBDIV_INT CM_REG(PLL_SYS_BASE + 0x8u)
#define PLL_PRIM CM_REG(PLL_SYS_BASE + 0xCu)
#define PLL_CS_LOCK (1u << 31)
#define PLL_PWR_PD (1u << 0)
#define PLL_PWR_POSTDIVPD (1u << 3)
#define PLL_PWR_VCOPD (1u << 5)
#define PLL_REFDIV 1u
#define PLL_FBDIV 125u
#define PLL_POSTDIV1 6u
#define PLL_POSTDIV2 2u

/* Clock generators: CTRL, DIV, SELECTED per clock. clk_ref and clk_sys have glitchless muxes
 * whose SELECTED register shows (one-hot) which source is in use. */
#define CLOCKS_BASE 0x40008000u
#define CLK_REF_CTRL (CLOCKS_BASE + 0x30u)
#define CLK_REF_DIV CM_REG(CLOCKS_BASE + 0x34u)
#define CLK_REF_SELECTED CM_REG(CLOCKS_BASE + 0x38u)
#define CLK_SYS_CTRL (CLOCKS_BASE + 0x3Cu)
#define CLK_SYS_DIV CM_REG(CLOCKS_BASE + 0x40u)
#define CLK_SYS_SELECTED CM_REG(CLOCKS_BASE + 0x44u)
#define CLK_PERI_CTRL CM_REG(CLOCKS_BASE + 0x48u)
#define CLK_SYS_RESUS_CTRL CM_REG(CLOCKS_BASE + 0x78u)
#define CLK_REF_SRC_MASK 0x3u
#define CLK_REF_SRC_XOSC 0x2u
#define CLK_SYS_SRC_AUX 0x1u
#define CLK_SYS_AUXSRC_MASK (0x7u << 5) /* 0 = pll_sys */
#define CLK_PERI_ENABLE (1u << 11)      /* AUXSRC 0 = clk_sys */
#define CLK_DIV_ONE (1u << 8)           /* integer part 1, fraction 0 */

/* Ring oscillator: the reset clock (nominally 6.5 MHz, 1.8 to 12 MHz across parts and
 * temperature), and RANDOMBIT, one sample of its output. */
#define ROSC_BASE 0x40060000u
#define ROSC_RANDOMBIT CM_REG(ROSC_BASE + 0x1Cu)
#define ROSC_NOMINAL_HZ 6500000u

/* GPIO function select and pads. */
#define IO_BANK0_GPIO_CTRL(n) CM_REG(0x40014000u + 0x4u + 8u * (n))
#define PADS_BANK0_GPIO(n) CM_REG(0x4001C000u + 0x4u + 4u * (n))
#define PADS_IE (1u << 6)
#define PADS_OD (1u << 7)
#define PADS_PUE (1u << 3)
#define PADS_PDE (1u << 2)
#define GPIO_FUNC_UART 2u
#define GPIO_FUNC_SIO 5u

/* Single-cycle IO: GPIO output and output-enable, with set/clear/xor registers. */
#define SIO_GPIO_OUT_CLR CM_REG(0xD0000018u)
#define SIO_GPIO_OUT_XOR CM_REG(0xD000001Cu)
#define SIO_GPIO_OE_SET CM_REG(0xD0000024u)

/* The Pico's pins: UART0 TX on GP0, RX on GP1, the green LED on GP25. */
#define PICO_UART_TX_PIN 0u
#define PICO_UART_RX_PIN 1u
#define PICO_LED_PIN 25u

/* How long a bounded wait polls before it gives up (a poll is a few cycles: at the 6.5 MHz
 * reset clock one million of them is well under a second, and the XOSC needs about 1 ms). */
#define RP_MAX_POLLS 1000000u

/* board_rp2040.c: resets, clocks (bounded waits), LED pin. Returns the clk_peri frequency the
 * UART's baud divisor must use; rp2040_clock_report() then says on the diagnostic stream if
 * the clocks did not come up as planned. */
uint32_t rp2040_board_init(void);
void rp2040_clock_report(void);
void rp2040_led_toggle(void);
/* Polls until (reg & mask) == want or RP_MAX_POLLS; true if it got there. */
bool rp2040_wait(volatile uint32_t *reg, uint32_t mask, uint32_t want);

#endif
