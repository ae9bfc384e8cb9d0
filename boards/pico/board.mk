# Raspberry Pi Pico: RP2040, Cortex-M0+ (no FPU) at 125 MHz (12 MHz crystal, PLL_SYS),
# 264 KB SRAM, 2 MB QSPI flash executed in place. A real board, not a QEMU machine: the image
# talks only through UART0 (GP0 TX, GP1 RX, 115200 8N1) and never through semihosting.
# Flash it by holding BOOTSEL while plugging it in and copying nope.uf2 to the RPI-RP2 drive
# (make BOARD=pico flash does that); boards/pico/README.md says how to wire and read it.
BOARD_CPU := -mcpu=cortex-m0plus -mthumb -mfloat-abi=soft
# Capacities: exactly the host's default configuration (d=64 heads=4 layers=4 ffn=256 seq=64),
# blocks of 32 positions and weights drawn 4096 at a time (a quarter of a d x ffn matrix):
# .bss 134 KB (f32) or 192 KB (fixed) of the 264, the rest is stack. Same report as the host.
BOARD_CAPS := -DNOPE_MAX_D=64 -DNOPE_MAX_HEADS=4 -DNOPE_MAX_LAYERS=4 -DNOPE_MAX_FFN=256 \
              -DNOPE_MAX_SEQ=64 -DNOPE_BLOCK_POS=32 -DNOPE_WEIGHT_BUF=4096
BOARD_CPU_HZ := 125000000
# 0x30000000: nothing is mapped there (RP2040 datasheet 2.2), so FAULT_TEST=2 bus-faults.
BOARD_DEFS := -DCM_CPU_HZ=$(BOARD_CPU_HZ)u -DCM_SEMIHOSTING=0 -DCM_FAULT_ADDRESS=0x30000000u
BOARD_SRCS := $(addprefix ports/cortex-m/rp2040/,board_rp2040.c uart_rp2040.c entropy_rosc.c trial_clock.c)
# The 256-byte second stage at the start of flash, CRC32 appended (mk/boards.mk, images block).
BOARD_BOOT2 := ports/cortex-m/rp2040/boot2_03h.S

BOARD_FLASHABLE := 1
BOARD_IMAGES := hex bin uf2
BOARD_RAM_BASE := 0x20000000
BOARD_RAM_BYTES := 270336
BOARD_FLASH_BASE := 0x10000000
BOARD_FLASH_BYTES := 2097152
# The vector table sits after boot2.
BOARD_VECTOR_OFFSET := 0x100
BOARD_UF2_FAMILY := 0xe48bff56
BOARD_FLASH_TOOL := uf2
BOARD_FLASH_TARGET := RPI-RP2
BOARD_SERIAL_BAUD := 115200

# A flashable image has no semihosting (a BKPT 0xAB with no debugger attached faults).
ifeq ($(origin OUT),undefined)
OUT := uart
else ifneq ($(OUT),uart)
$(error BOARD=pico is a real board: its only output is the UART (OUT=uart), not OUT=$(OUT))
endif

# `make BOARD=pico flash` without EXP: the host's default configuration, 3 trials: about 1.5
# minutes (f32) or 40 s (fixed) on the board by the estimate in README.md.
BOARD_EXP := --trials 3
BOARD_TEST_EXP := --trials 3 --seed 9
