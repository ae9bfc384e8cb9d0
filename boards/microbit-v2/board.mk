# BBC micro:bit v2 (nRF52833: Cortex-M4F at 64 MHz, single-precision FPU, 128 KB RAM, 512 KB
# flash), FLASHABLE: no semihosting, the report and diagnostics on UARTE0, which the interface
# chip turns into USB serial; nope.hex to copy onto the MICROBIT drive. QEMU has no nRF52
# machine: this image is checked by building it and by its static layout (test-microbit-flashable).
# A real board: flashed, no semihosting, found by make test-images and make size.
BOARD_FLASHABLE := 1
include boards/nrf5.mk
BOARD_RAM_BASE := 0x20000000
BOARD_RAM_BYTES := 131072
BOARD_FLASH_BASE := 0x00000000
BOARD_FLASH_BYTES := 524288
BOARD_FLASH_TARGET := nrf52833
BOARD_CPU_HZ := 64000000
BOARD_CPU := -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
BOARD_CAPS := -DNOPE_MAX_D=64 -DNOPE_MAX_HEADS=4 -DNOPE_MAX_LAYERS=4 -DNOPE_MAX_FFN=256 \
              -DNOPE_MAX_SEQ=64 -DNOPE_BLOCK_POS=8 -DNOPE_WEIGHT_BUF=4096
# LED: row 1 = P0.21, column 1 = P0.28 (micro:bit v2 pin map: a 5 x 5 matrix). A load from
# 0x60000000 (nothing there on the nRF52833) is FAULT_TEST=2's bus fault.
BOARD_DEFS := $(NRF5_DEFS) -DCM_FAULT_ADDRESS=0x60000000u \
              -DNRF5_LED_ROW=21u -DNRF5_LED_COL=28u
BOARD_SRCS := ports/cortex-m/nrf5/uarte_nrf52.c ports/cortex-m/nrf5/entropy_nrf5.c \
              ports/cortex-m/nrf5/board_nrf5.c
# The host's default configuration (d=64 heads=4 layers=4 ffn=256 seq=64), 10 trials.
BOARD_EXP := --trials 10
BOARD_TEST_EXP := --trials 3 --seed 9
