# BBC micro:bit v1 (nRF51822: Cortex-M0, no FPU, 16 KB RAM) as QEMU's "microbit" machine.
BOARD_CPU := -mcpu=cortex-m0 -mthumb -mfloat-abi=soft
# Capacities: exactly the canonical small configuration (d=32 heads=4 layers=2 ffn=128 seq=32),
# one position per block, weights drawn 16 at a time, and keys and values made again for each
# query (one head of 8 at a time) instead of stored: 4 KB less, the same report.
BOARD_CAPS := -DNOPE_MAX_D=32 -DNOPE_MAX_HEADS=4 -DNOPE_MAX_LAYERS=2 -DNOPE_MAX_FFN=128 \
              -DNOPE_MAX_SEQ=32 -DNOPE_BLOCK_POS=1 -DNOPE_WEIGHT_BUF=16 \
              -DNOPE_KV_RECOMPUTE=1 -DNOPE_MAX_HEAD_DIM=8
BOARD_DEFS := -DCM_CPU_HZ=16000000u -DCM_FAULT_ADDRESS=0x10001000u
BOARD_SRCS := ports/cortex-m/nrf5/uart_nrf51.c ports/cortex-m/nrf5/entropy_nrf5.c
BOARD_QEMU_MACHINE := microbit
# `make BOARD=qemu-microbit run` without EXP: this configuration, 2 trials, well under a minute
# under QEMU (a trial takes 5 to 15 s; the 1000 of the host's default would take hours).
BOARD_EXP := --d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --trials 2
BOARD_TEST_EXP := --d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --trials 2 --seed 9
