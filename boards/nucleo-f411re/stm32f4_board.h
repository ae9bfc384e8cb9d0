/* NUCLEO-F411RE (STM32F411RE): the facts ports/cortex-m/stm32f4/ needs (UM1724, RM0383). */
#ifndef NOPE_STM32F4_BOARD_H
#define NOPE_STM32F4_BOARD_H

#define STM32_BOARD_NAME "nucleo-f411re"
/* 100 MHz from the 16 MHz HSI: /8 = 2 MHz into the PLL, x100 = 200 MHz VCO, /2 = 100 MHz.
 * (The ST-LINK's 8 MHz MCO would need solder bridges on some revisions; the HSI needs none.)
 * Q = 4 gives 50 MHz on the 48 MHz domain, which nothing here uses (no USB, no RNG). */
#define STM32_HSE_HZ 0u
#define STM32_PLL_M 8u
#define STM32_PLL_N 100u
#define STM32_PLL_P 2u
#define STM32_PLL_Q 4u
/* APB1 at most 50 MHz, APB2 at most 100 MHz; 3 flash wait states for 90-100 MHz at 2.7-3.6 V,
 * and regulator scale 1 (VOS = 11 in PWR_CR[15:14]; the F411 resets to scale 2). */
#define STM32_APB1_DIV 2u
#define STM32_APB2_DIV 1u
#define STM32_FLASH_WAIT_STATES 3u
#define STM32_PWR_VOS (3u << 14)
/* The console is the family default (stm32f4.h): USART2 TX on PA2 at 115200 baud, which the
 * ST-LINK/V2-1 carries to its virtual COM port (RX on PA3 is not used). If the PLL does not
 * come up, the core stays on the 16 MHz HSI (also the family default). */

/* LD2, the green user LED, on PA5 (high = on). */
#define STM32_LED_PORT 'A'
#define STM32_LED_PINS (1u << 5)
#define STM32_LED_FIRST_ON (1u << 5)

#endif
