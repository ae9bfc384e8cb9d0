# MPS2 + AN386: Cortex-M4F (ARMv7E-M, single-precision FPv4), 25 MHz, hard-float ABI.
BOARD_CPU := -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
include boards/mps2.mk
BOARD_QEMU_MACHINE := mps2-an386
BOARD_TEST_EXP := --d 16 --heads 2 --layers 2 --ffn 32 --seq 16 --trials 3 --seed 9 --act gelu
