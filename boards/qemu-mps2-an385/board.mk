# MPS2 + AN385: Cortex-M3 (ARMv7-M, no FPU: float arithmetic comes from libgcc), 25 MHz.
BOARD_CPU := -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
include boards/mps2.mk
BOARD_QEMU_MACHINE := mps2-an385
# float32 arithmetic from libgcc: an f32 trial takes 2 to 7 s under QEMU, not 0.2 to 1 s.
BOARD_EXP := --trials 3
BOARD_TEST_EXP := --trials 3 --seed 9
