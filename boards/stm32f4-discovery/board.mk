# ST STM32F4DISCOVERY: STM32F407VG (Cortex-M4F, 168 MHz from the 8 MHz crystal via the PLL),
# 1 MB flash, 192 KB RAM (128 KB main SRAM used; the 64 KB CCM is not), hardware RNG.
# Console: USART2 TX on PA2 through a USB-serial adapter; LEDs PD12-PD15.
# See boards/stm32f4-discovery/README.md.
# A real board: flashed, no semihosting, found by make test-images and make size.
BOARD_FLASHABLE := 1
include ports/cortex-m/stm32f4/family.mk
BOARD_CPU_HZ := 168000000
BOARD_DEFS := -DCM_CPU_HZ=$(BOARD_CPU_HZ)u -DCM_FAULT_ADDRESS=0x70000000u -Iboards/stm32f4-discovery
BOARD_SRCS += ports/cortex-m/stm32f4/rng.c
include ports/cortex-m/stm32f4/flashable.mk
BOARD_RAM_BYTES := 196608
BOARD_FLASH_BYTES := 1048576
BOARD_FLASH_TARGET := board/stm32f4discovery.cfg
