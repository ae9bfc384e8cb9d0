# MPS2+ + AN505: Cortex-M33 (ARMv8-M main, TrustZone, single-precision FPv5), 20 MHz, run in
# secure state. Hard float: the AN505 image configures the M33 with its FPU, and a hard-float
# v8-M build is the one combination the other boards do not cover (soft float is already
# exercised by the M0 and the M3).
BOARD_CPU := -mcpu=cortex-m33 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard
include boards/mps2.mk
BOARD_DEFS := -DCM_CPU_HZ=20000000u -DCM_UART_BASE=0x50200000u -DCM_FAULT_ADDRESS=0x70000000u
BOARD_QEMU_MACHINE := mps2-an505
BOARD_TEST_EXP := --trials 3 --seed 11 --act gelu --sigma 0.3
