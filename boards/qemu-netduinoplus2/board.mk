# QEMU's netduinoplus2 machine (STM32F405, Cortex-M4F): the STM32F4 code of nucleo-f411re
# (clock tree, USART, LED, per-trial cycle counts) on the F405's memory map, with the RNG
# driver of the F405/F407. Semihosting for the exit status (and, by default, the output);
# OUT=uart goes through USART1, which QEMU wires to -serial stdio. QEMU models no RCC: the
# PLL never locks and the clock line says the core runs at QEMU's fixed 168 MHz.
include ports/cortex-m/stm32f4/family.mk
BOARD_CPU_HZ := 100000000
BOARD_DEFS := -DCM_CPU_HZ=$(BOARD_CPU_HZ)u -DCM_FAULT_ADDRESS=0x70000000u -Iboards/qemu-netduinoplus2
BOARD_SRCS += ports/cortex-m/stm32f4/rng.c
BOARD_QEMU_MACHINE := netduinoplus2
BOARD_RAM_BYTES := 131072
BOARD_FLASH_BYTES := 1048576
