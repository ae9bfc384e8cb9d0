/* QEMU's netduinoplus2 machine (STM32F405), as a twin of nucleo-f411re: the same clock tree,
 * LED and console code, on the F405's memory map. QEMU models neither the RCC (every ready
 * flag reads 0, so the PLL never "locks") nor GPIO nor the RNG; it wires -serial stdio to
 * USART1 (the first serial_hd() in hw/arm/stm32f405_soc.c) and clocks the core and SysTick at
 * a fixed 168 MHz (SYSCLK_FRQ in hw/arm/netduinoplus2.c). */
#ifndef NOPE_STM32F4_BOARD_H
#define NOPE_STM32F4_BOARD_H

#define STM32_BOARD_NAME "qemu-netduinoplus2"
/* The nucleo's PLL from the HSI, but Q = 5 (40 MHz) keeps the F405's RNG clock within 48 MHz. */
#define STM32_HSE_HZ 0u
#define STM32_PLL_M 8u
#define STM32_PLL_N 100u
#define STM32_PLL_P 2u
#define STM32_PLL_Q 5u
#define STM32_APB1_DIV 2u
#define STM32_APB2_DIV 1u
#define STM32_FLASH_WAIT_STATES 3u
#define STM32_PWR_VOS (1u << 14) /* F405: one VOS bit, scale 1 */
/* What runs when the PLL does not come up: on an F405 the 16 MHz HSI; under QEMU, which is the
 * only place this image runs, the machine's fixed 168 MHz, which SysTick counts. */
#define STM32_RESET_HZ 168000000u
#define STM32_RESET_CLOCK "QEMU's fixed 168 MHz (no RCC model; silicon would stay on the 16 MHz HSI)"

#define STM32_CONSOLE_USART 1 /* PA9 TX */
#define STM32_CONSOLE_TX_PORT 'A'
#define STM32_CONSOLE_TX_PIN 9u

/* One LED pin, PA10, to run the LED code: QEMU ignores GPIO writes. */
#define STM32_LED_PORT 'A'
#define STM32_LED_PINS (1u << 10)
#define STM32_LED_FIRST_ON (1u << 10)

#endif
