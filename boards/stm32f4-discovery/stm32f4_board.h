/* STM32F4DISCOVERY (STM32F407VG): the facts ports/cortex-m/stm32f4/ needs (UM1472, RM0090). */
#ifndef NOPE_STM32F4_BOARD_H
#define NOPE_STM32F4_BOARD_H

#define STM32_BOARD_NAME "stm32f4-discovery"
/* 168 MHz from the board's 8 MHz crystal (HSE): /8 = 1 MHz into the PLL, x336 = 336 MHz VCO,
 * /2 = 168 MHz; Q = 7 gives the 48 MHz the RNG needs. */
#define STM32_HSE_HZ 8000000u
#define STM32_PLL_M 8u
#define STM32_PLL_N 336u
#define STM32_PLL_P 2u
#define STM32_PLL_Q 7u
/* APB1 at most 42 MHz (/4), APB2 at most 84 MHz (/2); 5 flash wait states for 150-168 MHz at
 * 2.7-3.6 V; regulator scale 1 (VOS = 1 in PWR_CR[14], also its reset value). */
#define STM32_APB1_DIV 4u
#define STM32_APB2_DIV 2u
#define STM32_FLASH_WAIT_STATES 5u
#define STM32_PWR_VOS (1u << 14)
/* The console is the family default (stm32f4.h), USART2 TX on PA2 at 115200 baud. The
 * ST-LINK/V2 of the MB997B/C boards has no virtual COM port: a 3.3 V USB-serial adapter's RX
 * goes to PA2, its GND to GND. Without the PLL the core stays on the 16 MHz HSI. */

/* The four user LEDs, PD12 green, PD13 orange, PD14 red, PD15 blue: two on, two off, swapped
 * after every trial. */
#define STM32_LED_PORT 'D'
#define STM32_LED_PINS (0xFu << 12)
#define STM32_LED_FIRST_ON ((1u << 12) | (1u << 14))

#endif
