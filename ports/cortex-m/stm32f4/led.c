/* The board's user LEDs (stm32f4_board.h): outputs, STM32_LED_FIRST_ON lit at reset, all of
 * STM32_LED_PINS inverted at every step, so that a board running trials visibly blinks. */
#include "stm32f4.h"

void stm32_led_init(void)
{
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIO(STM32_LED_PORT);
    (void)RCC_AHB1ENR;
    uint32_t moder = GPIO_MODER(STM32_LED_PORT);
    for (uint32_t pin = 0; pin < 16u; pin++) {
        if (STM32_LED_PINS & (1u << pin)) {
            moder = (moder & ~(3u << (2u * pin))) | (GPIO_MODE_OUTPUT << (2u * pin));
        }
    }
    GPIO_BSRR(STM32_LED_PORT) = STM32_LED_FIRST_ON | ((STM32_LED_PINS & ~STM32_LED_FIRST_ON) << 16);
    GPIO_MODER(STM32_LED_PORT) = moder;
}

void stm32_led_toggle(void)
{
    uint32_t lit = GPIO_ODR(STM32_LED_PORT) & STM32_LED_PINS;
    GPIO_BSRR(STM32_LED_PORT) = (STM32_LED_PINS & ~lit) | (lit << 16);
}
