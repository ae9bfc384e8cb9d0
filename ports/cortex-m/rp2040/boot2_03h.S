/* RP2040 second-stage boot (boot2) for any flash that answers the 03h serial read command,
 * which the Pico's W25Q16JV does. The bootrom copies the first 256 bytes of flash to SRAM at
 * 0x20041F00, checks the CRC32 in their last 4 bytes (RP2040 datasheet 2.8.1.3.1; the build
 * appends it, tools/rp2040_boot2.py) and jumps here. This code sets the XIP SSI
 * up to turn every read of the flash window (0x10000000) into a 03h command, then enters the
 * program through its vector table at 0x10000100 exactly as a reset would: VTOR, MSP, reset
 * handler. At most 252 bytes, position independent (it runs from SRAM), no stack.
 *
 * Standard SPI reads are slower than the quad modes on a cache miss (8 command, 24 address and
 * 32 data clocks per word); the 16 KB XIP cache holds the program's inner loops, so this costs
 * little once a trial is under way, and it works with any flash chip. */
    .syntax unified
    .cpu cortex-m0plus
    .thumb

    .equ XIP_SSI_BASE, 0x18000000
    .equ SSI_CTRLR0, 0x00
    .equ SSI_CTRLR1, 0x04
    .equ SSI_SSIENR, 0x08
    .equ SSI_BAUDR, 0x14
    .equ SSI_SPI_CTRLR0, 0xF4
    /* SSI clock = clk_sys / 4: 31.25 MHz at 125 MHz, within the 50 MHz limit of 03h reads. */
    .equ SPI_CLKDIV, 4
    /* CTRLR0: standard 1-bit frames (SPI_FRF 0), 32-bit data frames (DFS_32 = 31), TMOD 3 =
     * EEPROM read: send instruction and address, then receive. */
    .equ CTRLR0_XIP, (0 << 21) | (31 << 16) | (3 << 8)
    /* SPI_CTRLR0: XIP command 03h, 8-bit instruction (INST_L 2), 24-bit address (ADDR_L 6),
     * instruction and address both in standard SPI (TRANS_TYPE 0). */
    .equ SPI_CTRLR0_XIP, (0x03 << 24) | (2 << 8) | (6 << 2) | 0
    .equ XIP_BASE, 0x10000000
    .equ M0PLUS_VTOR, 0xE000ED08

    .section .text.boot2, "ax"
    .global boot2_entry
    .type boot2_entry, %function
    .thumb_func
boot2_entry:
    ldr r3, =XIP_SSI_BASE
    movs r1, #0
    str r1, [r3, #SSI_SSIENR]      /* the SSI is configured only while disabled */
    movs r1, #SPI_CLKDIV
    str r1, [r3, #SSI_BAUDR]
    ldr r1, =CTRLR0_XIP
    str r1, [r3, #SSI_CTRLR0]
    ldr r1, =SPI_CTRLR0_XIP
    ldr r0, =XIP_SSI_BASE + SSI_SPI_CTRLR0
    str r1, [r0]
    movs r1, #0
    str r1, [r3, #SSI_CTRLR1]      /* NDF 0: one 32-bit frame per read */
    movs r1, #1
    str r1, [r3, #SSI_SSIENR]
    /* XIP is live: enter the program as a reset would. */
    ldr r0, =XIP_BASE + 0x100
    ldr r1, =M0PLUS_VTOR
    str r0, [r1]
    ldmia r0!, {r1, r2}            /* initial SP, reset vector */
    msr msp, r1
    bx r2
    .ltorg
    .size boot2_entry, . - boot2_entry
