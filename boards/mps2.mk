# What the MPS2 boards share (included by their board.mk): 4 MB of SSRAM for data, so the
# capacities admit the host's default configuration (d=64 heads=4 layers=4 ffn=256 seq=64)
# with whole-sequence blocks and whole-matrix weight buffers; a CMSDK UART; no RNG.
BOARD_CAPS := -DNOPE_MAX_D=128 -DNOPE_MAX_HEADS=8 -DNOPE_MAX_LAYERS=8 -DNOPE_MAX_FFN=512 \
              -DNOPE_MAX_SEQ=128 -DNOPE_BLOCK_POS=128 -DNOPE_WEIGHT_BUF=65536
BOARD_DEFS := -DCM_CPU_HZ=25000000u -DCM_UART_BASE=0x40004000u -DCM_FAULT_ADDRESS=0x70000000u
BOARD_SRCS := ports/cortex-m/uart_cmsdk.c ports/cortex-m/entropy_none.c
# `make BOARD=... run` without EXP: the host's default configuration, but 10 trials, not 1000,
# so that it ends in seconds under QEMU (a trial takes 0.2 to 1 s; boards may lower it).
BOARD_EXP := --trials 10
# Short configuration for test-boards; each board.mk sets its own after including this file.
BOARD_TEST_EXP := --d 16 --heads 2 --layers 2 --ffn 32 --seq 16 --trials 3 --seed 9
