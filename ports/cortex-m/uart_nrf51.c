/* nRF51 UART (micro:bit): polled transmit, one byte at a time, waiting for TXDRDY. On the
 * real micro:bit the USB serial bridge is on P0.24 (TX) and P0.25 (RX) at 115200 baud. */
#include "cm.h"

#define UART_BASE 0x40002000u
#define UART_TASKS_STARTTX CM_REG(UART_BASE + 0x008u)
#define UART_EVENTS_TXDRDY CM_REG(UART_BASE + 0x11Cu)
#define UART_ENABLE CM_REG(UART_BASE + 0x500u)
#define UART_PSELTXD CM_REG(UART_BASE + 0x50Cu)
#define UART_TXD CM_REG(UART_BASE + 0x51Cu)
#define UART_BAUDRATE CM_REG(UART_BASE + 0x524u)
#define UART_ENABLE_ON 4u
#define UART_PIN_TX 24u
#define UART_BAUD_115200 0x01D7E000u

void cm_uart_init(void)
{
    UART_PSELTXD = UART_PIN_TX;
    UART_BAUDRATE = UART_BAUD_115200;
    UART_ENABLE = UART_ENABLE_ON;
    UART_TASKS_STARTTX = 1u;
}

void cm_uart_putc(uint8_t c)
{
    UART_EVENTS_TXDRDY = 0u;
    UART_TXD = c;
    while (UART_EVENTS_TXDRDY == 0u) {
    }
}
