# BBC micro:bit v1 (nRF51822: Cortex-M0, no FPU, 16 KB RAM) as QEMU's "microbit" machine.
BOARD_CPU := -mcpu=cortex-m0 -mthumb -mfloat-abi=soft
# Capacities and the memory schedule, shared with boards/microbit: see boards/microbit-caps.mk.
include boards/microbit-caps.mk
BOARD_DEFS := -DCM_CPU_HZ=16000000u -DCM_FAULT_ADDRESS=0x10001000u
BOARD_SRCS := ports/cortex-m/nrf5/uart_nrf51.c ports/cortex-m/nrf5/entropy_nrf5.c
BOARD_QEMU_MACHINE := microbit
# `make BOARD=qemu-microbit run` without EXP: this configuration, 2 trials, well under a minute
# under QEMU (a trial takes about 1 s; the 1000 of the host's default would take 15 minutes).
BOARD_EXP := --d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --trials 2
BOARD_TEST_EXP := --d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --trials 2 --seed 9
