/* RP2040 UART0 (an ARM PL011) on GP0 (TX) and GP1 (RX), 115200 baud 8N1, polled transmit.
 * The console is also where the board comes up: cm_uart_init is the first board code after
 * .data/.bss, so it starts the clocks (board_rp2040.c) and then sets the baud divisor from the
 * clock actually running. */
#include "rp2040.h"

#define UART0_BASE 0x40034000u
#define UART_DR CM_REG(UART0_BASE + 0x000u)
#define UART_FR CM_REG(UART0_BASE + 0x018u)
#define UART_IBRD CM_REG(UART0_BASE + 0x024u)
#define UART_FBRD CM_REG(UART0_BASE + 0x028u)
#define UART_LCR_H CM_REG(UART0_BASE + 0x02Cu)
#define UART_CR CM_REG(UART0_BASE + 0x030u)
#define UART_FR_TXFF (1u << 5)
#define UART_LCR_H_8N1_FIFO ((3u << 5) | (1u << 4))        /* WLEN 8 bits, FIFOs on */
#define UART_CR_ENABLE ((1u << 0) | (1u << 8) | (1u << 9)) /* UARTEN, TXE, RXE */
#define UART_BAUD 115200u

void cm_uart_init(void)
{
    uint32_t clk_peri = rp2040_board_init();

    /* Divisor clk_peri / (16 x baud) in 16.6 fixed point, rounded (PL011 TRM). */
    uint32_t div128 = 8u * clk_peri / UART_BAUD;
    uint32_t ibrd = div128 >> 7, fbrd = ((div128 & 0x7Fu) + 1u) / 2u;
    UART_CR = 0u;
    UART_IBRD = ibrd;
    UART_FBRD = fbrd;
    UART_LCR_H = UART_LCR_H_8N1_FIFO; /* also latches IBRD/FBRD */
    UART_CR = UART_CR_ENABLE;

    /* Pads: input enabled, not isolated; RX pulled up so an open line reads idle. */
    PADS_BANK0_GPIO(PICO_UART_TX_PIN) = (PADS_BANK0_GPIO(PICO_UART_TX_PIN) & ~PADS_OD) | PADS_IE;
    PADS_BANK0_GPIO(PICO_UART_RX_PIN) =
        (PADS_BANK0_GPIO(PICO_UART_RX_PIN) & ~(PADS_OD | PADS_PDE)) | PADS_IE | PADS_PUE;
    IO_BANK0_GPIO_CTRL(PICO_UART_TX_PIN) = GPIO_FUNC_UART;
    IO_BANK0_GPIO_CTRL(PICO_UART_RX_PIN) = GPIO_FUNC_UART;

    rp2040_clock_report();
}

void cm_uart_putc(uint8_t c)
{
    while (UART_FR & UART_FR_TXFF) {
    }
    UART_DR = c;
}
