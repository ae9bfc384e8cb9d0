/* nRF51 UART (micro:bit v1): polled transmit, one byte at a time, waiting for TXDRDY. The
 * micro:bit's interface chip (DAPLink's USB serial) listens on P0.24 (our TX) and talks on P0.25
 * (our RX), at 115200 baud. The flashable board (-DNRF5_BOARD_START=1) first starts the crystal,
 * which the baud rate generator then runs from; qemu-microbit does not need to. */
#include "nrf5.h"

#define UART_BASE 0x40002000u
#define UART_TASKS_STARTTX CM_REG(UART_BASE + 0x008u)
#define UART_EVENTS_TXDRDY CM_REG(UART_BASE + 0x11Cu)
#define UART_ENABLE CM_REG(UART_BASE + 0x500u)
#define UART_PSELTXD CM_REG(UART_BASE + 0x50Cu)
#define UART_PSELRXD CM_REG(UART_BASE + 0x514u)
#define UART_TXD CM_REG(UART_BASE + 0x51Cu)
#define UART_BAUDRATE CM_REG(UART_BASE + 0x524u)
#define UART_ENABLE_ON 4u
#define UART_PIN_TX 24u
#define UART_PIN_RX 25u
#define UART_BAUD_115200 0x01D7E000u

#ifndef NRF5_BOARD_START
#define NRF5_BOARD_START 0
#endif

void cm_uart_init(void)
{
#if NRF5_BOARD_START
    nrf5_board_start();
#endif
    nrf5_gpio_output(UART_PIN_TX, true); /* idle high before the UART drives it */
    UART_PSELTXD = UART_PIN_TX;
    UART_PSELRXD = UART_PIN_RX;
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
