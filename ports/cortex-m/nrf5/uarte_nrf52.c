/* nRF52 UARTE0 (micro:bit v2): polled transmit through EasyDMA, one byte at a time from a RAM
 * buffer (EasyDMA reads only RAM, never flash), waiting for ENDTX. The micro:bit v2's interface
 * chip (DAPLink's USB serial) listens on P0.06 (our TX) and talks on P1.08 (our RX), at 115200. */
#include "nrf5.h"

#define UARTE_BASE 0x40002000u
#define UARTE_TASKS_STARTTX CM_REG(UARTE_BASE + 0x008u)
#define UARTE_EVENTS_ENDTX CM_REG(UARTE_BASE + 0x120u)
#define UARTE_ENABLE CM_REG(UARTE_BASE + 0x500u)
#define UARTE_PSEL_TXD CM_REG(UARTE_BASE + 0x50Cu)
#define UARTE_PSEL_RXD CM_REG(UARTE_BASE + 0x514u)
#define UARTE_BAUDRATE CM_REG(UARTE_BASE + 0x524u)
#define UARTE_TXD_PTR CM_REG(UARTE_BASE + 0x544u)
#define UARTE_TXD_MAXCNT CM_REG(UARTE_BASE + 0x548u)
#define UARTE_CONFIG CM_REG(UARTE_BASE + 0x56Cu)
#define UARTE_ENABLE_ON 8u
#define UARTE_BAUD_115200 0x01D7E000u
#define UARTE_PIN_TX NRF5_PIN(0, 6)
#define UARTE_PIN_RX NRF5_PIN(1, 8)

static volatile uint8_t tx_byte; /* in RAM, where EasyDMA can read it */

void cm_uart_init(void)
{
    nrf5_board_start();
    nrf5_gpio_output(UARTE_PIN_TX, true); /* idle high before the UARTE drives it */
    UARTE_PSEL_TXD = UARTE_PIN_TX;
    UARTE_PSEL_RXD = UARTE_PIN_RX;
    UARTE_BAUDRATE = UARTE_BAUD_115200;
    UARTE_CONFIG = 0u; /* 8N1, no flow control */
    UARTE_ENABLE = UARTE_ENABLE_ON;
}

void cm_uart_putc(uint8_t c)
{
    tx_byte = c;
    UARTE_TXD_PTR = (uint32_t)(uintptr_t)&tx_byte;
    UARTE_TXD_MAXCNT = 1u;
    UARTE_EVENTS_ENDTX = 0u;
    UARTE_TASKS_STARTTX = 1u;
    while (UARTE_EVENTS_ENDTX == 0u) {
    }
}
