/* STM32F4 family: the registers this port touches (addresses and bits from RM0383 for the
 * F411 and RM0090 for the F405/F407, which agree on all of them except PWR_CR.VOS), and what
 * the family's files share. The board's own facts (clock tree, console USART, LED pins) come
 * from boards/<board>/stm32f4_board.h, found through -Iboards/<board> in BOARD_DEFS. */
#ifndef NOPE_STM32F4_H
#define NOPE_STM32F4_H

#include "../cm.h"
#include "stm32f4_board.h"

/* Family defaults a board may override in its stm32f4_board.h. */
#ifndef STM32_RESET_HZ /* every STM32F4 leaves reset on its 16 MHz HSI */
#define STM32_RESET_HZ 16000000u
#define STM32_RESET_CLOCK "the 16 MHz HSI"
#endif
#ifndef STM32_CONSOLE_USART /* ST's boards: USART2 TX on PA2, the ST-LINK's COM port */
#define STM32_CONSOLE_USART 2
#define STM32_CONSOLE_TX_PORT 'A'
#define STM32_CONSOLE_TX_PIN 2u
#endif
#ifndef STM32_CONSOLE_BAUD
#define STM32_CONSOLE_BAUD 115200u
#endif

/* ---- RCC: reset and clock control ---- */
#define RCC_BASE 0x40023800u
#define RCC_CR CM_REG(RCC_BASE + 0x00u)
#define RCC_PLLCFGR CM_REG(RCC_BASE + 0x04u)
#define RCC_CFGR CM_REG(RCC_BASE + 0x08u)
#define RCC_AHB1ENR CM_REG(RCC_BASE + 0x30u)
#define RCC_AHB2ENR CM_REG(RCC_BASE + 0x34u)
#define RCC_APB1ENR CM_REG(RCC_BASE + 0x40u)
#define RCC_APB2ENR CM_REG(RCC_BASE + 0x44u)

#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
/* PLLCFGR: M in [5:0], N in [14:6], P in [17:16] as (P/2 - 1), source in bit 22, Q in [27:24]. */
#define RCC_PLLCFGR_SRC_HSE (1u << 22)
/* CFGR: SW [1:0] selects the system clock, SWS [3:2] says which one runs; AHB prescaler HPRE
 * [7:4] (0 = /1), APB1 PPRE1 [12:10], APB2 PPRE2 [15:13] (0 = /1, 4 = /2, 5 = /4, 6 = /8). */
#define RCC_CFGR_SW_MASK 0x3u
#define RCC_CFGR_SW_PLL 0x2u
#define RCC_CFGR_SWS_MASK 0xCu
#define RCC_CFGR_SWS_PLL 0x8u
#define RCC_CFGR_PPRE1_SHIFT 10
#define RCC_CFGR_PPRE2_SHIFT 13
#define RCC_CFGR_PPRE_MASK 0x7u

#define RCC_AHB1ENR_GPIO(port) (1u << ((port) - 'A'))
#define RCC_AHB2ENR_RNGEN (1u << 6)
#define RCC_APB1ENR_USART2EN (1u << 17)
#define RCC_APB1ENR_PWREN (1u << 28)
#define RCC_APB2ENR_USART1EN (1u << 4)

/* ---- flash interface: wait states before a faster clock ---- */
#define FLASH_ACR CM_REG(0x40023C00u)
#define FLASH_ACR_LATENCY_MASK 0xFu
#define FLASH_ACR_PRFTEN (1u << 8)
#define FLASH_ACR_ICEN (1u << 9)
#define FLASH_ACR_DCEN (1u << 10)

/* ---- PWR: regulator voltage scale (the VOS field's width differs: stm32f4_board.h) ---- */
#define PWR_CR CM_REG(0x40007000u)
#define PWR_CR_VOS_MASK (3u << 14)

/* ---- GPIO ports A..I, 0x400 apart ---- */
#define GPIO_BASE(port) (0x40020000u + 0x400u * (uint32_t)((port) - 'A'))
#define GPIO_MODER(port) CM_REG(GPIO_BASE(port) + 0x00u) /* 2 bits a pin: 01 out, 10 alternate */
#define GPIO_OSPEEDR(port) CM_REG(GPIO_BASE(port) + 0x08u)
#define GPIO_PUPDR(port) CM_REG(GPIO_BASE(port) + 0x0Cu)
#define GPIO_ODR(port) CM_REG(GPIO_BASE(port) + 0x14u)
#define GPIO_BSRR(port) CM_REG(GPIO_BASE(port) + 0x18u)                         /* low half sets, high half resets */
#define GPIO_AFR(port, pin) CM_REG(GPIO_BASE(port) + 0x20u + 4u * ((pin) / 8u)) /* 4 bits a pin */
#define GPIO_MODE_OUTPUT 1u
#define GPIO_MODE_ALTERNATE 2u

/* ---- USART1 (APB2) and USART2 (APB1) ---- */
#define USART1_BASE 0x40011000u
#define USART2_BASE 0x40004400u
#define USART_SR(base) CM_REG((base) + 0x00u)
#define USART_DR(base) CM_REG((base) + 0x04u)
#define USART_BRR(base) CM_REG((base) + 0x08u)
#define USART_CR1(base) CM_REG((base) + 0x0Cu)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_UE (1u << 13)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RE (1u << 2)
#define USART_AF 7u /* USART1 and USART2 pins are alternate function 7 */

/* ---- RNG (F405/F407; the F411 has none) ---- */
#define RNG_BASE 0x50060800u
#define RNG_CR CM_REG(RNG_BASE + 0x00u)
#define RNG_SR CM_REG(RNG_BASE + 0x04u)
#define RNG_DR CM_REG(RNG_BASE + 0x08u)
#define RNG_CR_RNGEN (1u << 2)
#define RNG_SR_DRDY (1u << 0)
#define RNG_SR_CECS (1u << 1) /* clock error: the 48 MHz clock is missing or too slow */
#define RNG_SR_SECS (1u << 2) /* seed error: the noise source is stuck */

/* ---- DWT cycle counter (Cortex-M4 debug, enabled through DEMCR.TRCENA) ---- */
#define DEMCR CM_REG(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL CM_REG(0xE0001000u)
#define DWT_CYCCNT CM_REG(0xE0001004u)
#define DWT_CTRL_CYCCNTENA (1u << 0)
#define DWT_CTRL_NOCYCCNT (1u << 25)

/* Polls of a ready flag before giving up: far more than any oscillator, PLL or the RNG needs
 * on silicon (HSE start-up is a few ms; 200000 polls are 50 ms and more at 16 MHz), and short
 * under QEMU, whose STM32 machines never set them. */
#define STM32_READY_POLLS 200000u

/* clock.c: the clock tree of stm32f4_board.h, with bounded waits. Sets cm_cpu_hz and the bus
 * clocks below to what really runs; returns NULL when the PLL runs, else a sentence saying
 * what did not come up and what the core runs on instead (for the diagnostic stream, which is
 * not up yet when this runs). */
const char *stm32_clock_init(void);
extern uint32_t stm32_apb1_hz, stm32_apb2_hz;

/* led.c: the board's LEDs as outputs, and one step of their blink. */
void stm32_led_init(void);
void stm32_led_toggle(void);

/* board.c: cm_board_init (clocks, LEDs, the DWT cycle counter), and the one line that says
 * which clock runs, printed once the output is up. */
void stm32_clock_report(void);

#endif
