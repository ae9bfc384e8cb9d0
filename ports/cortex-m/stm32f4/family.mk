# What every STM32F4 board shares (included by boards/<board>/board.mk, which then sets its
# clock, RNG and QEMU facts). The board's C facts live in boards/<board>/stm32f4_board.h.
BOARD_CPU := -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
# Capacities: exactly the host's default configuration (d=64 heads=4 layers=4 ffn=256 seq=64)
# in the 128 KB of main SRAM every STM32F4 here has (the F411's whole RAM): the residual stream
# and this layer's keys and values for the whole sequence (48 KB), per-cell sums for 4 layers x
# 64 positions (22 KB f32, 16 KB fixed), and 22 positions a block, so that the 64 positions
# take 3 blocks and every weight is drawn 3 times a trial (drawing dominates: 8 positions a
# block cost 1.9 times the instructions, 16 a block 1.2 times). Weights are drawn 1024 at a
# time and the fixed-point matmul keeps 1024 sums: larger buffers bought nothing measurable.
# About 110 KB static (f32 and fixed); the stack needs under 2 KB of the rest. The report does
# not depend on any of these.
BOARD_CAPS := -DNOPE_MAX_D=64 -DNOPE_MAX_HEADS=4 -DNOPE_MAX_LAYERS=4 -DNOPE_MAX_FFN=256 \
              -DNOPE_MAX_SEQ=64 -DNOPE_BLOCK_POS=22 -DNOPE_WEIGHT_BUF=1024 -DNOPE_FX_ACC_CAP=1024
BOARD_SRCS := $(addprefix ports/cortex-m/stm32f4/,board.c clock.c led.c trials.c usart.c)
BOARD_SERIAL_BAUD := 115200
BOARD_IMAGES := hex bin
# `make BOARD=... run` without EXP (QEMU twin) and test-boards: the canonical small shape.
BOARD_EXP := --trials 2
BOARD_TEST_EXP := --d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --trials 3 --seed 9
