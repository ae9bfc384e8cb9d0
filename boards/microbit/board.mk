# BBC micro:bit v1 (nRF51822: Cortex-M0 at 16 MHz, no FPU, 16 KB RAM, 256 KB flash), FLASHABLE:
# the code qemu-microbit runs, without semihosting (a BKPT with no debugger attached faults), the
# report and diagnostics on the UART that the interface chip turns into USB serial, nope.hex to
# copy onto the MICROBIT drive. QEMU's "microbit" machine runs this very image (UART only).
# A real board: flashed, no semihosting, found by make test-images and make size.
BOARD_FLASHABLE := 1
include boards/nrf5.mk
BOARD_RAM_BASE := 0x20000000
BOARD_RAM_BYTES := 16384
BOARD_FLASH_BASE := 0x00000000
BOARD_FLASH_BYTES := 262144
BOARD_FLASH_TARGET := nrf51
BOARD_CPU_HZ := 16000000
BOARD_CPU := -mcpu=cortex-m0 -mthumb -mfloat-abi=soft
# The capacities of qemu-microbit (the canonical configuration in 16 KB; see the file).
include boards/microbit-caps.mk
# LED: row 1 = P0.13, column 1 = P0.04 (micro:bit v1 schematic: a 3 x 9 scanned matrix).
BOARD_DEFS := $(NRF5_DEFS) -DCM_FAULT_ADDRESS=0x10001000u \
              -DNRF5_BOARD_START=1 -DNRF5_LED_ROW=13u -DNRF5_LED_COL=4u
BOARD_SRCS := ports/cortex-m/nrf5/uart_nrf51.c ports/cortex-m/nrf5/entropy_nrf5.c \
              ports/cortex-m/nrf5/board_nrf5.c
# Ticks and cycles from TIMER0 (the nRF51 has no SysTick): see ports/cortex-m/nrf5/board_nrf5.c.
BOARD_QEMU_MACHINE := microbit
BOARD_EXP := --d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --trials 2
BOARD_TEST_EXP := --d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --trials 2 --seed 9
