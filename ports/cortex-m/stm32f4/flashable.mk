# A real STM32F4 board (included by its board.mk): the report and diagnostics go out of the
# console USART, and no semihosting call may be in the image (one without a debugger attached
# is a fault), so OUT is uart, always.
ifneq ($(filter-out uart,$(OUT)),)
$(error BOARD=$(BOARD) is a real board: its output is the serial console (OUT=uart), not '$(OUT)')
endif
OUT := uart
BOARD_DEFS += -DCM_SEMIHOSTING=0
# Built into the image when no EXP is given: the host's default configuration with 50 trials,
# a few minutes on the board (its README.md); EXP="" for the host's full default of 1000.
BOARD_EXP := --trials 50
BOARD_FLASH_TOOL := openocd
