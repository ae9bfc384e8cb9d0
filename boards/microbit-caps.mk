# The capacities of the two micro:bit v1 builds (included by boards/qemu-microbit and
# boards/microbit): exactly the canonical small configuration (d=32 heads=4 layers=2 ffn=128
# seq=32) in the nRF51822's 16 KB of RAM. Keys and values are not stored but made again for each
# block of queries, one head of 8 at a time (NOPE_KV_RECOMPUTE, core/include/nope/config.h):
# 4 KB less than storing them, the same report. The schedule's work area is on the stack, which
# make size measures; per mode it takes what that mode leaves free, and each mode keeps at least
# 0.5 KB of stack unused under its own configuration:
#   f32:   blocks of 11 queries, keys and values made 7 positions at a time, FFN 7 rows at a time
#          (4.4 KB of work; float32's statistics take 1.5 KB more static RAM than fixed point's).
#   fixed: blocks of 16, 8 positions, 8 rows (5.1 KB), with the matmul's int64 sums held for 32
#          outputs at a time (NOPE_FX_ACC_CAP, 256 bytes; at least the most rows of one product).
# Instructions per trial under QEMU (make bench BOARD=qemu-microbit), canonical configuration:
# f32 266 M, fixed 80 M, with today's draws and kernels (one position per block and keys made
# again per query, with the old draws and kernels: 2677 M and 1818 M).
BOARD_CAPS := -DNOPE_MAX_D=32 -DNOPE_MAX_HEADS=4 -DNOPE_MAX_LAYERS=2 -DNOPE_MAX_FFN=128 \
              -DNOPE_MAX_SEQ=32 -DNOPE_WEIGHT_BUF=16 -DNOPE_KV_RECOMPUTE=1 -DNOPE_MAX_HEAD_DIM=8
# A trained-model image (make MODEL=FILE TEXT=FILE) runs deeper: the per-position loss sums sit on
# the stack under the model (1.4 KB in f32, 1 KB in fixed point), so its work area is smaller:
# f32 blocks of 2 queries, keys and values 2 positions at a time, FFN 4 rows (2.7 KB); fixed point
# 8, 6 and 4 (4.0 KB). The report is the same at any schedule; only the time changes.
ifeq ($(NUM)$(if $(MODEL),-model),fixed)
BOARD_CAPS += -DNOPE_BLOCK_POS=16 -DNOPE_KV_ROWS=8 -DNOPE_FFN_ROWS=8 -DNOPE_FX_ACC_CAP=32
else ifeq ($(NUM)$(if $(MODEL),-model),fixed-model)
BOARD_CAPS += -DNOPE_BLOCK_POS=8 -DNOPE_KV_ROWS=6 -DNOPE_FFN_ROWS=4 -DNOPE_FX_ACC_CAP=32
else ifeq ($(if $(MODEL),-model),-model)
BOARD_CAPS += -DNOPE_BLOCK_POS=2 -DNOPE_KV_ROWS=2 -DNOPE_FFN_ROWS=4
else
BOARD_CAPS += -DNOPE_BLOCK_POS=11 -DNOPE_KV_ROWS=7 -DNOPE_FFN_ROWS=7
endif
