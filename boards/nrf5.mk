# What the flashable micro:bit boards share (included by boards/microbit and boards/microbit-v2,
# which say BOARD_FLASHABLE := 1 themselves):
# a real board, so the output is the UART (the interface chip's USB serial at 115200) and there is
# no semihosting (a BKPT with no debugger attached faults); nope.hex for the MICROBIT drive and
# nope.bin; pyOCD where a debug probe is preferred. The board.mk sets the chip's facts after this.
BOARD_IMAGES := hex bin
BOARD_FLASH_TOOL := pyocd
BOARD_SERIAL_BAUD := 115200
ifneq ($(filter-out uart,$(OUT)),)
$(error BOARD=$(BOARD) is flashable: its output is the UART (OUT=uart), never semihosting)
endif
OUT := uart
# Recursive (=): BOARD_CPU_HZ is set by the board.mk after this file.
NRF5_DEFS = -DCM_CPU_HZ=$(BOARD_CPU_HZ)u -DCM_SEMIHOSTING=0
