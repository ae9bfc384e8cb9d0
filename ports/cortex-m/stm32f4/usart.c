/* The console: USART1 or USART2 (stm32f4_board.h), transmit only, 8N1 at STM32_CONSOLE_BAUD,
 * polled. The baud divider comes from the bus clock clock.c really set up, so the rate is
 * right on the PLL and on the reset clock alike. */
#include "stm32f4.h"

#if STM32_CONSOLE_USART == 1
#define CONSOLE USART1_BASE
#define CONSOLE_BUS_HZ stm32_apb2_hz
#define CONSOLE_ENR RCC_APB2ENR
#define CONSOLE_EN RCC_APB2ENR_USART1EN
#elif STM32_CONSOLE_USART == 2
#define CONSOLE USART2_BASE
#define CONSOLE_BUS_HZ stm32_apb1_hz
#define CONSOLE_ENR RCC_APB1ENR
#define CONSOLE_EN RCC_APB1ENR_USART2EN
#else
#error "STM32_CONSOLE_USART must be 1 or 2"
#endif
#define TX_PORT STM32_CONSOLE_TX_PORT
#define TX_PIN STM32_CONSOLE_TX_PIN
/* One byte at 115200 baud is about 9000 cycles at 100 MHz; a USART that never empties (not
 * clocked) drops bytes after this many polls instead of hanging the run. */
#define TXE_POLLS 1000000u

void cm_uart_init(void)
{
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIO(TX_PORT);
    CONSOLE_ENR |= CONSOLE_EN;
    (void)CONSOLE_ENR; /* the clocks run before the first register write */
    uint32_t af_shift = 4u * (TX_PIN % 8u);
    GPIO_AFR(TX_PORT, TX_PIN) = (GPIO_AFR(TX_PORT, TX_PIN) & ~(0xFu << af_shift)) | (USART_AF << af_shift);
    GPIO_MODER(TX_PORT) = (GPIO_MODER(TX_PORT) & ~(3u << (2u * TX_PIN))) | (GPIO_MODE_ALTERNATE << (2u * TX_PIN));
    USART_CR1(CONSOLE) = 0;
    /* Oversampling by 16: BRR = bus clock / baud (mantissa and 4-bit fraction in one number). */
    USART_BRR(CONSOLE) = (CONSOLE_BUS_HZ + STM32_CONSOLE_BAUD / 2u) / STM32_CONSOLE_BAUD;
    USART_CR1(CONSOLE) = USART_CR1_UE | USART_CR1_TE;
}

void cm_uart_putc(uint8_t c)
{
    for (uint32_t polls = 0; !(USART_SR(CONSOLE) & USART_SR_TXE); polls++) {
        if (polls == TXE_POLLS) {
            return;
        }
    }
    USART_DR(CONSOLE) = c;
}
