/* CMSDK APB UART (Arm Cortex-M System Design Kit), as on the MPS2 FPGA images: polled
 * transmit. CM_UART_BASE comes from board.mk (UART0: 0x40004000 on AN385/386/500,
 * 0x50200000 = secure alias of 0x40200000 on AN505). */
#include "cm.h"

#ifndef CM_UART_BASE
#error "CM_UART_BASE must be set in boards/<board>/board.mk"
#endif
#define UART_DATA CM_REG(CM_UART_BASE + 0x000u)
#define UART_STATE CM_REG(CM_UART_BASE + 0x004u)
#define UART_CTRL CM_REG(CM_UART_BASE + 0x008u)
#define UART_BAUDDIV CM_REG(CM_UART_BASE + 0x010u)
#define UART_STATE_TXFULL 0x1u
#define UART_CTRL_TXEN 0x1u

void cm_uart_init(void)
{
    UART_BAUDDIV = 16u; /* the smallest divider the UART accepts; QEMU ignores the rate */
    UART_CTRL = UART_CTRL_TXEN;
}

void cm_uart_putc(uint8_t c)
{
    while (UART_STATE & UART_STATE_TXFULL) {
    }
    UART_DATA = c;
}
