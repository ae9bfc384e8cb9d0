# ST NUCLEO-F411RE: STM32F411RE (Cortex-M4F, 100 MHz from the HSI via the PLL), 512 KB flash,
# 128 KB RAM, no RNG. Console: the ST-LINK/V2-1 virtual COM port (USART2), LED LD2 (PA5).
# See boards/nucleo-f411re/README.md.
# A real board: flashed, no semihosting, found by make test-images and make size.
BOARD_FLASHABLE := 1
include ports/cortex-m/stm32f4/family.mk
BOARD_CPU_HZ := 100000000
BOARD_DEFS := -DCM_CPU_HZ=$(BOARD_CPU_HZ)u -DCM_FAULT_ADDRESS=0x70000000u -Iboards/nucleo-f411re
BOARD_SRCS += ports/cortex-m/entropy_none.c
include ports/cortex-m/stm32f4/flashable.mk
BOARD_RAM_BYTES := 131072
BOARD_FLASH_BYTES := 524288
BOARD_FLASH_TARGET := board/st_nucleo_f4.cfg
