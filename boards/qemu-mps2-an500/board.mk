# MPS2 + AN500: Cortex-M7 (ARMv7E-M, FPv5 with double precision), 25 MHz, hard-float ABI.
BOARD_CPU := -mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard
include boards/mps2.mk
BOARD_QEMU_MACHINE := mps2-an500
BOARD_TEST_EXP := --d 24 --heads 3 --layers 3 --ffn 48 --seq 20 --trials 3 --seed 7 --input tokens --vocab 50 --sigma 0.0001
