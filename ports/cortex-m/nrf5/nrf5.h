/* nRF51 / nRF52 peripherals the micro:bit boards use, at the addresses and offsets the two
 * product specifications share (nRF51 Reference Manual v3, nRF52833 Product Specification v1.x):
 * CLOCK, GPIO port 0 (and port 1 on the nRF52833), TIMER0. The UART, UARTE and RNG drivers keep
 * their own registers in their own files. Pins come from boards/<board>/board.mk. */
#ifndef NOPE_NRF5_H
#define NOPE_NRF5_H

#include "../cm.h"

/* CLOCK: the 16 MHz crystal (HFXO) is started by a task and reported by an event; until then
 * HFCLK runs from the internal RC oscillator (a few percent off: UART timing and cycle counts). */
#define NRF5_CLOCK_BASE 0x40000000u
#define NRF5_CLOCK_TASKS_HFCLKSTART CM_REG(NRF5_CLOCK_BASE + 0x000u)
#define NRF5_CLOCK_EVENTS_HFCLKSTARTED CM_REG(NRF5_CLOCK_BASE + 0x100u)
#define NRF5_CLOCK_HFCLKSTAT CM_REG(NRF5_CLOCK_BASE + 0x40Cu)
#define NRF5_CLOCK_HFCLKSTAT_SRC_XTAL 0x1u

/* GPIO: port 0 at 0x50000000, port 1 (nRF52833 only) 0x300 above it. A pin is numbered as the
 * nRF52 PSEL registers number it: bit 5 the port, bits 0-4 the pin in the port. */
#define NRF5_GPIO_BASE(port) (0x50000000u + 0x300u * (uint32_t)(port))
#define NRF5_GPIO_OUTSET(port) CM_REG(NRF5_GPIO_BASE(port) + 0x508u)
#define NRF5_GPIO_OUTCLR(port) CM_REG(NRF5_GPIO_BASE(port) + 0x50Cu)
#define NRF5_GPIO_DIRSET(port) CM_REG(NRF5_GPIO_BASE(port) + 0x518u)
#define NRF5_PIN(port, n) ((uint32_t)(port)*32u + (uint32_t)(n))
#define NRF5_PIN_PORT(pin) ((pin) >> 5)
#define NRF5_PIN_BIT(pin) (1u << ((pin)&31u))

/* TIMER0: a free-running 32-bit counter of the 16 MHz HFCLK (prescaler 0), read by capturing it
 * into CC[0]. On the nRF51 this is the cycle counter: its Cortex-M0 has neither SysTick nor DWT. */
#define NRF5_TIMER0_BASE 0x40008000u
#define NRF5_TIMER0_TASKS_START CM_REG(NRF5_TIMER0_BASE + 0x000u)
#define NRF5_TIMER0_TASKS_CLEAR CM_REG(NRF5_TIMER0_BASE + 0x00Cu)
#define NRF5_TIMER0_TASKS_CAPTURE0 CM_REG(NRF5_TIMER0_BASE + 0x040u)
#define NRF5_TIMER0_MODE CM_REG(NRF5_TIMER0_BASE + 0x504u)
#define NRF5_TIMER0_BITMODE CM_REG(NRF5_TIMER0_BASE + 0x508u)
#define NRF5_TIMER0_PRESCALER CM_REG(NRF5_TIMER0_BASE + 0x510u)
#define NRF5_TIMER0_CC0 CM_REG(NRF5_TIMER0_BASE + 0x540u)
#define NRF5_TIMER_MODE_TIMER 0u
#define NRF5_TIMER_BITMODE_32 3u

/* The UART's pins, set high and driven before the UART takes them (both specifications' UART
 * chapters: TXD as an output at 1 while the peripheral is enabled). */
static inline void nrf5_gpio_write(uint32_t pin, bool high)
{
    if (high) {
        NRF5_GPIO_OUTSET(NRF5_PIN_PORT(pin)) = NRF5_PIN_BIT(pin);
    } else {
        NRF5_GPIO_OUTCLR(NRF5_PIN_PORT(pin)) = NRF5_PIN_BIT(pin);
    }
}

/* The level first, then the direction: the pin never drives the other level in between. */
static inline void nrf5_gpio_output(uint32_t pin, bool high)
{
    nrf5_gpio_write(pin, high);
    NRF5_GPIO_DIRSET(NRF5_PIN_PORT(pin)) = NRF5_PIN_BIT(pin);
}

/* board_nrf5.c, flashable boards only: start the crystal (bounded wait) before the UART's baud
 * rate is derived from HFCLK, light the LED, start the cycle counter. */
void nrf5_board_start(void);

#endif
