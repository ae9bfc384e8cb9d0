# What every STM32F4 board shares (included by boards/<board>/board.mk, which then sets its
# clock, RNG and QEMU facts). The board's C facts live in boards/<board>/stm32f4_board.h.
BOARD_CPU := -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
# Capacities: exactly the host's default configuration (d=64 heads=4 layers=4 ffn=256 seq=64)
# in the 128 KB of main SRAM every STM32F4 here has (the F411's whole RAM): residual stream,
# keys and values for the whole sequence (48 KB), 8 positions a block, weights drawn 2048 at a
# time, per-cell sums for 4 layers x 64 positions. About 91 KB (f32) / 100 KB (fixed) static,
# the rest stack. The report does not depend on the block or the buffer.
BOARD_CAPS := -DNOPE_MAX_D=64 -DNOPE_MAX_HEADS=4 -DNOPE_MAX_LAYERS=4 -DNOPE_MAX_FFN=256 \
              -DNOPE_MAX_SEQ=64 -DNOPE_BLOCK_POS=8 -DNOPE_WEIGHT_BUF=2048
BOARD_SRCS := $(addprefix ports/cortex-m/stm32f4/,board.c clock.c led.c trials.c usart.c)
# trials.c wraps the program's call of the trials loop: LED and cycle count after each trial.
BOARD_LDFLAGS := -Wl,--wrap=nope_experiment_run
BOARD_SERIAL_BAUD := 115200
BOARD_IMAGES := hex bin
# `make BOARD=... run` without EXP (QEMU twin) and test-boards: the canonical small shape.
BOARD_EXP := --trials 2
BOARD_TEST_EXP := --d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --trials 3 --seed 9
